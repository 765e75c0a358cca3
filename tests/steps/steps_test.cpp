// The step executables end to end on a real SQLite target: plan, apply, gates,
// plan pinning, configuration errors, exit codes.
#include "steps/repo_fixture.hpp"

#include <filesystem>
#include <sstream>

#include "support/postgres.hpp"

namespace converge::testing {
namespace {

using Steps = RepoTest;

TEST_F(Steps, PlanShowsPendingMigrationsAndChangesNothing) {
  auto r = converge({"plan", "--env", "dev", "--out", "plan.json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 to create"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("create table users"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "plan.json"));
  EXPECT_EQ(sqlite_value(".converge/dev.db", "select count(*) from sqlite_master where name = 'users'"), "")
      << "plan must not create the database's objects";
}

TEST_F(Steps, ApplyAppliesAndASecondApplyIsANoOp) {
  auto first = converge({"apply", "--env", "dev"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(sqlite_value(".converge/dev.db", "select max(version) from schema_migrations"), "20260101000000");
  auto second = converge({"apply", "--env", "dev"});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("Nothing to apply"), std::string::npos) << second.out;
  EXPECT_EQ(sqlite_value(".converge/dev.db", "select count(*) from schema_migrations"), "1");
}

TEST_F(Steps, ConfigErrorNamesFileLineAndTouchesNothing) {
  dir_.write("converge.yaml", std::string(kSqliteConfig) + "    bogus: 1\n");
  auto r = converge({"apply", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("converge.yaml:11:5: unknown key 'bogus' in a target"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".converge/dev.db"));
}

TEST_F(Steps, ConfigErrorInARunnerIsAnAnnotation) {
  dir_.write("converge.yaml", std::string(kSqliteConfig) + "    bogus: 1\n");
  auto r = run_step("converge", {"plan", "--env", "dev"}, dir_.path(), {{"GITHUB_ACTIONS", "true"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("::error file=converge.yaml,line=11,col=5::unknown key 'bogus'"), std::string::npos) << r.out;
}

TEST_F(Steps, UnknownEnvironmentAndMissingFlagAreUsageErrors) {
  EXPECT_EQ(converge({"plan", "--env", "qa"}).exit_code, 2);
  auto r = converge({"plan"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--env is required"), std::string::npos) << r.err;
  EXPECT_EQ(converge({"plan", "--env", "dev", "--no-such-flag"}).exit_code, 2);
  EXPECT_EQ(converge({"frobnicate"}).exit_code, 2);
}

TEST_F(Steps, UnknownProviderIsAConfigErrorAtItsLine) {
  dir_.write("converge.yaml", "environments:\n  - {name: dev, branch: dev}\ntargets:\n  - {name: x, provider: nosql}\n");
  auto r = converge({"plan", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("converge.yaml:4:25: unknown provider 'nosql' (known: assets, fabric, sql, terraform)"), std::string::npos) << r.err;
}

TEST_F(Steps, ApplyRefusesWhenPlanChangedSinceReview) {
  ASSERT_EQ(converge({"plan", "--env", "dev", "--out", "reviewed.json"}).exit_code, 0);
  dir_.write("db/migrations/20260102000000_posts.sql", kPosts);
  auto r = converge({"apply", "--env", "dev", "--plan", "reviewed.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the plan changed since it was reviewed"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("+ create migration db/migrations/20260102000000_posts.sql"), std::string::npos) << r.out;
  EXPECT_EQ(sqlite_value(".converge/dev.db", "select count(*) from schema_migrations"), "")
      << "nothing may be applied";
}

TEST_F(Steps, ApplyAcceptsTheReviewedPlan) {
  ASSERT_EQ(converge({"plan", "--env", "dev", "--out", "reviewed.json"}).exit_code, 0);
  auto r = converge({"apply", "--env", "dev", "--plan", "reviewed.json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("the plan equals the reviewed plan"), std::string::npos);
}

TEST_F(Steps, ApplyRefusesADamagedPlanFile) {
  dir_.write("reviewed.json", "{\"format\": 1, \"environment\": ");
  auto r = converge({"apply", "--env", "dev", "--plan", "reviewed.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("reviewed.json"), std::string::npos);
}

TEST_F(Steps, GatedEnvironmentIsRefusedWithoutApprovals) {
  auto r = converge({"apply", "--env", "prod"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("requires 1 approval"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".converge/prod.db"));
}

TEST_F(Steps, FailingMigrationExitsThreeAndKeepsThePreviousVersion) {
  ASSERT_EQ(converge({"apply", "--env", "dev"}).exit_code, 0);
  dir_.write("db/migrations/20260102000000_broken.sql",
             "-- migrate:up\ncreate table half (id int);\ninsert into no_such_table values (1);\n"
             "-- migrate:down\ndrop table half;\n");
  auto r = converge({"apply", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("20260102000000_broken"), std::string::npos) << r.err;
  EXPECT_EQ(sqlite_value(".converge/dev.db", "select max(version) from schema_migrations"), "20260101000000");
  EXPECT_EQ(sqlite_value(".converge/dev.db", "select count(*) from sqlite_master where name = 'half'"), "0");
}

TEST_F(Steps, PromotionRefusesABundleTheEarlierEnvironmentDoesNotRun) {
  dir_.write("converge.yaml",
             "environments:\n  - {name: stage, branch: develop}\n  - {name: prod, branch: main, promote_from: stage}\n"
             "targets:\n  - name: app-db\n    provider: sql\n    settings:\n"
             "      url: sqlite:///.converge/${CONVERGE_ENV}.db\n");
  EXPECT_EQ(converge({"apply", "--env", "prod"}).exit_code, 1) << "stage never ran anything";
  ASSERT_EQ(converge({"apply", "--env", "stage"}).exit_code, 0);
  ASSERT_EQ(converge({"record-manifest", "--env", "stage"}).exit_code, 0);
  const auto stage_hash = sqlite_value(".converge/manifest.db", "select bundle_hash from deployments");
  ASSERT_EQ(stage_hash.size(), 64u);
  std::filesystem::remove(dir_ / "db/schema.sql");  // apply's rewrite; the next job checks out afresh

  dir_.write("db/migrations/20260102000000_posts.sql", kPosts);  // only in the commit going to prod
  auto refused = converge({"apply", "--env", "prod"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("promotion: target app-db would get bundle "), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("but stage runs " + stage_hash.substr(0, 12)), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".converge/prod.db"));

  std::filesystem::remove(dir_ / "db/migrations/20260102000000_posts.sql");
  auto promoted = converge({"apply", "--env", "prod"});
  EXPECT_EQ(promoted.exit_code, 0) << promoted.err;
  EXPECT_NE(promoted.out.find("promotion: every target's bundle equals what stage runs"), std::string::npos);
}

TEST_F(Steps, FrontDispatchesAndPrintsVersions) {
  auto r = converge({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("converge ", 0), 0u);
  auto step = run_step("converge-apply", {"--version"}, dir_.path());
  EXPECT_EQ(step.exit_code, 0);
  EXPECT_NE(step.out.find("converge-apply"), std::string::npos);
  auto help = converge({"apply", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--plan"), std::string::npos);
}

TEST_F(Steps, OneExecutableRunsEveryStepByTheNameItWasStartedAs) {
  const auto bin = step_path("converge-steps").parent_path();
  for (const char* step : {"plan", "apply", "render", "check-workflows"}) {
    const auto link = bin / ("converge-" + std::string(step));
    ASSERT_TRUE(std::filesystem::is_symlink(link)) << link;
    EXPECT_EQ(std::filesystem::read_symlink(link), "converge-steps");
    auto r = run_step("converge-" + std::string(step), {"--version"}, dir_.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("converge-" + std::string(step) + " ", 0), 0u) << r.out;
  }
  auto by_name = run_step("converge-steps", {"render", "--version"}, dir_.path());
  EXPECT_EQ(by_name.exit_code, 0) << by_name.err;
  EXPECT_EQ(by_name.out.rfind("converge-render ", 0), 0u) << by_name.out;
  for (const std::vector<std::string>& args : {std::vector<std::string>{}, {"bogus"}, {"--help"}}) {
    auto unknown = run_step("converge-steps", args, dir_.path());
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("run as converge-<step>, or converge-steps <step>; steps: plan plan-comment"),
              std::string::npos)
        << unknown.err;
  }
}

TEST_F(Steps, SecretsFromVariablesAreMaskedAndNeverPrinted) {
  CONVERGE_REQUIRE_POSTGRES();
  ScratchDatabase db;
  // The test server trusts loopback, so the password is accepted and ignored.
  std::string url = db.url();
  url.replace(url.find("converge@"), 9, "converge:hunter2-secret@");
  dir_.write("converge.yaml",
             "environments:\n  - {name: dev, branch: dev, secrets: [DATABASE_URL]}\ntargets:\n  - name: pg\n"
             "    provider: sql\n    settings:\n      url: ${DATABASE_URL}\n");
  repo_->commit_all("a PostgreSQL target");  // the trusted converge.yaml of the next commit
  dir_.write("db/migrations/20260102000000_broken.sql", "-- migrate:up\nselect * from missing_table;\n-- migrate:down\n");
  repo_->commit_all("broken migration");  // a runner applies only committed sources
  TempDir runner_temp;
  auto r = run_step("converge", {"apply", "--env", "dev"}, dir_.path(),
                    {{"GITHUB_ACTIONS", "true"}, {"RUNNER_TEMP", runner_temp.path().string()}, {"DATABASE_URL", url}});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  auto mask_line = "::add-mask::" + url + "\n";
  ASSERT_NE(r.out.find(mask_line), std::string::npos) << r.out;
  // The ::add-mask:: lines (the URL and its other forms: encoded, the password) carry it, as they must.
  std::string rest;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.starts_with("::add-mask::")) rest += line + "\n";
  EXPECT_EQ(rest.find("hunter2"), std::string::npos) << rest;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
  EXPECT_EQ(db.query_value("select max(version) from schema_migrations"), "20260101000000");
}

}  // namespace
}  // namespace converge::testing
