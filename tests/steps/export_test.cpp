// export-to-pr end to end: a UI edit made directly on a real REST server
// (json-server) shows up as drift, and export-to-pr turns it into one commit on
// converge's branch, pushed to a real git server (lighttpd + git http-backend), and
// ONE pull request whose diff is exactly that edit.
#include <gtest/gtest.h>

#include "github/server/actions_runner.hpp"
#include "providers/assets/json_server.hpp"
#include "support/git_repo.hpp"
#include "support/git_server.hpp"
#include "support/temp_dir.hpp"

namespace converge::testing {
namespace {

// Sources written as export writes them (sorted keys, quoted templated values), so
// an export of an unchanged runtime changes nothing.
constexpr std::string_view kWarehouse =
    "database_name: warehouse\nsqlalchemy_uri: \"postgresql://reader@{{ db_host }}/sales\"\nuuid: d1\n";
constexpr std::string_view kOrders = "database_uuid: d1\ntable_name: orders\nuuid: s1\n";
constexpr std::string_view kRevenue =
    "dataset_uuid: s1\nparams:\n  metric: sum__amount\nslice_name: Revenue\nuuid: c1\nviz_type: big_number\n";

class ExportToPr : public ::testing::Test {
 protected:
  void SetUp() override {
    bi_ = std::make_unique<JsonServer>(JsonServer::empty_bi());
    dir_.write("converge.yaml", "environments:\n  - {name: dev, branch: \"dev/**\"}\ntargets:\n  - name: bi\n"
                                "    provider: assets\n    settings:\n      url: " + bi_->url() + "\n");
    dir_.write("env/dev.yaml", "db_host: warehouse-dev.internal\n");
    dir_.write("assets/databases/warehouse.yaml.j2", kWarehouse);
    dir_.write("assets/datasets/orders.yaml", kOrders);
    dir_.write("assets/charts/revenue.yaml", kRevenue);
    dir_.write(".gitignore", ".converge/\nevent.json\noutput.txt\nsummary.md\n");
    repo_ = std::make_unique<GitRepo>(dir_.path(), "main");
    base_ = repo_->commit_all("BI assets");
    git_.create_bare("consumer");
    repo_->set_remote("origin", git_.url("consumer"));
    auto applied = runner_.run({"apply", "--env", "dev"}, "push", runner_.push_event("dev/bi", base_), base_);
    ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  }

  // The recorded payload's repository has default branch "master"; this one's is main.
  RunResult export_to_pr() {
    auto event = runner_.workflow_dispatch_event("refs/heads/main");
    event["repository"]["default_branch"] = "main";
    return runner_.run({"export-to-pr", "--env", "dev", "--target", "bi"}, "workflow_dispatch", event, base_);
  }
  std::string branch_head() { return read_ref(git_.repo_path("consumer"), "refs/heads/converge/export/dev"); }

  TempDir dir_;
  GitHubServer github_;
  GitServer git_{github_.token()};
  std::unique_ptr<JsonServer> bi_;
  std::unique_ptr<GitRepo> repo_;
  std::string base_;
  ActionsRunner runner_{dir_.path(), github_};
};

TEST_F(ExportToPr, AnUnchangedRuntimeExportsNothing) {
  auto r = export_to_pr();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Nothing to export"), std::string::npos) << r.out;
  EXPECT_NE(runner_.file("output.txt").find("changed<<"), std::string::npos);
  EXPECT_EQ(branch_head(), "") << "no branch pushed";
  EXPECT_TRUE(github_.state()["pulls"].empty()) << "no pull request";
}

TEST_F(ExportToPr, AUiEditBecomesOnePullRequestWhoseDiffIsExactlyThatEdit) {
  ASSERT_EQ(bi_->send("PATCH", "/charts/c1", {{"slice_name", "Revenue (EUR)"}}), 200);
  auto drift = runner_.run({"drift-verify", "--env", "dev"}, "schedule", nlohmann::json::object(), base_);
  EXPECT_EQ(drift.exit_code, 1);
  EXPECT_NE(drift.out.find("Revenue (EUR)"), std::string::npos) << drift.out;

  auto r = export_to_pr();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto bare = git_.repo_path("consumer");
  const auto commit = branch_head();
  ASSERT_FALSE(commit.empty());
  EXPECT_EQ(commit_parents(bare, commit), std::vector<std::string>{base_}) << "one commit on top of the base";
  EXPECT_EQ(file_at(bare, commit, "assets/charts/revenue.yaml"),
            "dataset_uuid: s1\nparams:\n  metric: sum__amount\nslice_name: Revenue (EUR)\nuuid: c1\nviz_type: big_number\n");
  EXPECT_EQ(file_at(bare, commit, "assets/datasets/orders.yaml"), kOrders);
  EXPECT_EQ(file_at(bare, commit, "assets/databases/warehouse.yaml.j2"), kWarehouse)
      << "environment values go back to {{ variables }}";
  auto pulls = github_.state()["pulls"];
  ASSERT_EQ(pulls.size(), 1u);
  EXPECT_EQ(pulls[0]["head"]["ref"], "converge/export/dev");
  EXPECT_EQ(pulls[0]["base"]["ref"], "main");
  EXPECT_EQ(pulls[0]["state"], "open");
  EXPECT_NE(runner_.file("output.txt").find(pulls[0]["html_url"].get<std::string>()), std::string::npos);

  // Another edit: the same branch is rebuilt from the base and the same PR updated.
  ASSERT_EQ(bi_->send("PATCH", "/charts/c1", {{"viz_type", "big_number_total"}}), 200);
  ASSERT_EQ(export_to_pr().exit_code, 0);
  EXPECT_EQ(commit_parents(bare, branch_head()), std::vector<std::string>{base_});
  EXPECT_NE(file_at(bare, branch_head(), "assets/charts/revenue.yaml").find("viz_type: big_number_total"),
            std::string::npos);
  EXPECT_EQ(github_.state()["pulls"].size(), 1u) << "never two export PRs for one environment";
  EXPECT_FALSE(runner_.token_leaked());
  EXPECT_EQ(runner_.transcript().find(git_.url("consumer").substr(0, 7) + "x-access-token"), std::string::npos);
}

// Regression: an apply with nothing to change recorded no managed keys, so the
// next plan forgot which items converge created and never deleted them.
TEST_F(ExportToPr, AnItemRemovedFromGitIsDeletedEvenAfterADeployThatChangedNothing) {
  ASSERT_EQ(runner_.same_job({"record-manifest", "--env", "dev"}, "push", {}, base_).exit_code, 0);
  auto again = runner_.run({"apply", "--env", "dev"}, "push", runner_.push_event("dev/bi", base_), base_);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("Nothing to apply"), std::string::npos) << again.out;
  ASSERT_EQ(runner_.same_job({"record-manifest", "--env", "dev"}, "push", {}, base_).exit_code, 0);

  std::filesystem::remove(dir_ / "assets/charts/revenue.yaml");
  auto plan = runner_.run({"plan", "--env", "dev"}, "push", runner_.push_event("main", base_), base_);
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("0 to create, 0 to update, 1 to delete"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("charts/c1"), std::string::npos) << plan.out;
}

}  // namespace
}  // namespace converge::testing
