// Rollback under the gates (issue 8, item 11), across a real change: prod ran a
// chart titled "Revenue" (v1), then "Revenue (EUR)" (v2); the rollback workflow
// dispatches v1. With the real executables, a real json-server runtime (assets
// provider), a real git repository and the local GitHub API server (workflow runs
// and their deployment reviews). A rollback nobody else approved, one approved
// only by its dispatcher, and one to a commit prod never ran are refused and change
// nothing; a rollback approved by a second person puts v1 back and is recorded.
#include <gtest/gtest.h>

#include "github/server/actions_runner.hpp"
#include "providers/assets/json_server.hpp"
#include "support/git_repo.hpp"
#include "support/temp_dir.hpp"

namespace converge::testing {
namespace {

using nlohmann::json;

constexpr std::string_view kWarehouse = "database_name: warehouse\nsqlalchemy_uri: \"postgresql://reader@db/sales\"\nuuid: d1\n";
constexpr std::string_view kOrders = "database_uuid: d1\ntable_name: orders\nuuid: s1\n";

std::string chart(const std::string& title) {
  return "dataset_uuid: s1\nparams:\n  metric: sum__amount\nslice_name: " + title + "\nuuid: c1\nviz_type: big_number\n";
}

class Rollback : public ::testing::Test {
 protected:
  void SetUp() override {
    bi_ = std::make_unique<JsonServer>(JsonServer::empty_bi());
    dir_.write("converge.yaml", "environments:\n  - {name: dev, branch: \"dev/**\"}\n  - name: prod\n"
                                "    branch: main\n    gates: {approvals: 1}\ntargets:\n  - name: bi\n"
                                "    provider: assets\n    settings:\n      url: " + bi_->url() + "\n");
    dir_.write("assets/databases/warehouse.yaml", kWarehouse);
    dir_.write("assets/datasets/orders.yaml", kOrders);
    dir_.write("assets/charts/revenue.yaml", chart("Revenue"));
    dir_.write(".gitignore", ".converge/\nevent.json\noutput.txt\nsummary.md\n");
    repo_ = std::make_unique<GitRepo>(dir_.path(), "main");
    v1_ = repo_->commit_all("Revenue chart");
    deploy(1, v1_);
    repo_->tag_lightweight("v1");
    dir_.write("assets/charts/revenue.yaml", chart("Revenue (EUR)"));
    v2_ = repo_->commit_all("Revenue in EUR");
    deploy(2, v2_);
    ASSERT_EQ(title(), "Revenue (EUR)") << bi_->database().dump();
  }

  // An honest deploy of `sha` to prod: PR `number` by alice, approved by bob, merged.
  void deploy(int number, const std::string& sha) {
    github_.seed({{"pulls",
                   {{{"number", number}, {"user", "alice"}, {"merged", true}, {"merge_commit_sha", sha},
                     {"head", {{"ref", "feature-" + std::to_string(number)}, {"sha", sha}}}, {"base", {{"ref", "main"}}},
                     {"commits", {{{"sha", sha}, {"author", "alice"}, {"committer", "alice"}}}},
                     {"reviews", {{{"user", "bob"}, {"state", "APPROVED"}, {"commit_id", sha}}}}}}}});
    auto applied = runner_.run({"apply", "--env", "prod"}, "push", runner_.push_event("main", sha), sha);
    ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
    auto recorded = runner_.same_job({"record-manifest", "--env", "prod"}, "push", {}, sha);
    ASSERT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;
  }

  // The rollback workflow's apply in workflow run `run_id`, dispatched by alice,
  // whose deployment to the prod GitHub environment got `approvals`.
  RunResult rollback(const std::string& ref, std::int64_t run_id, const json& approvals) {
    github_.seed({{"runs", {{{"id", run_id}, {"actor", "alice"}, {"event", "workflow_dispatch"},
                             {"approvals", approvals}}}}});
    repo_->checkout(ref);
    repo_->reset_hard();
    return runner_.run({"apply", "--env", "prod", "--rollback", "--trusted-ref", "main"}, "workflow_dispatch",
                       runner_.workflow_dispatch_event("refs/heads/main"), repo_->head_sha(),
                       {{"GITHUB_RUN_ID", std::to_string(run_id)}, {"GITHUB_ACTOR", "alice"}});
  }
  static json approved_by(const std::string& login) {
    return json::array({{{"user", login}, {"state", "approved"}, {"environments", {"prod"}}}});
  }

  std::string title() const {
    const auto db = bi_->database();  // held: a range-for over a temporary's member would dangle
    for (const auto& c : db["charts"])
      if (c.value("uuid", "") == "c1") return c.value("slice_name", "");
    return "";
  }
  int manifest_rows() {
    auto r = runner_.run({"describe", "--env", "prod", "--history", "50"}, "workflow_dispatch", json::object(),
                         repo_->head_sha());
    int rows = 0;
    for (size_t at = r.out.find(" success "); at != std::string::npos; at = r.out.find(" success ", at + 1)) ++rows;
    return rows;
  }

  TempDir dir_;
  GitHubServer github_;
  std::unique_ptr<JsonServer> bi_;
  std::unique_ptr<GitRepo> repo_;
  std::string v1_, v2_;
  ActionsRunner runner_{dir_.path(), github_};
};

TEST_F(Rollback, WithoutASecondPersonsApprovalOfTheRunNothingIsRolledBack) {
  const int before = manifest_rows();
  auto r = rollback("v1", 9001, json::array());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("0 qualifying approvals, 1 required"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was applied"), std::string::npos) << r.err;
  EXPECT_EQ(title(), "Revenue (EUR)") << "the runtime was not touched";
  EXPECT_EQ(manifest_rows(), before);
  EXPECT_FALSE(runner_.token_leaked());
}

TEST_F(Rollback, TheDispatcherCannotApproveTheirOwnRollback) {
  auto r = rollback("v1", 9002, approved_by("alice"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("alice: dispatched the rollback, so cannot approve it"), std::string::npos) << r.err;
  EXPECT_EQ(title(), "Revenue (EUR)");
}

TEST_F(Rollback, AnApprovalForAnotherEnvironmentDoesNotCount) {
  auto r = rollback("v1", 9003, json::array({{{"user", "bob"}, {"state", "approved"}, {"environments", {"stage"}}}}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(title(), "Revenue (EUR)");
}

TEST_F(Rollback, ASecondPersonsApprovalRollsBackAcrossTheChangeAndItIsRecorded) {
  auto r = rollback("v1", 9004, approved_by("bob"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("rollback approval: passed (bob approved the deployment to prod)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rollback pinning: bi bundle"), std::string::npos) << r.out;
  EXPECT_EQ(title(), "Revenue") << "v1's chart is back";
  auto recorded = runner_.same_job({"record-manifest", "--env", "prod"}, "workflow_dispatch", {}, v1_,
                                   {{"GITHUB_RUN_ID", "9004"}, {"GITHUB_ACTOR", "alice"}});
  ASSERT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;
  auto now = runner_.run({"describe", "--env", "prod", "--json"}, "workflow_dispatch", json::object(), v1_);
  EXPECT_NE(now.out.find(v1_), std::string::npos) << now.out;
  auto rows = json::parse(now.out, nullptr, false);
  ASSERT_FALSE(rows.is_discarded()) << now.out;
  EXPECT_EQ(rows["environments"]["prod"][0]["approvers"], json::array({"bob"})) << now.out;
  EXPECT_EQ(now.out.find(v2_), std::string::npos) << "prod no longer runs v2";
}

TEST_F(Rollback, ACommitProdNeverRanCannotComeInAsARollback) {
  repo_->branch("evil");
  repo_->checkout("evil");
  dir_.write("assets/charts/revenue.yaml", chart("Pwned"));
  repo_->commit_all("never reviewed");
  repo_->checkout("main");
  auto r = rollback("evil", 9005, approved_by("bob"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("which prod never ran"), std::string::npos) << r.err;
  EXPECT_EQ(title(), "Revenue (EUR)");
}

TEST_F(Rollback, BreakGlassRollsBackWithoutApprovalAndIsRecorded) {
  repo_->checkout("v1");
  repo_->reset_hard();
  github_.seed({{"runs", {{{"id", 9006}, {"actor", "alice"}}}}});
  auto r = runner_.run({"apply", "--env", "prod", "--rollback", "--trusted-ref", "main", "--break-glass", "outage 42"},
                       "workflow_dispatch", runner_.workflow_dispatch_event("refs/heads/main"), v1_,
                       {{"GITHUB_RUN_ID", "9006"}, {"GITHUB_ACTOR", "alice"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("BREAK GLASS"), std::string::npos) << r.out;
  EXPECT_EQ(title(), "Revenue");
  auto recorded = runner_.same_job({"record-manifest", "--env", "prod"}, "workflow_dispatch", {}, v1_,
                                   {{"GITHUB_RUN_ID", "9006"}, {"GITHUB_ACTOR", "alice"}});
  ASSERT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;
  auto now = runner_.run({"describe", "--env", "prod", "--json"}, "workflow_dispatch", json::object(), v1_);
  EXPECT_NE(now.out.find("outage 42"), std::string::npos) << now.out;
}

}  // namespace
}  // namespace converge::testing
