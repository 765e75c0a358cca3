// Apply and the files its commit does not hold: a runner refuses an untracked or
// modified source (it would be deployed but recorded at a commit without it); a local
// apply warns and records the deployment as made from a dirty tree.
#include "steps/repo_fixture.hpp"

#include <filesystem>

namespace converge::testing {
namespace {

using WorkTree = RepoTest;

constexpr const char* kLastDirty = "select dirty from deployments order by id desc limit 1";

TEST_F(WorkTree, ARunnerRefusesAnUntrackedMigrationAndAppliesNothing) {
  dir_.write("db/migrations/20260102000000_posts.sql", kPosts);
  TempDir runner_temp;
  auto r = run_step("converge", {"apply", "--env", "dev"}, dir_.path(),
                    {{"GITHUB_ACTIONS", "true"}, {"RUNNER_TEMP", runner_temp.path().string()}});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto said = r.out + r.err;
  EXPECT_NE(said.find("db/migrations/20260102000000_posts.sql (untracked)"), std::string::npos) << said;
  EXPECT_NE(said.find("nothing was applied"), std::string::npos) << said;
  EXPECT_EQ(sqlite_value(".converge/dev.db", "select count(*) from schema_migrations"), "");
  EXPECT_EQ(sqlite_value(".converge/manifest.db", "select count(*) from deployments"), "");
}

TEST_F(WorkTree, ARunnerRefusesAnEditedConfigOrMigrationButNotAFileElsewhere) {
  TempDir runner_temp;
  const std::map<std::string, std::string> runner = {{"GITHUB_ACTIONS", "true"},
                                                     {"RUNNER_TEMP", runner_temp.path().string()}};
  dir_.write("notes.txt", "an untracked file outside the sources\n");
  dir_.write(".converge/scratch.txt", "ignored\n");
  auto elsewhere = run_step("converge", {"apply", "--env", "dev"}, dir_.path(), runner);
  EXPECT_EQ(elsewhere.exit_code, 0) << elsewhere.out << elsewhere.err;

  dir_.write("db/migrations/20260101000000_users.sql", std::string(kUsers) + "-- edited\n");
  auto edited = run_step("converge", {"apply", "--env", "dev"}, dir_.path(), runner);
  EXPECT_EQ(edited.exit_code, 1) << edited.out << edited.err;
  EXPECT_NE((edited.out + edited.err).find("20260101000000_users.sql (modified)"), std::string::npos);
}

TEST_F(WorkTree, ALocalApplyWarnsLoudlyAndRecordsTheTreeAsDirty) {
  auto clean = converge({"apply", "--env", "dev"});
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(sqlite_value(".converge/manifest.db", kLastDirty), "0");

  dir_.write("db/migrations/20260102000000_posts.sql", kPosts);
  auto dirty = converge({"apply", "--env", "dev"});
  ASSERT_EQ(dirty.exit_code, 0) << dirty.err;
  EXPECT_NE((dirty.out + dirty.err).find("UNCOMMITTED SOURCES"), std::string::npos) << dirty.out << dirty.err;
  EXPECT_EQ(sqlite_value(".converge/dev.db", "select max(version) from schema_migrations"), "20260102000000");
  EXPECT_EQ(sqlite_value(".converge/manifest.db", kLastDirty), "1");
  EXPECT_EQ(sqlite_value(".converge/manifest.db", "select git_sha from deployments order by id desc limit 1"), sha_);
}

TEST_F(WorkTree, PlanOnlyWarnsOfUncommittedFilesAndAppliesNothing) {
  dir_.write("db/migrations/20260102000000_posts.sql", kPosts);
  TempDir runner_temp;
  auto r = run_step("converge", {"plan", "--env", "dev"}, dir_.path(),
                    {{"GITHUB_ACTIONS", "true"}, {"RUNNER_TEMP", runner_temp.path().string()}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace converge::testing
