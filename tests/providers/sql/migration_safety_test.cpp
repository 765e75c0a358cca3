// What a migration must not do to the all-or-nothing promise, on SQLite files and a
// PostgreSQL server: refused at plan time with nothing applied (NUL bytes, transaction
// control, versions too long to record), and never recorded when it breaks the
// transaction anyway.
#include <gtest/gtest.h>

#include "converge/providers/sql/sql_provider.hpp"
#include "sql_test_support.hpp"

namespace converge::providers::sql {
namespace {

constexpr const char* kUsersVarchar =
    "-- migrate:up\ncreate table users (id integer primary key, name varchar(255));\n-- migrate:down\ndrop table users;\n";

class MigrationSafetyTest : public test::SqlBackendTest {
 protected:
  // The database after 1_users was applied.
  void apply_users() {
    repo_.write("db/migrations/1_users.sql", kUsersVarchar);
    auto p = provider();
    ASSERT_TRUE(apply(*p).ok());
  }

  // compile()'s error, failing the test when it compiles.
  Error compile_error() {
    auto bundle = provider()->compile();
    EXPECT_FALSE(bundle);
    return bundle ? Error{} : bundle.error();
  }

  // plan()'s error, failing the test when it compiles and plans.
  Error plan_error() {
    auto p = provider();
    auto bundle = p->compile();
    if (!bundle) {
      ADD_FAILURE() << bundle.error().to_string();
      return bundle.error();
    }
    auto planned = p->plan(*bundle, {});
    EXPECT_FALSE(planned);
    return planned ? Error{} : planned.error();
  }

  void expect_only_users_applied() {
    EXPECT_EQ(db_->query("SELECT count(*) FROM schema_migrations"), "1");
    EXPECT_EQ(db_->query("SELECT max(version) FROM schema_migrations"), "1");
  }
};

TEST_P(MigrationSafetyTest, NulByteIsRefusedAtPlanTimeAndNothingRuns) {
  apply_users();
  using namespace std::string_literals;
  repo_.write("db/migrations/2_nul.sql", "-- migrate:up\ncreate table half (id integer);\0drop table users;\n"
                                         "-- migrate:down\n"s);
  Error e = compile_error();
  EXPECT_EQ(e.code, ExitCode::usage);
  EXPECT_EQ(e.to_string().rfind("db/migrations/2_nul.sql:2: a NUL byte", 0), 0u) << e.to_string();
  EXPECT_FALSE(db_->has_table("half"));
  expect_only_users_applied();
}

TEST_P(MigrationSafetyTest, CommitInATransactionalMigrationIsRefusedAtPlanTimeAndNothingRuns) {
  apply_users();
  for (std::string statement : {"commit;", "END;", "rollback;", "begin;"}) {
    repo_.write("db/migrations/2_commit.sql", "-- migrate:up\ncreate table half (id integer);\n" + statement +
                                                  "\ncreate table later (id integer);\n-- migrate:down\n");
    Error e = plan_error();
    EXPECT_EQ(e.code, ExitCode::usage);
    EXPECT_EQ(e.to_string().rfind("db/migrations/2_commit.sql:3: '", 0), 0u) << e.to_string();
  }
  EXPECT_FALSE(db_->has_table("half"));
  EXPECT_FALSE(db_->has_table("later"));
  expect_only_users_applied();
}

TEST_P(MigrationSafetyTest, AnAppliedMigrationWrappedInBeginCommitIsHistoryAndNotJudged) {
  // What dbmate ran long ago: its BEGIN only warned and its COMMIT ended dbmate's transaction.
  repo_.write("db/migrations/1_users.sql", "-- migrate:up\nbegin;\ncreate table users (id integer);\ncommit;\n"
                                           "-- migrate:down\n");
  db_->exec("create table schema_migrations (version varchar(128) primary key)");
  db_->exec("create table users (id integer)");
  db_->exec("insert into schema_migrations (version) values ('1')");
  repo_.write("db/migrations/2_posts.sql", "-- migrate:up\ncreate table posts (id integer);\n-- migrate:down\n");
  auto report = apply(*provider());
  EXPECT_TRUE(report.ok()) << report.error;
  EXPECT_EQ(db_->query("SELECT max(version) FROM schema_migrations"), "2");
}

TEST_P(MigrationSafetyTest, TransactionFalseMigrationMayCommitItself) {
  apply_users();
  repo_.write("db/migrations/2_own.sql",
              "-- migrate:up transaction:false\nbegin;\ncreate table own (id integer);\ncommit;\n-- migrate:down\n");
  auto report = apply(*provider());
  EXPECT_TRUE(report.ok()) << report.error;
  EXPECT_TRUE(db_->has_table("own"));
  EXPECT_EQ(db_->query("SELECT max(version) FROM schema_migrations"), "2");
}

TEST_P(MigrationSafetyTest, TransactionFalseMigrationThatLeavesATransactionOpenIsRolledBackAndNotRecorded) {
  apply_users();
  repo_.write("db/migrations/2_open.sql",
              "-- migrate:up transaction:false\nbegin;\ncreate table pending (id integer);\n-- migrate:down\n");
  auto report = apply(*provider());
  EXPECT_EQ(report.failed_key, "2_open");
  EXPECT_NE(report.error.find("left a transaction open"), std::string::npos) << report.error;
  EXPECT_FALSE(db_->has_table("pending"));
  expect_only_users_applied();
}

// The plan refuses these scripts; if one reached the database anyway (a gap in the
// plan-time check), the version must still not be recorded.
TEST_P(MigrationSafetyTest, AMigrationThatEndsConvergesTransactionIsNeverRecorded) {
  apply_users();
  for (std::string script : {"create table half (id integer);\ncommit;\ncreate table later (id integer);\n",
                             "create table half (id integer);\ncommit;\nbegin;\ncreate table later (id integer);\n",
                             "create table half (id integer);\nrollback;\ncreate table later (id integer);\n"}) {
    SCOPED_TRACE(script);
    repo_.write("db/migrations/2_half.sql", "-- migrate:up\ncreate table half (id integer);\n-- migrate:down\n");
    auto p = provider();
    auto bundle = p->compile();
    ASSERT_TRUE(bundle) << bundle.error().to_string();
    auto planned = p->plan(*bundle, {});
    ASSERT_TRUE(planned) << planned.error().to_string();
    ASSERT_EQ(planned->changes.size(), 1u);
    bundle->content["migrations"][1]["sql"] = script;
    planned->changes[0].after["sql"] = script;

    auto report = p->apply(*bundle, *planned);
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_EQ(report->failed_key, "2_half");
    EXPECT_NE(report->error.find("ended the transaction converge ran it in"), std::string::npos) << report->error;
    EXPECT_EQ(report->version, "1");
    expect_only_users_applied();
    // What a COMMIT committed stays: that is why the plan refuses such a migration.
    db_->exec("DROP TABLE IF EXISTS half");
    db_->exec("DROP TABLE IF EXISTS later");
  }
}

TEST_P(MigrationSafetyTest, VersionLongerThanTheVersionColumnIsRefusedAtPlanTimeOnPostgres) {
  apply_users();
  const std::string file = "db/migrations/" + std::string(129, '2') + "_long.sql";
  repo_.write(file, "-- migrate:up\ncreate table long_one (id integer);\n-- migrate:down\n");
  auto p = provider();
  auto bundle = p->compile();
  ASSERT_TRUE(bundle) << bundle.error().to_string();
  auto planned = p->plan(*bundle, {});
  if (GetParam() == "postgres") {
    ASSERT_FALSE(planned);
    EXPECT_EQ(planned.error().code, ExitCode::usage);
    EXPECT_EQ(planned.error().to_string().rfind(file + ": the version of this migration is 129 digits long, but "
                                                "schema_migrations.version holds at most 128 characters", 0),
              0u)
        << planned.error().to_string();
    EXPECT_FALSE(db_->has_table("long_one"));
    expect_only_users_applied();
  } else {
    // SQLite stores any length in its varchar(128) column, so dbmate and converge record it.
    ASSERT_TRUE(planned) << planned.error().to_string();
    auto report = p->apply(*bundle, *planned);
    ASSERT_TRUE(report && report->ok());
    EXPECT_EQ(db_->query("SELECT max(length(version)) FROM schema_migrations"), "129");
  }
}

TEST_P(MigrationSafetyTest, VersionAsLongAsTheColumnAllowsIsApplied) {
  repo_.write("db/migrations/" + std::string(128, '3') + "_edge.sql",
              "-- migrate:up\ncreate table edge (id integer);\n-- migrate:down\n");
  auto report = apply(*provider());
  EXPECT_TRUE(report.ok()) << report.error;
  EXPECT_EQ(db_->query("SELECT max(length(version)) FROM schema_migrations"), "128");
}

TEST_P(MigrationSafetyTest, TheColumnLengthIsReadFromTheTableNotAssumed) {
  // The table as an older dbmate created it, wider than converge's.
  db_->exec("create table schema_migrations (version varchar(255) primary key)");
  repo_.write("db/migrations/" + std::string(200, '4') + "_wide.sql",
              "-- migrate:up\ncreate table wide (id integer);\n-- migrate:down\n");
  auto report = apply(*provider());
  EXPECT_TRUE(report.ok()) << report.error;
  EXPECT_TRUE(db_->has_table("wide"));
  EXPECT_EQ(db_->query("SELECT max(length(version)) FROM schema_migrations"), "200");
}

TEST_P(MigrationSafetyTest, VersionOfAFreshPostgresDatabaseIsCheckedAgainstTheTableConvergeWillCreate) {
  repo_.write("db/migrations/" + std::string(129, '5') + "_first.sql",
              "-- migrate:up\ncreate table first_one (id integer);\n-- migrate:down\n");
  auto p = provider();
  auto bundle = p->compile();
  ASSERT_TRUE(bundle);
  auto planned = p->plan(*bundle, {});
  EXPECT_EQ(planned.has_value(), GetParam() == "sqlite");
  EXPECT_FALSE(db_->has_table("schema_migrations")) << "plan never creates the table";
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationSafetyTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace converge::providers::sql
