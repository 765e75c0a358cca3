// dbmate interoperability, tested against the real dbmate (npm @dbmate/linux-x64,
// pinned in tests/providers/sql/dbmate/package-lock.json) on SQLite and PostgreSQL with
// dbmate's own migration set (../shared/testdata/dbmate-migrations): a database either
// tool migrated reads as migrated to the other, dbmate's schema.sql is a snapshot with
// no false drift, `snapshot_format: dbmate` writes the file `dbmate dump` writes, and
// --strict judges out-of-order versions as dbmate does.
#include <gtest/gtest.h>

#include <filesystem>

#include "converge/providers/sql/database.hpp"
#include "converge/providers/sql/dbmate_snapshot.hpp"
#include "converge/providers/sql/sql_provider.hpp"
#include "converge/util/fs.hpp"
#include "converge/util/subprocess.hpp"
#include "sql_test_support.hpp"
#include "support/postgres.hpp"

namespace converge::providers::sql {
namespace {

namespace fs = std::filesystem;
using test::SqlBackendTest;
using DbmateTest = SqlBackendTest;

const fs::path kFixture = fs::path(CONVERGE_SHARED_TESTDATA) / "dbmate-migrations/dbmate/db";

// A schema with what dbmate's and converge's writers treat specially: quoted names
// (the sqlite3 shell writes `IF NOT EXISTS` before them), views (the shell adds their
// columns as a comment, quoting keywords), a virtual table and its shadow tables,
// sqlite_sequence (left out), a comment inside a statement, an index, a trigger; on
// PostgreSQL an enum, an identity column, a function and a comment.
std::string rich_migration(const std::string& backend) {
  if (backend == "sqlite")
    return "-- migrate:up\n"
           "create table \"Order Items\" (id integer primary key, \"select\" text not null default 'x', qty int);\n"
           "create index order_items_select on \"Order Items\" (\"select\");\n"
           "create view item_names as select id, \"select\" as \"the name\", qty from \"Order Items\";\n"
           "create trigger touch after insert on \"Order Items\" begin\n"
           "  update \"Order Items\" set qty = 1 where id = new.id;\n"
           "end;\n"
           "create table \"order\" (id integer primary key autoincrement, note text -- why\n);\n"
           "create view orders as select id as \"order\", note as \"Note\" from \"order\";\n"
           "create virtual table search using fts5(body);\n"
           "create table kv (k text primary key, v blob) without rowid;\n"
           "create index kv_lower on kv (lower(k));\n"
           "-- migrate:down\n"
           "drop view item_names;\ndrop table \"Order Items\";\n";
  return "-- migrate:up\n"
         "create type mood as enum ('sad', 'happy');\n"
         "create table \"Order Items\" (id bigint generated always as identity primary key,\n"
         "  \"select\" text not null default 'x', feeling mood);\n"
         "create index order_items_select on \"Order Items\" (\"select\");\n"
         "create view item_names as select id, \"select\" as \"the name\" from \"Order Items\";\n"
         "comment on table \"Order Items\" is 'what was ordered';\n"
         "create function touch() returns trigger language plpgsql as $$ begin return new; end $$;\n"
         "-- migrate:down\n"
         "drop view item_names;\ndrop table \"Order Items\";\ndrop type mood;\ndrop function touch();\n";
}

class Interop : public DbmateTest {
 protected:
  void copy_fixture_migrations() {
    for (const auto& entry : fs::directory_iterator(kFixture / "migrations"))
      repo_.write("db/migrations/" + entry.path().filename().string(), *util::read_file(entry.path()));
  }

  // The database URL as dbmate spells it.
  std::string dbmate_url() const {
    if (GetParam() == "sqlite") return "sqlite:" + (repo_ / "data/app.db").string();
    return db_->url() + "?sslmode=disable";
  }

  // Runs the real dbmate on the repo's migrations and db/schema.sql.
  util::ProcessResult dbmate(const std::vector<std::string>& args) {
    fs::create_directories(repo_ / "data");  // dbmate creates the SQLite file, not its folder
    std::vector<std::string> argv{
        (fs::path(CONVERGE_SOURCE_DIR) / "tests/providers/sql/dbmate/node_modules/@dbmate/linux-x64/bin/dbmate").string(),
        "--url", dbmate_url(), "--migrations-dir", (repo_ / "db/migrations").string(),
        "--schema-file", (repo_ / "db/schema.sql").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto ran = util::run_process(argv, {}, {.time = std::chrono::seconds(60), .output_bytes = 16u << 20});
    EXPECT_TRUE(ran) << ran.error().to_string();
    return ran ? *ran : util::ProcessResult{};
  }

  // What converge's dbmate writer makes of the database now.
  std::string converge_dbmate_file() {
    auto db = open_database(db_->url(), repo_.path(), OpenMode::read);
    EXPECT_TRUE(db) << db.error().to_string();
    if (!db) return "";
    auto text = (*db)->dump_dbmate();
    EXPECT_TRUE(text) << text.error().to_string();
    return text ? *text : "";
  }
};

TEST_P(Interop, DbmateMigratedDatabasePlansNothingAndItsSchemaFileReadsWithoutDrift) {
  copy_fixture_migrations();
  auto migrated = dbmate({"migrate"});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  ASSERT_NE(snapshot().find("-- Dbmate schema migrations"), std::string::npos) << snapshot();
  auto p = provider();
  auto planned = plan(*p);
  EXPECT_TRUE(planned.errors.empty()) << planned.errors.front();
  EXPECT_TRUE(planned.changes.empty()) << planned.changes.front().before << "\n---\n" << planned.changes.front().after;

  db_->exec("create table extra (id integer);");
  auto drifted = plan(*p);
  ASSERT_EQ(drifted.changes.size(), 1u) << "a hand-made table is drift, whatever the snapshot's format";
  EXPECT_EQ(drifted.changes[0].kind, "schema");
  EXPECT_NE(drifted.changes[0].before.get<std::string>().find("extra"), std::string::npos);
}

TEST_P(Interop, ConvergeAppliedMigrationsReadAsAppliedToDbmateAndItsRollbackWorks) {
  copy_fixture_migrations();
  auto p = provider();
  ASSERT_EQ(apply(*p).applied.size(), 2u);
  auto status = dbmate({"--no-dump-schema", "status"});
  EXPECT_NE(status.out.find("Applied: 2\nPending: 0"), std::string::npos) << status.out << status.err;
  auto migrate = dbmate({"--no-dump-schema", "migrate"});
  EXPECT_EQ(migrate.exit_code, 0) << migrate.err;
  EXPECT_EQ(migrate.out.find("Applying"), std::string::npos) << migrate.out;

  // dbmate's dump of a database converge migrated holds converge's own table; read as
  // the snapshot, that table is left out like schema_migrations: no drift.
  ASSERT_EQ(dbmate({"dump"}).exit_code, 0);
  EXPECT_NE(snapshot().find("converge_migration_downs"), std::string::npos) << snapshot();
  auto read_back = plan(*p);
  EXPECT_TRUE(read_back.changes.empty()) << read_back.changes.front().before << "\n---\n"
                                         << read_back.changes.front().after;

  auto rollback = dbmate({"--no-dump-schema", "rollback"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.err;
  EXPECT_NE(rollback.out.find("Rolled back: 20200227231541_test_posts.sql"), std::string::npos) << rollback.out;
  EXPECT_FALSE(db_->has_table("posts"));
  auto planned = plan(*p);
  EXPECT_TRUE(planned.errors.empty()) << planned.errors.front();
  ASSERT_EQ(planned.changes.size(), 1u);
  EXPECT_EQ(planned.changes[0].key, "20200227231541_test_posts");
  ASSERT_EQ(apply(*p).applied.size(), 1u);
  EXPECT_NE(dbmate({"--no-dump-schema", "status"}).out.find("Applied: 2\nPending: 0"), std::string::npos);
}

TEST_P(Interop, DbmateWriterEqualsDbmateDumpByteForByte) {
  copy_fixture_migrations();
  repo_.write("db/migrations/20240101000000_rich.sql", rich_migration(GetParam()));
  auto migrated = dbmate({"--no-dump-schema", "migrate"});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  auto dumped = dbmate({"dump"});
  ASSERT_EQ(dumped.exit_code, 0) << dumped.err;
  EXPECT_EQ(converge_dbmate_file(), snapshot());
}

TEST_P(Interop, SnapshotFormatDbmateWritesDbmatesFileAndReadsItWithoutDrift) {
  copy_fixture_migrations();
  repo_.write("db/migrations/20240101000000_rich.sql", rich_migration(GetParam()));
  auto p = provider({{"snapshot_format", "dbmate"}});
  ASSERT_EQ(apply(*p).applied.size(), 3u);
  std::string written = snapshot();
  EXPECT_NE(written.find("-- Dbmate schema migrations"), std::string::npos) << written;
  EXPECT_EQ(written.find("converge_migration_downs"), std::string::npos) << "converge's own table is left out";
  auto planned = plan(*p);
  EXPECT_TRUE(planned.changes.empty()) << planned.changes.front().before << "\n---\n" << planned.changes.front().after;
  auto by_default = provider();
  EXPECT_TRUE(plan(*by_default).changes.empty()) << "either format is read whatever the setting";

  // The same database without converge's table, as dbmate dumps it.
  db_->exec("DROP TABLE converge_migration_downs;");
  auto dumped = dbmate({"dump"});
  ASSERT_EQ(dumped.exit_code, 0) << dumped.err;
  EXPECT_EQ(snapshot(), written);
}

// dbmate compares versions as strings: with 9 applied, 10 is out of order (10 < 9).
TEST_P(Interop, StrictRefusesWhatDbmateStrictRefuses) {
  repo_.write("db/migrations/9_a.sql", "-- migrate:up\ncreate table a (id integer);\n-- migrate:down\ndrop table a;\n");
  ASSERT_EQ(dbmate({"--no-dump-schema", "migrate"}).exit_code, 0);
  repo_.write("db/migrations/10_b.sql", "-- migrate:up\ncreate table b (id integer);\n-- migrate:down\ndrop table b;\n");
  auto strict = dbmate({"--no-dump-schema", "migrate", "--strict"});
  EXPECT_NE(strict.exit_code, 0);
  EXPECT_NE(strict.err.find("out of order"), std::string::npos) << strict.err;
  auto p = provider();
  auto planned = plan(*p);
  ASSERT_EQ(planned.errors.size(), 1u);
  EXPECT_NE(planned.errors[0].find("10_b.sql is older than the latest applied version 9"), std::string::npos)
      << planned.errors[0];
}

TEST_P(Interop, StrictAcceptsWhatDbmateStrictAccepts) {
  repo_.write("db/migrations/10_b.sql", "-- migrate:up\ncreate table b (id integer);\n-- migrate:down\ndrop table b;\n");
  ASSERT_EQ(dbmate({"--no-dump-schema", "migrate"}).exit_code, 0);
  repo_.write("db/migrations/9_a.sql", "-- migrate:up\ncreate table a (id integer);\n-- migrate:down\ndrop table a;\n");
  auto p = provider();
  auto planned = plan(*p);
  EXPECT_TRUE(planned.errors.empty()) << planned.errors.front();
  ASSERT_EQ(planned.changes.size(), 1u);
  EXPECT_EQ(planned.changes[0].key, "9_a");
  auto strict = dbmate({"--no-dump-schema", "migrate", "--strict"});
  EXPECT_EQ(strict.exit_code, 0) << strict.err;
}

INSTANTIATE_TEST_SUITE_P(Backends, Interop, ::testing::Values("sqlite", "postgres"));

// dbmate's own schema.sql for these migrations, dumped by an older pg_dump (no
// \restrict key, "-- *not* creating schema" and no table access method lines).
TEST(DbmateFixture, TheSharedSchemaFileReadsWithoutDriftOnPostgres) {
  CONVERGE_REQUIRE_POSTGRES();
  testing::TempDir repo;
  for (const auto& entry : fs::directory_iterator(kFixture / "migrations"))
    repo.write("db/migrations/" + entry.path().filename().string(), *util::read_file(entry.path()));
  auto db = test::postgres_backend();
  auto p = make_provider(test::spec_for(repo.path(), db->url()));
  ASSERT_TRUE(p) << p.error().to_string();
  ASSERT_EQ(test::compile_plan_apply(**p).applied.size(), 2u);
  repo.write("db/schema.sql", *util::read_file(kFixture / "schema.sql"));
  auto bundle = (*p)->compile();
  ASSERT_TRUE(bundle);
  auto planned = (*p)->plan(*bundle, {});
  ASSERT_TRUE(planned) << planned.error().to_string();
  EXPECT_TRUE(planned->changes.empty()) << planned->changes.front().before << "\n---\n"
                                        << planned->changes.front().after;
}

TEST(DbmateText, TrimsLeadingCommentsAndTrailingBlanksAsDbmateDoes) {
  EXPECT_EQ(trim_leading_sql_comments("--\n-- PostgreSQL database dump\n\n\\restrict dbmate\n\n-- Dumped by x \r\n"
                                      "CREATE TABLE a (\xC2\xA0\n  id int\t\n);"),
            "\\restrict dbmate\n\n-- Dumped by x\nCREATE TABLE a (\n  id int\n);\n");
  EXPECT_EQ(trim_leading_sql_comments("-- only comments\n\n"), "");
  EXPECT_EQ(trim_leading_sql_comments("x\xE2\x80\x83\nz\xE2\x80\x8B\n"), "x\nz\xE2\x80\x8B\n")
      << "U+2003 is a space to Go, U+200B is not";
}

TEST(DbmateText, RestrictKeyIsUsedFromThePgDumpVersionsThatHaveIt) {
  EXPECT_TRUE(pg_dump_has_restrict_key("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"));
  EXPECT_FALSE(pg_dump_has_restrict_key("pg_dump (PostgreSQL) 15.13"));
  EXPECT_TRUE(pg_dump_has_restrict_key("pg_dump (PostgreSQL) 16.10"));
  EXPECT_FALSE(pg_dump_has_restrict_key("pg_dump (PostgreSQL) 17.5"));
  EXPECT_TRUE(pg_dump_has_restrict_key("pg_dump (PostgreSQL) 18.0"));
  EXPECT_FALSE(pg_dump_has_restrict_key("pg_dump (PostgreSQL) 14.20"));
  EXPECT_FALSE(pg_dump_has_restrict_key("not pg_dump"));
}

TEST(DbmateText, SqliteSchemaInEitherFormatComparesEqual) {
  std::string converge = "CREATE TABLE \"Order Items\" (id integer);\n\nCREATE TABLE b (x int);\n\n"
                         "CREATE VIEW v AS SELECT x FROM b;\n";
  std::string dbmate = "CREATE TABLE IF NOT EXISTS \"schema_migrations\" (version varchar(128) primary key);\n"
                       "CREATE TABLE b (x int);\nCREATE TABLE IF NOT EXISTS \"Order Items\" (id integer);\n"
                       "CREATE VIEW v AS SELECT x FROM b\n/* v(x) */;\n"
                       "CREATE TABLE converge_migration_downs (version text PRIMARY KEY);\n"
                       "-- Dbmate schema migrations\nINSERT INTO \"schema_migrations\" (version) VALUES\n  ('1');\n";
  EXPECT_TRUE(is_dbmate_snapshot(dbmate));
  EXPECT_FALSE(is_dbmate_snapshot(converge));
  EXPECT_EQ(comparable_sqlite_schema(converge), comparable_sqlite_schema(dbmate));
  EXPECT_NE(comparable_sqlite_schema(converge + "\nCREATE INDEX i ON b (x);\n"), comparable_sqlite_schema(dbmate));
  std::string trigger = "CREATE TRIGGER t AFTER INSERT ON b BEGIN\n  UPDATE b SET x = 1;\nEND;\n";
  EXPECT_EQ(comparable_sqlite_schema(trigger), "CREATE TRIGGER t AFTER INSERT ON b BEGIN\n  UPDATE b SET x = 1;\nEND;\n\n")
      << "a trigger's body is one statement";
}

TEST(DbmateSettings, UnknownSnapshotFormatIsAConfigErrorAtItsLine) {
  testing::TempDir repo;
  auto p = make_provider(test::spec_for(repo.path(), "sqlite:///data/app.db", {{"snapshot_format", "pg_dump"}}));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ExitCode::usage);
  EXPECT_NE(p.error().message.find("'snapshot_format' must be 'converge' or 'dbmate'"), std::string::npos);
  ASSERT_TRUE(p.error().where);
  EXPECT_EQ(p.error().where->line, 5);
}

}  // namespace
}  // namespace converge::providers::sql
