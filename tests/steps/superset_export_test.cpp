// SPDX-License-Identifier: MIT
// The Superset runtime through the steps (issue #14): apply deploys the real example
// export into the local Superset API; a UI edit by Bob shows in drift-verify and its
// drift issue naming him; export-to-pr turns it into one commit, pushed to a real git
// server, whose diff is exactly that edit and whose message credits him with a
// Co-authored-by trailer that no name can forge; the login's password and the
// database's (one with a '/') never show in any output.
#include <gtest/gtest.h>

#include <sstream>

#include "github/server/actions_runner.hpp"
#include "providers/assets/assets_test_support.hpp"
#include "providers/superset/server/superset_server.hpp"
#include "support/git_repo.hpp"
#include "support/git_server.hpp"
#include "support/temp_dir.hpp"

namespace converge::testing {
namespace {

constexpr const char* kLoginPassword = "alice-pw";
constexpr const char* kDbPassword = "Sup3r/set-pw";
constexpr const char* kChartFile = "assets/charts/Games_per_Genre.yaml";

class SupersetSteps : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("converge.yaml", "environments:\n  - {name: dev, branch: \"dev/**\"}\ntargets:\n  - name: bi\n"
                                "    provider: assets\n    settings:\n      runtime: superset\n      url: " +
                                    superset_.url() +
                                    "\n      username: alice\n      password: ${SUPERSET_PASSWORD}\n"
                                    "      passwords:\n        examples: ${EXAMPLES_DB_PASSWORD}\n");
    providers::assets::testing::copy_superset_export(dir_.path());
    providers::assets::testing::stub_held_out_charts(dir_);
    dir_.write(".gitignore", ".converge/\nevent.json\noutput.txt\nsummary.md\n");
    repo_ = std::make_unique<GitRepo>(dir_.path(), "main");
    base_ = repo_->commit_all("Superset assets");
    git_.create_bare("consumer");
    repo_->set_remote("origin", git_.url("consumer"));
    auto applied = run({"apply", "--env", "dev"}, "push", runner_.push_event("dev/bi", base_));
    ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  }

  RunResult run(const std::vector<std::string>& args, const std::string& event_name, const nlohmann::json& event) {
    auto r = runner_.run(args, event_name, event, base_,
                         {{"SUPERSET_PASSWORD", kLoginPassword}, {"EXAMPLES_DB_PASSWORD", kDbPassword}});
    // The runner learns what to hide from ::add-mask:: lines, the only ones that carry it.
    for (const std::string* text : {&r.out, &r.err}) {
      std::string shown;
      std::istringstream lines(*text);
      for (std::string line; std::getline(lines, line);)
        if (!line.starts_with("::add-mask::")) shown += line + "\n";
      for (const char* secret : {kLoginPassword, kDbPassword})
        EXPECT_EQ(shown.find(secret), std::string::npos) << shown;
    }
    return r;
  }

  TempDir dir_;
  SupersetServer superset_;
  GitHubServer github_;
  GitServer git_{github_.token()};
  std::unique_ptr<GitRepo> repo_;
  std::string base_;
  ActionsRunner runner_{dir_.path(), github_};
};

TEST_F(SupersetSteps, AUiEditIsDriftNamingItsAuthorAndAnExportPullRequestCreditingThem) {
  const std::string uuid = providers::assets::testing::kChartUuid;
  superset_.ui_edit("chart", uuid, {{"slice_name", "Games per Genre (treemap)"}}, "bob");
  auto drift = run({"drift-verify", "--env", "dev", "--issue"}, "schedule", {{"schedule", "0 1 * * *"}});
  EXPECT_EQ(drift.exit_code, 1) << drift.out << drift.err;
  EXPECT_NE(drift.out.find("Games per Genre (treemap)"), std::string::npos) << drift.out;
  EXPECT_NE(drift.out.find("changed by Bob Builder"), std::string::npos) << drift.out;
  // The drift issue names him too.
  auto issues = github_.state()["issues"];
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0]["body"].get<std::string>().find("changed by Bob Builder"), std::string::npos) << issues[0]["body"];

  auto event = runner_.workflow_dispatch_event("refs/heads/main");
  event["repository"]["default_branch"] = "main";
  auto r = run({"export-to-pr", "--env", "dev", "--target", "bi"}, "workflow_dispatch", event);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto bare = git_.repo_path("consumer");
  const auto commit = read_ref(bare, "refs/heads/converge/export/dev");
  ASSERT_FALSE(commit.empty());
  std::string expected = slurp(dir_.path() / kChartFile);
  expected.replace(expected.find("slice_name: Games per Genre\n"), 28, "slice_name: Games per Genre (treemap)\n");
  EXPECT_EQ(file_at(bare, commit, kChartFile), expected) << "the diff is exactly the edit";
  EXPECT_EQ(file_at(bare, commit, "assets/dashboards/Video_Game_Sales.yaml"),
            slurp(dir_.path() / "assets/dashboards/Video_Game_Sales.yaml"));
  const std::string message = commit_message(bare, commit);
  EXPECT_NE(message.find("changed charts/" + uuid + " (Games per Genre (treemap)), changed by Bob Builder"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("\nCo-authored-by: Bob Builder <bob@example.com>"), std::string::npos) << message;
  EXPECT_EQ(github_.state()["pulls"].size(), 1u);
  // The database's password reached Superset through the import's passwords field.
  EXPECT_EQ(superset_.asset("database", providers::assets::testing::kDatabaseUuid)["password"], kDbPassword);
  EXPECT_EQ(message.find(kDbPassword), std::string::npos);
}

TEST_F(SupersetSteps, ANameWithALineBreakCannotForgeATrailerInTheExportCommit) {
  superset_.add_user("eve", "Eve\nCo-authored-by: Mallory", "<mallory@example.com>", "eve@example.com");
  superset_.ui_edit("chart", providers::assets::testing::kChartUuid, {{"slice_name", "Games (edited)"}}, "eve");
  auto event = runner_.workflow_dispatch_event("refs/heads/main");
  event["repository"]["default_branch"] = "main";
  auto r = run({"export-to-pr", "--env", "dev", "--target", "bi"}, "workflow_dispatch", event);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto bare = git_.repo_path("consumer");
  const std::string message = commit_message(bare, read_ref(bare, "refs/heads/converge/export/dev"));
  EXPECT_EQ(message.find("\nCo-authored-by: Mallory"), std::string::npos) << message;
  EXPECT_NE(message.find("\nCo-authored-by: Eve Co-authored-by: Mallory <mallory@example.com> <eve@example.com>"),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace converge::testing
