// record-manifest and describe end to end: rows, idempotency, history, JSON.
#include <nlohmann/json.hpp>

#include "steps/repo_fixture.hpp"

namespace converge::testing {
namespace {

using Record = RepoTest;

TEST_F(Record, RecordsTheApplyAndDescribeAnswersWhatRuns) {
  repo_->tag_lightweight("v1.0.0");
  ASSERT_EQ(converge({"apply", "--env", "dev"}).exit_code, 0);
  auto rec = converge({"record-manifest", "--env", "dev"}, {{"GITHUB_ACTOR", "alice"}});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  EXPECT_NE(rec.out.find("Recorded 1 deployment"), std::string::npos) << rec.out;

  auto d = converge({"describe", "--env", "dev", "--json"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  auto rows = nlohmann::json::parse(d.out)["environments"]["dev"];
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["git_sha"], sha_);
  EXPECT_EQ(rows[0]["git_tags"], nlohmann::json::array({"v1.0.0"}));
  EXPECT_EQ(rows[0]["git_ref"], "refs/heads/dev/feature");
  EXPECT_EQ(rows[0]["target"], "app-db");
  EXPECT_EQ(rows[0]["status"], "success");
  EXPECT_EQ(rows[0]["migration_version"], "20260101000000");
  EXPECT_EQ(rows[0]["deployed_by"], "alice");
  EXPECT_EQ(rows[0]["bundle_hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(rows[0]["plan_hash"].get<std::string>().size(), 64u);

  auto text = converge({"describe"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("dev is running:"), std::string::npos);
  EXPECT_NE(text.out.find("app-db  success  " + sha_.substr(0, 12) + " (v1.0.0)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("prod is running:\n  nothing recorded yet"), std::string::npos) << text.out;
}

TEST_F(Record, ARetriedRecordWritesNothingTwice) {
  ASSERT_EQ(converge({"apply", "--env", "dev"}).exit_code, 0);
  std::map<std::string, std::string> runner = {{"GITHUB_RUN_ID", "777"}, {"GITHUB_RUN_ATTEMPT", "1"}};
  ASSERT_EQ(converge({"record-manifest", "--env", "dev"}, runner).exit_code, 0);
  auto retry = converge({"record-manifest", "--env", "dev"}, runner);
  EXPECT_EQ(retry.exit_code, 0);
  EXPECT_NE(retry.out.find("Already recorded"), std::string::npos) << retry.out;
  EXPECT_EQ(sqlite_value(".converge/manifest.db", "select count(*) from deployments"), "1");
}

TEST_F(Record, ALocalRetryOfTheSameApplyIsAlsoRecordedOnce) {
  ASSERT_EQ(converge({"apply", "--env", "dev"}).exit_code, 0);
  ASSERT_EQ(converge({"record-manifest", "--env", "dev"}).exit_code, 0);
  ASSERT_EQ(converge({"record-manifest", "--env", "dev"}).exit_code, 0);
  EXPECT_EQ(sqlite_value(".converge/manifest.db", "select count(*) from deployments"), "1");
}

TEST_F(Record, AFailedApplyIsRecordedAndTheLastSuccessStillRuns) {
  ASSERT_EQ(converge({"apply", "--env", "dev"}).exit_code, 0);
  ASSERT_EQ(converge({"record-manifest", "--env", "dev"}).exit_code, 0);
  dir_.write("db/migrations/20260102000000_broken.sql", "-- migrate:up\nthis is not sql;\n-- migrate:down\n");
  ASSERT_EQ(converge({"apply", "--env", "dev"}).exit_code, 3);
  ASSERT_EQ(converge({"record-manifest", "--env", "dev"}).exit_code, 0);

  auto history = nlohmann::json::parse(converge({"describe", "--env", "dev", "--history", "5", "--json"}).out)["environments"]["dev"];
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0]["status"], "failure");
  EXPECT_EQ(history[1]["status"], "success");
  auto now = nlohmann::json::parse(converge({"describe", "--env", "dev", "--json"}).out)["environments"]["dev"];
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0]["status"], "success");
}

TEST_F(Record, RecordWithoutAnApplyIsAUsageError) {
  auto r = converge({"record-manifest", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("run `converge apply --env dev` first"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace converge::testing
