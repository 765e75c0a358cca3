// The normalisation of pg_dump text into the snapshot (unit): what is kept, what is
// dropped, dbmate's own schema.sql, and that normalising is idempotent.
#include "converge/providers/sql/schema_text.hpp"

#include <gtest/gtest.h>

#include "converge/util/fs.hpp"

namespace converge::providers::sql {
namespace {

// pg_dump 17's output for a small schema, with the \restrict key, the session lines
// between entries, bookkeeping tables in two schemas and a grant on one of them.
constexpr const char* kRawDump = R"(--
-- PostgreSQL database dump
--

\restrict pra7r7zixqb6AC9tbrEfGIWh1n7bwIoe4Xa436KhwpM9y66uABPGCUQIcTTp0s3

-- Dumped from database version 17.6
-- Dumped by pg_dump version 17.6

SET statement_timeout = 0;
SET lock_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
SET row_security = off;

--
-- Name: f(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.f() RETURNS integer
    LANGUAGE sql
    AS $$select 1


$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version character varying(128) NOT NULL
);


--
-- Name: converge_migration_downs; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.converge_migration_downs (
    version text NOT NULL
);


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id integer NOT NULL
);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: TABLE schema_migrations; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.schema_migrations TO PUBLIC;


--
-- Name: schema_migrations_like; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations_like (
    id integer
);


--
-- PostgreSQL database dump complete
--

\unrestrict pra7r7zixqb6AC9tbrEfGIWh1n7bwIoe4Xa436KhwpM9y66uABPGCUQIcTTp0s3


--
-- Dbmate schema migrations
--

INSERT INTO public.schema_migrations (version) VALUES
    ('1');
)";

constexpr const char* kNormalised = R"(CREATE FUNCTION public.f() RETURNS integer
    LANGUAGE sql
    AS $$select 1

$$;

CREATE TABLE public.users (
    id integer NOT NULL
);

CREATE TABLE public.schema_migrations_like (
    id integer
);
)";

TEST(SchemaText, KeepsEachEntrysSqlInPgDumpsOrderAndDropsEverythingElse) {
  EXPECT_EQ(normalise_pg_dump(kRawDump), kNormalised);
}

TEST(SchemaText, EntriesKeepTheirHeaderFields) {
  auto entries = pg_dump_entries(kRawDump);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].name, "f()");
  EXPECT_EQ(entries[0].type, "FUNCTION");
  EXPECT_EQ(entries[0].schema, "public");
  EXPECT_EQ(entries[1].name, "users");
  EXPECT_EQ(entries[1].type, "TABLE");
}

TEST(SchemaText, NormalisingTwiceChangesNothing) {
  std::string once = normalise_pg_dump(kRawDump);
  EXPECT_FALSE(is_raw_pg_dump(once));
  EXPECT_EQ(normalise_pg_dump(once), once);
}

TEST(SchemaText, AnEmptySchemaIsEmptyText) {
  EXPECT_EQ(normalise_pg_dump("--\n-- PostgreSQL database dump\n--\n\nSET lock_timeout = 0;\n\n--\n"
                              "-- PostgreSQL database dump complete\n--\n\n"),
            "");
  EXPECT_EQ(normalise_pg_dump(""), "");
}

TEST(SchemaText, WindowsLineEndingsReadAsUnixOnes) {
  std::string crlf;
  for (char c : std::string(kRawDump)) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  EXPECT_EQ(normalise_pg_dump(crlf), kNormalised);
}

TEST(SchemaText, DbmatesOwnSchemaFileIsItsTablesWithoutTheBookkeeping) {
  auto file = util::read_file(std::string(CONVERGE_SHARED_TESTDATA) + "/dbmate-migrations/dbmate/db/schema.sql");
  ASSERT_TRUE(file) << file.error().to_string();
  EXPECT_TRUE(is_raw_pg_dump(*file));
  EXPECT_EQ(normalise_pg_dump(*file),
            "CREATE TABLE public.posts (\n    id integer,\n    name character varying(255)\n);\n\n"
            "CREATE TABLE public.users (\n    id integer,\n    name character varying(255)\n);\n");
}

TEST(SchemaText, TellsWhichDumperWroteASnapshot) {
  EXPECT_EQ(snapshot_dumper(""), SnapshotDumper::none);
  EXPECT_EQ(snapshot_dumper("\n"), SnapshotDumper::none);
  EXPECT_EQ(snapshot_dumper(kNormalised), SnapshotDumper::pg_dump);
  EXPECT_EQ(snapshot_dumper(kRawDump), SnapshotDumper::pg_dump);
  EXPECT_EQ(snapshot_dumper(std::string(kCatalogSnapshotMarker) + "\n\nCREATE TABLE public.a ();\n"),
            SnapshotDumper::catalog);
}

}  // namespace
}  // namespace converge::providers::sql
