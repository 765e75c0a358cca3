// The sql provider's behaviour, the same on SQLite and PostgreSQL: apply, idempotence,
// rollback of a failed migration, schema drift, dbmate compatibility, strictness.
#include <gtest/gtest.h>

#include <sstream>

#include "converge/providers/sql/sql_provider.hpp"
#include "converge/util/fs.hpp"
#include "converge/util/text_diff.hpp"
#include "sql_test_support.hpp"
#include "support/postgres.hpp"
#include "support/temp_dir.hpp"

namespace converge::providers::sql {
namespace {

constexpr const char* kUsers =
    "-- migrate:up\ncreate table users (\n  id integer primary key,\n  name varchar(255)\n);\n"
    "-- migrate:down\ndrop table users;\n";
constexpr const char* kPosts =
    "-- migrate:up\ncreate table posts (\n  id integer primary key,\n  user_id integer references users (id)\n);\n"
    "create index posts_user_id on posts (user_id);\n-- migrate:down\ndrop table posts;\n";

using test::SqlBackendTest;

TEST_P(SqlBackendTest, ApplyRunsPendingMigrationsInOrderAndRecordsThem) {
  repo_.write("db/migrations/20240101000000_users.sql", kUsers);
  repo_.write("db/migrations/20240102000000_posts.sql", kPosts);
  auto p = provider();
  auto planned = plan(*p);
  EXPECT_FALSE(db_->has_table("schema_migrations")) << "plan must not create the table";
  EXPECT_TRUE(planned.errors.empty());
  EXPECT_EQ(planned.provider, "sql");
  EXPECT_EQ(planned.target, "db");
  ASSERT_EQ(planned.changes.size(), 2u);
  EXPECT_EQ(planned.changes[0].key, "20240101000000_users");
  EXPECT_EQ(planned.changes[0].title, "db/migrations/20240101000000_users.sql") << "the file people wrote";
  EXPECT_EQ(planned.changes[0].kind, "migration");
  EXPECT_EQ(planned.changes[0].action, plan::Action::create);
  EXPECT_TRUE(planned.changes[0].before.is_null());
  EXPECT_EQ(planned.changes[0].after["version"], "20240101000000");
  EXPECT_EQ(planned.changes[0].after["name"], "users");
  EXPECT_EQ(planned.changes[0].after["transaction"], true);
  EXPECT_NE(planned.changes[0].after["sql"].get<std::string>().find("create table users"), std::string::npos);
  EXPECT_EQ(planned.changes[1].key, "20240102000000_posts");
  EXPECT_FALSE(planned.notes.empty());

  auto report = apply(*p);
  EXPECT_TRUE(report.ok()) << report.error;
  EXPECT_EQ(report.applied, (std::vector<std::string>{"20240101000000_users", "20240102000000_posts"}));
  EXPECT_EQ(report.version, "20240102000000");
  EXPECT_TRUE(db_->has_table("users"));
  EXPECT_TRUE(db_->has_table("posts"));
  EXPECT_EQ(db_->query("SELECT count(*) FROM schema_migrations"), "2");
  EXPECT_EQ(p->runtime_version().value_or("?"), "20240102000000");
  EXPECT_NE(snapshot().find("posts"), std::string::npos);
  // The snapshot did not exist before, so it differs from the committed one.
  EXPECT_EQ(report.warnings.size(), 1u);
}

TEST_P(SqlBackendTest, SecondPlanIsEmptyAndSecondApplyIsANoOp) {
  repo_.write("db/migrations/1_users.sql", kUsers);
  auto p = provider();
  ASSERT_TRUE(apply(*p).ok());
  std::string written = snapshot();
  auto again = plan(*p);
  EXPECT_TRUE(again.changes.empty()) << again.changes.front().key;
  EXPECT_TRUE(again.errors.empty());
  auto report = apply(*p);
  EXPECT_TRUE(report.ok());
  EXPECT_TRUE(report.applied.empty());
  EXPECT_TRUE(report.warnings.empty());
  EXPECT_EQ(report.version, "1");
  EXPECT_EQ(snapshot(), written);
}

TEST_P(SqlBackendTest, ApplyStopsAtFirstFailureAndRollsItBack) {
  repo_.write("db/migrations/1_users.sql", kUsers);
  repo_.write("db/migrations/2_broken.sql",
              "-- migrate:up\ncreate table half (id integer);\ninsert into no_such_table values (1);\n"
              "-- migrate:down\ndrop table half;\n");
  repo_.write("db/migrations/3_posts.sql", kPosts);
  auto p = provider();
  auto report = apply(*p);
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.applied, std::vector<std::string>{"1_users"});
  EXPECT_EQ(report.failed_key, "2_broken");
  EXPECT_NE(report.error.find("no_such_table"), std::string::npos) << report.error;
  EXPECT_FALSE(db_->has_table("half")) << "the failed migration must be rolled back entirely";
  EXPECT_FALSE(db_->has_table("posts")) << "nothing after the failure runs";
  EXPECT_EQ(db_->query("SELECT count(*) FROM schema_migrations"), "1");
  EXPECT_EQ(report.version, "1");
  EXPECT_EQ(p->runtime_version().value_or("?"), "1");
  EXPECT_FALSE(std::filesystem::exists(repo_ / "db/schema.sql")) << "no snapshot after a failed apply";
}

TEST_P(SqlBackendTest, AdHocDdlIsReportedAsSchemaDriftWithAReadableDiff) {
  repo_.write("db/migrations/1_users.sql", kUsers);
  auto p = provider();
  ASSERT_TRUE(apply(*p).ok());
  db_->exec("ALTER TABLE users ADD COLUMN email varchar(320)");

  auto drift = plan(*p);
  ASSERT_EQ(drift.changes.size(), 1u);
  const auto& change = drift.changes[0];
  EXPECT_EQ(change.kind, "schema");
  EXPECT_EQ(change.key, "schema");
  EXPECT_EQ(change.title, "db/schema.sql") << "the snapshot file it is compared with";
  EXPECT_EQ(change.action, plan::Action::update);
  EXPECT_EQ(change.after.get<std::string>(), snapshot()) << "desired = the committed snapshot";
  std::string diff = util::unified_diff(change.before.get<std::string>(), change.after.get<std::string>(),
                                        "live", "db/schema.sql");
  bool removed_line_names_email = false;
  std::istringstream lines(diff);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with("-") && !line.starts_with("---") && line.find("email") != std::string::npos)
      removed_line_names_email = true;
  EXPECT_TRUE(removed_line_names_email) << diff;

  auto report = apply(*p);
  EXPECT_TRUE(report.ok());
  EXPECT_TRUE(report.applied.empty());
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("write a migration that explains this change"), std::string::npos);
  EXPECT_EQ(db_->query("SELECT count(email) FROM users"), "0") << "the column is kept (this throws otherwise)";
}

TEST_P(SqlBackendTest, ReadsASchemaMigrationsTableThatDbmateCreated) {
  // What dbmate does on a fresh database before running 1_users.
  db_->exec(GetParam() == "postgres"
                ? "create table if not exists public.schema_migrations (version varchar(128) primary key)"
                : "CREATE TABLE IF NOT EXISTS \"schema_migrations\" (version varchar(128) primary key)");
  db_->exec("create table users (id integer primary key, name varchar(255))");
  db_->exec("insert into schema_migrations (version) values ('1')");
  repo_.write("db/migrations/1_users.sql", kUsers);
  repo_.write("db/migrations/2_posts.sql", kPosts);
  auto p = provider();
  EXPECT_EQ(p->runtime_version().value_or("?"), "1");
  auto planned = plan(*p);
  ASSERT_EQ(planned.changes.size(), 1u);
  EXPECT_EQ(planned.changes[0].key, "2_posts");
  auto report = apply(*p);
  EXPECT_TRUE(report.ok()) << report.error;
  // ... and the table stays readable the way dbmate reads it.
  EXPECT_EQ(db_->query("SELECT version FROM schema_migrations ORDER BY version DESC"), "2");
}

TEST_P(SqlBackendTest, AppliedVersionWhoseFileIsGoneIsAPlanErrorAndApplyRefuses) {
  repo_.write("db/migrations/1_users.sql", kUsers);
  repo_.write("db/migrations/2_posts.sql", kPosts);
  auto p = provider();
  ASSERT_TRUE(apply(*p).ok());
  std::filesystem::remove(repo_ / "db/migrations/1_users.sql");
  auto planned = plan(*p);
  ASSERT_EQ(planned.errors.size(), 1u);
  EXPECT_NE(planned.errors[0].find("version 1 is applied"), std::string::npos) << planned.errors[0];
  auto bundle = p->compile();
  auto refused = p->apply(*bundle, planned);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ExitCode::refused);
}

TEST_P(SqlBackendTest, OutOfOrderMigrationIsAnErrorWhenStrict) {
  repo_.write("db/migrations/2_users.sql", kUsers);
  auto p = provider();
  ASSERT_TRUE(apply(*p).ok());
  repo_.write("db/migrations/1_early.sql", "-- migrate:up\ncreate table early (id integer);\n-- migrate:down\n");
  auto planned = plan(*p);
  ASSERT_EQ(planned.errors.size(), 1u);
  EXPECT_NE(planned.errors[0].find("older than the latest applied version 2"), std::string::npos);
  EXPECT_FALSE(db_->has_table("early"));
}

TEST_P(SqlBackendTest, OutOfOrderMigrationIsANoteAndStillAppliedWhenNotStrict) {
  repo_.write("db/migrations/2_users.sql", kUsers);
  auto p = provider({{"strict", false}});
  ASSERT_TRUE(apply(*p).ok());
  repo_.write("db/migrations/1_early.sql", "-- migrate:up\ncreate table early (id integer);\n-- migrate:down\n");
  auto planned = plan(*p);
  EXPECT_TRUE(planned.errors.empty());
  ASSERT_EQ(planned.changes.size(), 1u);
  EXPECT_EQ(planned.changes[0].key, "1_early");
  bool noted = false;
  for (const auto& note : planned.notes) noted |= note.find("out of order") != std::string::npos;
  EXPECT_TRUE(noted);
  auto report = apply(*p);
  EXPECT_TRUE(report.ok()) << report.error;
  EXPECT_TRUE(db_->has_table("early"));
  EXPECT_EQ(report.version, "2");
}

TEST_P(SqlBackendTest, TransactionFalseMigrationRunsOutsideATransaction) {
  repo_.write("db/migrations/1_users.sql", kUsers);
  repo_.write("db/migrations/2_outside.sql", "-- migrate:up transaction:false\n" +
                                                 db_->non_transactional_statement() + "\n-- migrate:down\n");
  auto p = provider();
  auto planned = plan(*p);
  ASSERT_EQ(planned.changes.size(), 2u);
  EXPECT_EQ(planned.changes[1].after["transaction"], false);
  auto report = apply(*p);
  EXPECT_TRUE(report.ok()) << report.error;
  EXPECT_EQ(report.version, "2");
}

TEST_P(SqlBackendTest, StatementThatRefusesATransactionFailsWithoutTransactionFalse) {
  repo_.write("db/migrations/1_users.sql", kUsers);
  repo_.write("db/migrations/2_outside.sql", "-- migrate:up\n" + db_->non_transactional_statement() + "\n-- migrate:down\n");
  // On PostgreSQL the lint's error (locks/concurrently-in-transaction) refuses the plan
  // first; as a warning, the database's own refusal is what stops the apply.
  if (GetParam() == "postgres") {
    EXPECT_TRUE(plan(*provider()).has_errors());
  }
  auto p = provider({{"lint", {{"locks/concurrently-in-transaction", "warning"}}}});
  auto report = apply(*p);
  EXPECT_EQ(report.failed_key, "2_outside");
  EXPECT_EQ(report.version, "1");
}

TEST_P(SqlBackendTest, DbmateMigrationSetAppliesAndItsSnapshotIsStable) {
  const std::filesystem::path source = CONVERGE_SHARED_TESTDATA "/dbmate-migrations/dbmate/db/migrations";
  std::filesystem::create_directories(repo_ / "db");
  std::filesystem::copy(source, repo_ / "db/migrations");
  auto p = provider();
  auto report = apply(*p);
  ASSERT_TRUE(report.ok()) << report.error;
  EXPECT_EQ(report.version, "20200227231541");
  EXPECT_EQ(db_->query("SELECT name FROM users WHERE id = 1"), "alice");
  std::string first = snapshot();
  EXPECT_NE(first.find("users"), std::string::npos);
  EXPECT_NE(first.find("posts"), std::string::npos);
  EXPECT_EQ(first.find("schema_migrations"), std::string::npos);
  // A second dump of the same database is byte-identical (the plan compares them).
  EXPECT_TRUE(plan(*p).changes.empty());

  // A second, fresh database migrated from the same files dumps the same text.
  testing::TempDir other_repo;
  std::filesystem::create_directories(other_repo / "db");
  std::filesystem::copy(source, other_repo / "db/migrations");
  auto other_db = GetParam() == "postgres" ? test::postgres_backend() : test::sqlite_backend(other_repo.path());
  auto other = make_provider(test::spec_for(other_repo.path(), other_db->url()));
  ASSERT_TRUE(other);
  auto bundle = (*other)->compile();
  auto planned = (*other)->plan(*bundle, {});
  ASSERT_TRUE(planned);
  ASSERT_TRUE((*other)->apply(*bundle, *planned)->ok());
  EXPECT_EQ(util::read_file(other_repo / "db/schema.sql").value_or("?"), first);
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlBackendTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace converge::providers::sql
