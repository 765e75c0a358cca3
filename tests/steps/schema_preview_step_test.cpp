// The PR schema diff and the stale-snapshot check through the built steps, on a real
// SQLite target: `converge plan --write-snapshot` writes the snapshot the migrations
// produce; a migration added without regenerating it fails plan (exit 1) with the
// command to run, and that exact command makes it clean; plan-comment posts the schema
// diff and the stale section to the pull request (the local GitHub API server).
#include <string>

#include "converge/util/fs.hpp"
#include "steps/github_fixture.hpp"

namespace converge::testing {
namespace {

const std::string kHead = "b6a3f2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5";
constexpr std::string_view kOrders =
    "-- migrate:up\ncreate table orders (id integer primary key, user_id integer not null);\n"
    "create index orders_user on orders (user_id);\nalter table users add column note text;\n\n"
    "-- migrate:down\ndrop table orders;\n";

using SchemaPreviewStep = RepoTest;

TEST_F(SchemaPreviewStep, WriteSnapshotThenAStaleSnapshotFailsPlanAndTheNamedCommandFixesIt) {
  auto r = converge({"plan", "--env", "dev", "--write-snapshot"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Wrote db/schema.sql: review and commit it."), std::string::npos) << r.out;
  ASSERT_TRUE(std::filesystem::exists(dir_ / "db/schema.sql"));
  EXPECT_EQ(sqlite_value(".converge/dev.db", "SELECT count(*) FROM sqlite_master WHERE name = 'users'"), "")
      << "the target is never touched";
  repo_->commit_all("snapshot");

  dir_.write("db/migrations/20260103000000_orders.sql", kOrders);
  repo_->commit_all("orders, snapshot not regenerated");
  r = converge({"plan", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string command = "converge plan --env dev --write-snapshot";
  EXPECT_NE((r.out + r.err).find("db/schema.sql is stale: the pending migrations produce a different schema; run `" +
                                 command + "` and commit it"),
            std::string::npos)
      << r.out << r.err;
  EXPECT_NE(r.out.find("  + table orders: 2 columns\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("      + column note: text\n"), std::string::npos) << r.out;

  r = converge({"plan", "--env", "dev", "--write-snapshot"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("is stale"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("      + index orders_user: (user_id)\n"), std::string::npos) << r.out;

  // Apply then writes the same snapshot: nothing to commit.
  const auto regenerated = util::read_file(dir_ / "db/schema.sql").value_or("<missing>");
  r = converge({"apply", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(util::read_file(dir_ / "db/schema.sql").value_or("<missing>"), regenerated);
}

using SchemaPreviewComment = GitHubFlowTest;

TEST_F(SchemaPreviewComment, ThePostedCommentShowsTheSchemaDiffAndTheStaleSection) {
  ASSERT_EQ(converge({"plan", "--env", "prod", "--write-snapshot"}).exit_code, 0);
  dir_.write("db/migrations/20260103000000_orders.sql", kOrders);
  sha_ = repo_->commit_all("orders, snapshot not regenerated");
  github_.seed({{"pulls", {{{"number", 8}, {"user", "alice"}, {"head", {{"ref", "develop"}, {"sha", kHead}}},
                            {"base", {{"ref", "main"}}}}}}});
  auto r = step({"plan-comment"}, "pull_request", pull_request_event(8, "main", kHead), sha_);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto comments = github_.comments(8);
  ASSERT_EQ(comments.size(), 1u) << r.out << r.err;
  auto body = comments[0]["body"].get<std::string>();
  const auto diff = body.find("#### Schema diff of ` app-db `");
  ASSERT_NE(diff, std::string::npos) << body;
  EXPECT_NE(body.find("- **added** table ` orders `: 2 columns\n"), std::string::npos) << body;
  EXPECT_NE(body.find("  - **added** index ` orders_user `"), std::string::npos) << body;
  // prod runs nothing yet: both migrations are pending, so users is added whole.
  EXPECT_NE(body.find("- **added** table ` users `: 3 columns\n"), std::string::npos) << body;
  EXPECT_NE(body.find("#### ` db/schema.sql ` is stale"), std::string::npos) << body;
  EXPECT_NE(body.find("Run ` converge plan --env prod --write-snapshot ` and commit it."), std::string::npos) << body;
  EXPECT_NE(body.find("```diff\n--- committed/db/schema.sql\n+++ migrated/db/schema.sql"), std::string::npos) << body;
  // A section after the plan (apply's plan pinning re-renders only the plan part).
  EXPECT_LT(body.find("<sub>plan hash"), body.find("<!-- converge:schema-preview -->")) << body;

  ASSERT_EQ(converge({"plan", "--env", "prod", "--write-snapshot"}).exit_code, 0);
  sha_ = repo_->commit_all("snapshot regenerated");
  r = step({"plan-comment"}, "pull_request", pull_request_event(8, "main", kHead), sha_);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  body = github_.comments(8)[0]["body"].get<std::string>();
  EXPECT_NE(body.find("#### Schema diff of ` app-db `"), std::string::npos) << body;
  EXPECT_EQ(body.find("is stale"), std::string::npos) << body;
  EXPECT_FALSE(token_leaked());
}

}  // namespace
}  // namespace converge::testing
