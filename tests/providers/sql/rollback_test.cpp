// The sql provider's rollback to an older commit, on SQLite and PostgreSQL: the down
// blocks converge recorded when it applied the newer migrations run newest first, each
// in its own transaction; a missing or empty down block, a transaction:false migration
// and a failing down block are refused or leave nothing changed.
#include <gtest/gtest.h>

#include <filesystem>

#include "converge/plan/render.hpp"
#include "sql_test_support.hpp"

namespace converge::providers::sql {
namespace {

constexpr const char* kUsersTable = "-- migrate:up\ncreate table users (id integer primary key, name text);\n"
                               "-- migrate:down\ndrop table users;\n";
constexpr const char* kPostsTable = "-- migrate:up\ncreate table posts (id integer primary key);\n"
                               "create index posts_id on posts (id);\n-- migrate:down\ndrop table posts;\n";
constexpr const char* kTags = "-- migrate:up\ncreate table tags (id integer primary key);\n"
                              "-- migrate:down\n-- undo\ndrop table tags;\n";

using test::mentions;
using test::SqlBackendTest;
using RollbackTest = SqlBackendTest;

TEST_P(RollbackTest, OlderCommitRunsTheNewerDownBlocksNewestFirstThenForwardAgain) {
  repo_.write("db/migrations/1_users.sql", kUsersTable);
  auto p = provider();
  ASSERT_TRUE(apply(*p).ok());
  const std::string older_snapshot = snapshot();
  repo_.write("db/migrations/2_posts.sql", kPostsTable);
  repo_.write("db/migrations/3_tags.sql", kTags);
  ASSERT_TRUE(apply(*p).ok());
  EXPECT_EQ(snapshot().find("converge_migration_downs"), std::string::npos) << "converge's table is not schema";

  // Check out the older commit: only 1 and its snapshot.
  std::filesystem::remove(repo_ / "db/migrations/2_posts.sql");
  std::filesystem::remove(repo_ / "db/migrations/3_tags.sql");
  repo_.write("db/schema.sql", older_snapshot);
  auto planned = plan(*p);
  EXPECT_TRUE(planned.errors.empty()) << planned.errors.front();
  ASSERT_EQ(planned.changes.size(), 2u);
  EXPECT_EQ(planned.changes[0].key, "3_tags");
  EXPECT_EQ(planned.changes[1].key, "2_posts");
  for (const auto& change : planned.changes) {
    EXPECT_EQ(change.action, plan::Action::remove);
    EXPECT_EQ(change.kind, "rollback migration");
    EXPECT_TRUE(change.after.is_null());
  }
  EXPECT_EQ(planned.changes[0].before["sql"], "-- undo\ndrop table tags;\n");
  EXPECT_EQ(planned.changes[1].before["version"], "2");
  // Shown like any change: its SQL as the removed lines.
  EXPECT_NE(plan::change_diff(planned.changes[0]).find("-drop table tags;"), std::string::npos)
      << plan::change_diff(planned.changes[0]);

  auto report = apply(*p);
  ASSERT_TRUE(report.ok()) << report.error;
  EXPECT_EQ(report.applied, (std::vector<std::string>{"3_tags", "2_posts"}));
  EXPECT_EQ(report.version, "1");
  EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();
  EXPECT_FALSE(db_->has_table("tags"));
  EXPECT_FALSE(db_->has_table("posts"));
  EXPECT_TRUE(db_->has_table("users"));
  EXPECT_EQ(db_->query("SELECT count(*) FROM schema_migrations"), "1");
  EXPECT_EQ(db_->query("SELECT version FROM schema_migrations"), "1");
  EXPECT_EQ(db_->query("SELECT count(*) FROM converge_migration_downs"), "1");
  EXPECT_EQ(snapshot(), older_snapshot);
  EXPECT_TRUE(plan(*p).changes.empty());

  // Forward again to the newer commit.
  repo_.write("db/migrations/2_posts.sql", kPostsTable);
  repo_.write("db/migrations/3_tags.sql", kTags);
  auto forward = apply(*p);
  ASSERT_TRUE(forward.ok()) << forward.error;
  EXPECT_EQ(forward.applied, (std::vector<std::string>{"2_posts", "3_tags"}));
  EXPECT_EQ(db_->query("SELECT count(*) FROM schema_migrations"), "3");
  EXPECT_TRUE(db_->has_table("tags"));
}

// Applies 1_users and `second` as 2_second, removes 2_second's file and plans.
plan::TargetPlan plan_rollback_of(RollbackTest& t, const std::string& second, Provider& p,
                                  const testing::TempDir& repo) {
  repo.write("db/migrations/1_users.sql", kUsersTable);
  repo.write("db/migrations/2_second.sql", second);
  auto report = test::compile_plan_apply(p);
  EXPECT_TRUE(report.ok()) << report.error;
  std::filesystem::remove(repo / "db/migrations/2_second.sql");
  (void)t;
  auto bundle = p.compile();
  EXPECT_TRUE(bundle);
  auto planned = p.plan(*bundle, {});
  EXPECT_TRUE(planned);
  return *planned;
}

TEST_P(RollbackTest, EmptyDownBlockIsRefusedWithTheReasonAndNothingRuns) {
  auto p = provider();
  auto planned = plan_rollback_of(*this, "-- migrate:up\ncreate table second (id integer);\n-- migrate:down\n"
                                         "-- nothing to undo\n\n", *p, repo_);
  ASSERT_EQ(planned.errors.size(), 1u);
  EXPECT_TRUE(mentions(planned.errors, "cannot roll back version 2")) << planned.errors[0];
  EXPECT_TRUE(mentions(planned.errors, "migrate:down block of 2_second is empty")) << planned.errors[0];
  auto bundle = p->compile();
  auto refused = p->apply(*bundle, planned);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ExitCode::refused);
  EXPECT_TRUE(db_->has_table("second"));
  EXPECT_EQ(db_->query("SELECT count(*) FROM schema_migrations"), "2");
}

TEST_P(RollbackTest, TransactionFalseMigrationIsRefusedWithTheReason) {
  auto p = provider();
  auto planned = plan_rollback_of(*this, "-- migrate:up transaction:false\n" + db_->non_transactional_statement() +
                                             "\n-- migrate:down\nselect 1;\n", *p, repo_);
  ASSERT_EQ(planned.errors.size(), 1u);
  EXPECT_TRUE(mentions(planned.errors, "is transaction:false")) << planned.errors[0];
  EXPECT_TRUE(planned.changes.empty());
}

// dbmate reads options on the down marker too and runs such a block outside a
// transaction; converge, which rolls back all or nothing, refuses it with the reason.
TEST_P(RollbackTest, DownMarkedTransactionFalseIsRefusedWithTheReason) {
  auto p = provider();
  auto planned = plan_rollback_of(
      *this, "-- migrate:up\ncreate table second (id integer);\n-- migrate:down transaction:false\ndrop table second;\n",
      *p, repo_);
  ASSERT_EQ(planned.errors.size(), 1u);
  EXPECT_TRUE(mentions(planned.errors, "is transaction:false")) << planned.errors[0];
  EXPECT_TRUE(planned.changes.empty());
  EXPECT_TRUE(db_->has_table("second"));
}

TEST_P(RollbackTest, VersionWithoutARecordedDownBlockIsRefused) {
  repo_.write("db/migrations/1_users.sql", kUsersTable);
  auto p = provider();
  ASSERT_TRUE(apply(*p).ok());
  db_->exec("INSERT INTO schema_migrations (version) VALUES ('5')");  // as dbmate would have
  auto planned = plan(*p);
  ASSERT_EQ(planned.errors.size(), 1u);
  EXPECT_TRUE(mentions(planned.errors, "recorded no down block")) << planned.errors[0];
}

TEST_P(RollbackTest, FailingDownBlockLeavesTheVersionAppliedAndNothingChanged) {
  auto p = provider();
  auto planned = plan_rollback_of(*this, "-- migrate:up\ncreate table second (id integer);\n-- migrate:down\n"
                                         "drop table second;\ndrop table no_such_table;\n", *p, repo_);
  ASSERT_TRUE(planned.errors.empty()) << planned.errors[0];
  auto bundle = p->compile();
  auto report = p->apply(*bundle, planned);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->failed_key, "2_second");
  EXPECT_EQ(report->version, "2");
  EXPECT_TRUE(db_->has_table("second"));
  EXPECT_EQ(db_->query("SELECT count(*) FROM converge_migration_downs"), "2");
}

INSTANTIATE_TEST_SUITE_P(Backends, RollbackTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace converge::providers::sql
