// converge init --apply-settings against the local GitHub API server (which answers
// the environments, deployment branch policy and branch protection routes as GitHub
// does, 403 for a token without admin rights): what it sets, that a second run
// changes nothing and duplicates nothing, that it keeps what the repository has,
// that --dry-run changes nothing, and the one-line refusals.
#include <gtest/gtest.h>

#include "converge/github/api.hpp"
#include "steps/github_fixture.hpp"

namespace converge::testing {
namespace {

using nlohmann::json;

const std::string kAdminToken = "ghp_admin-ann-000000000000000000000";
const std::string kWriterToken = "ghp_writer-wes-00000000000000000000";

class InitSettings : public GitHubFlowTest {
 protected:
  void SetUp() override {
    GitHubFlowTest::SetUp();
    github_.add_token(kAdminToken, "ann");
    github_.add_token(kWriterToken, "wes");
    github_.seed({{"collaborators", {{"ann", "admin"}, {"wes", "write"}}},
                  {"branches", {{"main", sha_}, {"develop", sha_}}}});
  }
  RunResult init(const std::string& token, const std::vector<std::string>& more = {}) {
    std::vector<std::string> args{"init", "--apply-settings"};
    args.insert(args.end(), more.begin(), more.end());
    return step(args, "workflow_dispatch", runner_.workflow_dispatch_event("refs/heads/main"), sha_,
                {{"GITHUB_TOKEN", token}});
  }
  // The requests that changed something (PUT, POST, PATCH, DELETE) to the API.
  int writes() {
    int n = 0;
    for (const auto& r : github_.requests())
      if (r["method"] != "GET" && !r["path"].get<std::string>().starts_with("/_control")) ++n;
    return n;
  }
  std::unique_ptr<http::Transport> transport_ = http::make_curl_transport(std::chrono::seconds(5));
  http::Client client_{*transport_};
};

TEST_F(InitSettings, SetsEnvironmentsBranchPoliciesAndProtectionThenChangesNothingOnASecondRun) {
  auto r = init(kAdminToken);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("changed: branch main: protection (required check converge/plan (prod), branches up to date "
                       "before merging, a pull request with 1 approval(s), stale approvals dismissed, approval of the "
                       "last push, for administrators too)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("changed: environment prod: deployment branch main allowed"), std::string::npos) << r.out;
  EXPECT_NE((r.out + r.err).find("environment prod has no required reviewers"), std::string::npos) << r.out << r.err;
  const auto state = github_.state();
  for (const auto* env : {"dev", "dev-plan", "stage", "stage-plan", "prod", "prod-plan"})
    EXPECT_TRUE(state["environments"].contains(env)) << env;
  EXPECT_EQ(state["environments"]["prod"]["branch_policies"], json::parse(R"([{"id":)" +
            std::to_string(state["environments"]["prod"]["branch_policies"][0]["id"].get<std::int64_t>()) +
            R"(,"node_id":)" + state["environments"]["prod"]["branch_policies"][0]["node_id"].dump() +
            R"(,"name":"main","type":"branch"}])"));
  EXPECT_EQ(state["environments"]["dev"]["branch_policies"][0]["name"], "dev/**");
  EXPECT_TRUE(state["environments"]["prod-plan"]["deployment_branch_policy"].is_null()) << "plans run on refs/pull";
  const auto& main = state["protections"]["main"];
  EXPECT_EQ(main["required_status_checks"]["contexts"], json({"converge/plan (prod)"}));
  EXPECT_TRUE(main["required_status_checks"]["strict"].get<bool>());
  EXPECT_EQ(main["required_pull_request_reviews"]["required_approving_review_count"], 1);
  EXPECT_TRUE(main["required_pull_request_reviews"]["require_last_push_approval"].get<bool>());
  EXPECT_TRUE(main["enforce_admins"]["enabled"].get<bool>());
  EXPECT_EQ(state["protections"]["develop"]["required_status_checks"]["contexts"], json({"converge/plan (stage)"}));
  EXPECT_FALSE(state["protections"].contains("dev/**")) << "a wildcard branch takes no pull requests";

  github_.clear_requests();
  auto again = init(kAdminToken);
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("all in place, nothing changed"), std::string::npos) << again.out;
  EXPECT_EQ(writes(), 0) << github_.requests().dump(1);
  EXPECT_EQ(github_.state()["environments"]["prod"]["branch_policies"].size(), 1u) << "no duplicate policy";
}

TEST_F(InitSettings, KeepsTheChecksAndApprovalsTheRepositoryAlreadyRequires) {
  github::Api ann(client_, github_.url(), kAdminToken, github_.repository());
  ASSERT_TRUE(ann.put_branch_protection("main", {{"required_status_checks", {{"strict", true}, {"contexts", {"ci/build"}}}},
                                                 {"enforce_admins", true},
                                                 {"required_pull_request_reviews",
                                                  {{"required_approving_review_count", 2},
                                                   {"dismiss_stale_reviews", true},
                                                   {"require_last_push_approval", true}}},
                                                 {"restrictions", nullptr}})
                  .has_value());
  auto r = init(kAdminToken);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("changed: branch main: protection (required check converge/plan (prod))"), std::string::npos)
      << r.out;
  const auto main = github_.state()["protections"]["main"];
  EXPECT_EQ(main["required_status_checks"]["contexts"], json({"ci/build", "converge/plan (prod)"}));
  EXPECT_EQ(main["required_pull_request_reviews"]["required_approving_review_count"], 2) << "never fewer approvals";
}

TEST_F(InitSettings, DryRunSaysWhatWouldChangeAndChangesNothing) {
  auto r = init(kAdminToken, {"--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("would change: environment prod: created"), std::string::npos) << r.out;
  EXPECT_EQ(writes(), 0);
  EXPECT_TRUE(github_.state()["environments"].empty());
}

TEST_F(InitSettings, ATokenWithoutAdminRightsIsRefusedInOneLineAndNothingChanges) {
  auto r = init(github_.token());  // Actions' GITHUB_TOKEN: an integration
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("403 Resource not accessible by integration — --apply-settings needs a token (GITHUB_TOKEN) "
                       "of a repository admin"),
            std::string::npos)
      << r.err;
  r = init(kWriterToken);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("PUT /repos/" + github_.repository() + "/environments/dev: 403 Must have admin rights to "
                       "Repository."),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(github_.state()["environments"].empty());
  EXPECT_TRUE(github_.state()["protections"].empty());
  EXPECT_FALSE(token_leaked());
}

TEST_F(InitSettings, WithoutATokenOrWithABadRepositoryItIsAUsageError) {
  auto r = init("");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--apply-settings needs a token of a repository admin in GITHUB_TOKEN"), std::string::npos) << r.err;
  r = init(kAdminToken, {"--repository", "not a repo"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--repository"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace converge::testing
