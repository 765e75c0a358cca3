// PostgreSQL specifics of the sql provider: the schema dump (pg_dump's, and the
// catalog reader's where pg_dump is absent), redaction, and where schema_migrations lives.
#include <gtest/gtest.h>

#include "converge/providers/sql/schema_text.hpp"
#include "converge/providers/sql/sql_provider.hpp"
#include "converge/util/fs.hpp"
#include "sql_test_support.hpp"
#include "support/postgres.hpp"
#include "support/temp_dir.hpp"

namespace converge::providers::sql {
namespace {

constexpr const char* kRichSchema = R"(-- migrate:up
create schema audit;
create type mood as enum ('sad', 'ok', 'happy');
create domain email as text check (value like '%@%');
create sequence invoice_numbers start 100;
create table users (
  id bigint generated always as identity primary key,
  email email not null unique,
  mood mood default 'ok',
  created_at timestamptz not null default now()
);
create table posts (
  id serial primary key,
  user_id bigint not null references users (id) on delete cascade,
  title text check (length(title) > 0)
);
create index posts_user_id_idx on posts (user_id);
create table audit.events (id bigint, what text);
create view user_posts as select u.email, p.title from users u join posts p on p.user_id = u.id;
create function touch() returns trigger language plpgsql as $$
begin
  return new;
end;
$$;
create trigger posts_touch before update on posts for each row execute function touch();
comment on table users is 'people who write';
comment on column users.email is 'login';
-- migrate:down
)";

// Migrates a fresh database from kRichSchema (with target `settings`) and returns the
// snapshot written.
std::string migrate_rich_schema(std::string* second_plan_keys = nullptr,
                                const nlohmann::json& settings = nlohmann::json::object()) {
  testing::ScratchDatabase db;
  testing::TempDir repo;
  repo.write("db/migrations/1_rich.sql", kRichSchema);
  auto p = make_provider(test::spec_for(repo.path(), db.url(), settings));
  EXPECT_TRUE(p);
  auto bundle = (*p)->compile();
  EXPECT_TRUE(bundle) << bundle.error().to_string();
  auto planned = (*p)->plan(*bundle, {});
  EXPECT_TRUE(planned) << planned.error().to_string();
  auto report = (*p)->apply(*bundle, *planned);
  EXPECT_TRUE(report && report->ok()) << (report ? report->error : report.error().to_string());
  auto again = (*p)->plan(*(*p)->compile(), {});
  EXPECT_TRUE(again);
  if (second_plan_keys)
    for (const auto& c : again->changes) *second_plan_keys += c.key + " ";
  return util::read_file(repo / "db/schema.sql").value_or("");
}

// What both dumpers write alike for kRichSchema.
constexpr const char* kRichSchemaInEitherDump[] = {
    "CREATE SCHEMA audit;",
    "CREATE TYPE public.mood AS ENUM (\n    'sad',\n    'ok',\n    'happy'\n);",
    "CREATE DOMAIN public.email AS text",
    "ALTER SEQUENCE public.posts_id_seq OWNED BY public.posts.id;",
    "    created_at timestamp with time zone DEFAULT now() NOT NULL\n);",
    "CREATE TABLE audit.events (",
    "ADD CONSTRAINT posts_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;",
    "ADD CONSTRAINT users_email_key UNIQUE (email);",
    "CREATE INDEX posts_user_id_idx ON public.posts USING btree (user_id);",
    "CREATE VIEW public.user_posts AS\n",
    "CREATE TRIGGER posts_touch BEFORE UPDATE ON public.posts FOR EACH ROW EXECUTE FUNCTION public.touch();",
    "    email public.email NOT NULL,",
    "COMMENT ON TABLE public.users IS 'people who write';",
    "COMMENT ON COLUMN public.users.email IS 'login';",
};

// Migrates kRichSchema into two fresh databases with target `settings`: the second
// plan is clean, the two snapshots are byte-identical and hold kRichSchemaInEitherDump
// and `own` (what this dumper writes its own way). Returns the snapshot.
std::string expect_rich_snapshot(const nlohmann::json& settings, std::initializer_list<const char*> own) {
  std::string second_plan;
  std::string first = migrate_rich_schema(&second_plan, settings);
  EXPECT_EQ(second_plan, "") << "a second dump of the same database differs:\n" << first;
  std::vector<const char*> expected(std::begin(kRichSchemaInEitherDump), std::end(kRichSchemaInEitherDump));
  expected.insert(expected.end(), own);
  for (const char* text : expected)
    EXPECT_NE(first.find(text), std::string::npos) << "missing: " << text << "\nin:\n" << first;
  EXPECT_EQ(first.find("schema_migrations"), std::string::npos);
  EXPECT_EQ(first.find("users_pkey ON"), std::string::npos) << "indexes backing constraints are not repeated";
  EXPECT_EQ(migrate_rich_schema(nullptr, settings), first);
  return first;
}

TEST(PostgresProvider, SnapshotIsPgDumpsTextAndIsByteIdenticalAcrossDatabases) {
  CONVERGE_REQUIRE_POSTGRES();
  std::string first = expect_rich_snapshot(nlohmann::json::object(),
                                           {"CREATE SEQUENCE public.invoice_numbers\n    START WITH 100",
                                            "ALTER TABLE public.users ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (",
                                            "CREATE FUNCTION public.touch() RETURNS trigger", "   FROM (public.users u"});
  EXPECT_EQ(first.find("\nSET "), std::string::npos);
  EXPECT_EQ(first.find("-- "), std::string::npos) << "no pg_dump header or entry comments";
}

// Where no pg_dump is usable (`pg_dump: none` here) the catalog reader writes it.
TEST(PostgresProvider, CatalogReaderSnapshotCoversItsKindsOfObjectAndIsByteIdenticalAcrossDatabases) {
  CONVERGE_REQUIRE_POSTGRES();
  std::string first = expect_rich_snapshot({{"pg_dump", "none"}},
                                           {"CREATE SEQUENCE public.invoice_numbers\n    AS bigint\n    START WITH 100",
                                            "CREATE TABLE public.users (\n    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,",
                                            "CREATE OR REPLACE FUNCTION public.touch()", "   FROM public.users u"});
  EXPECT_TRUE(first.starts_with(kCatalogSnapshotMarker)) << first;
}

TEST(PostgresProvider, ConnectionErrorsNeverShowThePassword) {
  testing::TempDir repo;
  std::filesystem::create_directories(repo / "db/migrations");
  auto p = make_provider(test::spec_for(repo.path(), "postgres://converge:topsecret@127.0.0.1:1/app"));
  ASSERT_TRUE(p);
  auto bundle = (*p)->compile();
  ASSERT_TRUE(bundle);
  auto planned = (*p)->plan(*bundle, {});
  ASSERT_FALSE(planned);
  EXPECT_EQ(planned.error().message.find("topsecret"), std::string::npos) << planned.error().message;
  EXPECT_NE(planned.error().message.find("postgres://converge:***@127.0.0.1:1/app"), std::string::npos)
      << planned.error().message;
  auto version = (*p)->runtime_version();
  ASSERT_FALSE(version);
  EXPECT_EQ(version.error().message.find("topsecret"), std::string::npos);
}

TEST(PostgresProvider, SchemaMigrationsIsCreatedInThePublicSchemaAsDbmateDoes) {
  CONVERGE_REQUIRE_POSTGRES();
  testing::ScratchDatabase db;
  testing::TempDir repo;
  repo.write("db/migrations/1_a.sql", "-- migrate:up\ncreate table a (id int);\n-- migrate:down\n");
  auto p = make_provider(test::spec_for(repo.path(), db.url()));
  ASSERT_TRUE(p);
  auto bundle = (*p)->compile();
  auto planned = (*p)->plan(*bundle, {});
  ASSERT_TRUE(planned);
  EXPECT_EQ(db.query_value("SELECT to_regclass('public.schema_migrations') IS NULL"), "t");
  ASSERT_TRUE((*p)->apply(*bundle, *planned)->ok());
  EXPECT_EQ(db.query_value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                           " WHERE attrelid = 'public.schema_migrations'::regclass AND attname = 'version'"),
            "character varying(128)");
  EXPECT_EQ(db.query_value("SELECT version FROM public.schema_migrations"), "1");
}

// The transaction-control check does not look into function bodies (see
// transaction_control.cpp): PostgreSQL itself refuses a procedure's COMMIT inside the
// migration's transaction, and the migration rolls back as a whole.
TEST(PostgresProvider, ACommitInAProcedureBodyIsLeftToPostgresWhichRollsTheMigrationBack) {
  CONVERGE_REQUIRE_POSTGRES();
  testing::ScratchDatabase db;
  testing::TempDir repo;
  repo.write("db/migrations/1_proc.sql",
             "-- migrate:up\ncreate procedure fill() language plpgsql as $$\nbegin\n  create table half (id integer);\n"
             "  commit;\nend $$;\ncall fill();\n-- migrate:down\n");
  auto p = make_provider(test::spec_for(repo.path(), db.url()));
  ASSERT_TRUE(p);
  auto bundle = (*p)->compile();
  ASSERT_TRUE(bundle) << bundle.error().to_string();
  auto planned = (*p)->plan(*bundle, {});
  ASSERT_TRUE(planned) << "defining such a procedure is fine: " << planned.error().to_string();
  auto report = (*p)->apply(*bundle, *planned);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->failed_key, "1_proc");
  EXPECT_NE(report->error.find("invalid transaction termination"), std::string::npos) << report->error;
  EXPECT_EQ(db.query_value("SELECT count(*) FROM pg_class WHERE relname = 'half'"), "0");
  EXPECT_EQ(db.query_value("SELECT count(*) FROM pg_proc WHERE proname = 'fill'"), "0");
  EXPECT_EQ(db.query_value("SELECT count(*) FROM schema_migrations"), "0");
}

}  // namespace
}  // namespace converge::providers::sql
