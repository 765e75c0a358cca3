// SPDX-License-Identifier: MIT
// github::Api against the local GitHub server on loopback: headers, pagination,
// parsing of every response shape, writes, and errors that name the request and
// never carry the token. The server's shapes are checked against recorded real
// GitHub responses at the end.
// Designated initializers name only the fields a test cares about; g++ 12 warns about
// the rest even though they have default member initializers.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "converge/github/api.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "converge/version.hpp"
#include "github/server/github_server.hpp"

namespace converge::github {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using testing::Fault;
using testing::FaultKind;
using testing::GitHubServer;

const std::string kSha1 = "1111111111111111111111111111111111111111";
const std::string kSha2 = "2222222222222222222222222222222222222222";
const std::string kMerge = "3333333333333333333333333333333333333333";

class GitHubApi : public ::testing::Test {
 protected:
  explicit GitHubApi(GitHubServer::Options options = {}) : server_(std::move(options)) {}

  Api api(std::string token) { return Api(client_, server_.url(), std::move(token), server_.repository()); }
  Api api() { return api(server_.token()); }

  // Every error message a test saw, checked for the token at the end of each test.
  template <class T>
  Error error_of(const Expected<T>& result) {
    EXPECT_FALSE(result.has_value());
    if (result.has_value()) return Error{};
    errors_.push_back(result.error().message);
    return result.error();
  }
  void TearDown() override {
    for (const auto& message : errors_) {
      EXPECT_EQ(message.find(server_.token()), std::string::npos) << "token leaked into: " << message;
    }
  }

  // A GET with the server's token, without Api: {status, JSON body}.
  std::pair<long, json> raw_get(const std::string& path) {
    auto r = transport_->send(http::Request{.url = server_.url() + path,
                                            .headers = {{"Authorization", "Bearer " + server_.token()}}});
    EXPECT_TRUE(r.has_value());
    return {r ? r->status : 0, r ? json::parse(r->body, nullptr, false) : json()};
  }

  GitHubServer server_;
  std::unique_ptr<http::Transport> transport_ = http::make_curl_transport(milliseconds(5000));
  http::Client client_{*transport_, {.max_attempts = 3, .base_delay = milliseconds(1)}, [](milliseconds) {}};
  std::vector<std::string> errors_;
};

TEST_F(GitHubApi, SendsGitHubHeadersOnEveryRequest) {
  server_.seed({{"pulls", {{{"number", 4}}}}});
  auto a = api();
  ASSERT_TRUE(a.pull_request(4).has_value());
  ASSERT_TRUE(a.create_comment(4, "hi").has_value());
  auto log = server_.requests();
  ASSERT_EQ(log.size(), 2u);
  for (const auto& r : log) {
    EXPECT_EQ(r["headers"]["authorization"], "<redacted>");  // present (the server checked it)
    EXPECT_EQ(r["headers"]["accept"], "application/vnd.github+json");
    EXPECT_EQ(r["headers"]["x-github-api-version"], "2022-11-28");
    EXPECT_EQ(r["headers"]["user-agent"], std::string("converge/") + kVersion);
    EXPECT_EQ(r["status"].get<int>() / 100, 2);
  }
  EXPECT_FALSE(log[0]["headers"].contains("content-type"));
  EXPECT_EQ(log[1]["headers"]["content-type"], "application/json");
  EXPECT_EQ(json::parse(log[1]["body"].get<std::string>()), (json{{"body", "hi"}}));
}

TEST_F(GitHubApi, ReadsEveryPageOfMoreThanAHundredComments) {
  json comments = json::array();
  for (int i = 0; i < 250; ++i) comments.push_back({{"issue", 9}, {"body", "comment " + std::to_string(i)}});
  server_.seed({{"issues", {{{"number", 9}, {"title", "t"}}}}, {"comments", comments}});
  auto result = api().issue_comments(9);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  ASSERT_EQ(result->size(), 250u);
  for (int i = 0; i < 250; ++i) EXPECT_EQ((*result)[i].body, "comment " + std::to_string(i));
  EXPECT_LT((*result)[0].id, (*result)[249].id);
  auto log = server_.requests();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0]["path"], "/repos/octo-org/octo-repo/issues/9/comments?per_page=100");
  EXPECT_NE(log[2]["path"].get<std::string>().find("page=3"), std::string::npos);
}

TEST_F(GitHubApi, ParsesAPullRequest) {
  server_.seed({{"pulls",
                 {{{"number", 12},
                   {"user", "alice"},
                   {"head", {{"ref", "feature/x"}, {"sha", kSha1}}},
                   {"base", {{"ref", "develop"}}},
                   {"merged", true},
                   {"merge_commit_sha", kMerge}}}}});
  auto pr = api().pull_request(12);
  ASSERT_TRUE(pr.has_value()) << pr.error().message;
  EXPECT_EQ(pr->number, 12);
  EXPECT_EQ(pr->state, "closed");
  EXPECT_TRUE(pr->merged);
  EXPECT_EQ(pr->head_sha, kSha1);
  EXPECT_EQ(pr->head_ref, "feature/x");
  EXPECT_EQ(pr->base_ref, "develop");
  EXPECT_EQ(pr->merge_commit_sha, kMerge);
  EXPECT_EQ(pr->author.login, "alice");
  EXPECT_FALSE(pr->author.bot);
  EXPECT_EQ(pr->html_url, "https://github.com/octo-org/octo-repo/pull/12");
}

TEST_F(GitHubApi, FindsThePullRequestsOfACommitAndSeesTheyWereMerged) {
  server_.seed({{"pulls",
                 {{{"number", 3}, {"head", {{"ref", "a"}, {"sha", kSha1}}}, {"merged", true}, {"merge_commit_sha", kMerge}},
                  {{"number", 4}, {"head", {{"ref", "b"}, {"sha", kSha2}}}}}}});
  auto pulls = api().pulls_for_commit(kMerge);
  ASSERT_TRUE(pulls.has_value()) << pulls.error().message;
  ASSERT_EQ(pulls->size(), 1u);
  EXPECT_EQ((*pulls)[0].number, 3);
  EXPECT_TRUE((*pulls)[0].merged);  // list items carry merged_at only
  auto open = api().pulls_for_commit(kSha2);
  ASSERT_TRUE(open.has_value());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_FALSE((*open)[0].merged);
  EXPECT_EQ((*open)[0].state, "open");
  EXPECT_TRUE(api().pulls_for_commit(std::string(40, 'f'))->empty());
}

TEST_F(GitHubApi, ParsesReviewsWithTheirCommitAndWhetherTheReviewerIsABot) {
  server_.seed({{"users", {{{"login", "deploy-app"}, {"type", "Bot"}}}},
                {"pulls",
                 {{{"number", 6},
                   {"user", "alice"},
                   {"head", {{"ref", "f"}, {"sha", kSha2}}},
                   {"reviews",
                    {{{"user", "bob"}, {"state", "APPROVED"}, {"commit_id", kSha1}},
                     {{"user", "renovate[bot]"}, {"state", "COMMENTED"}},
                     {{"user", "deploy-app"}, {"state", "CHANGES_REQUESTED"}}}}}}}});
  auto reviews = api().reviews(6);
  ASSERT_TRUE(reviews.has_value()) << reviews.error().message;
  ASSERT_EQ(reviews->size(), 3u);
  EXPECT_EQ((*reviews)[0].user.login, "bob");
  EXPECT_FALSE((*reviews)[0].user.bot);
  EXPECT_EQ((*reviews)[0].state, "APPROVED");
  EXPECT_EQ((*reviews)[0].commit_id, kSha1);
  EXPECT_FALSE((*reviews)[0].submitted_at.empty());
  EXPECT_GT((*reviews)[0].id, 0);
  EXPECT_TRUE((*reviews)[1].user.bot);  // login ends in [bot]
  EXPECT_EQ((*reviews)[1].commit_id, kSha2);
  EXPECT_TRUE((*reviews)[2].user.bot);  // type Bot
  EXPECT_EQ((*reviews)[2].state, "CHANGES_REQUESTED");
}

TEST_F(GitHubApi, ParsesPullCommitsWhoseAuthorsMayBeUnknownToGitHub) {
  server_.seed({{"pulls",
                 {{{"number", 8},
                   {"commits",
                    {{{"sha", kSha1}, {"author", "alice"}, {"committer", "web-flow"}},
                     {{"sha", kSha2}, {"author", nullptr}, {"committer", nullptr}}}}}}}});
  auto commits = api().pull_commits(8);
  ASSERT_TRUE(commits.has_value()) << commits.error().message;
  ASSERT_EQ(commits->size(), 2u);
  EXPECT_EQ((*commits)[0].sha, kSha1);
  EXPECT_EQ((*commits)[0].author_login, "alice");
  EXPECT_EQ((*commits)[0].committer_login, "web-flow");
  EXPECT_EQ((*commits)[1].sha, kSha2);
  EXPECT_EQ((*commits)[1].author_login, "");
  EXPECT_EQ((*commits)[1].committer_login, "");
}

TEST_F(GitHubApi, CreatesThenUpdatesOneComment) {
  server_.seed({{"pulls", {{{"number", 2}}}}, {"comments", {{{"issue", 2}, {"body", "human"}, {"user", "carol"}}}}});
  auto a = api();
  auto created = a.create_comment(2, "<!-- converge:plan:stage -->\nplan v1");
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->user.login, "github-actions[bot]");
  EXPECT_TRUE(created->user.bot);
  EXPECT_EQ(created->html_url,
            "https://github.com/octo-org/octo-repo/pull/2#issuecomment-" + std::to_string(created->id));
  auto updated = a.update_comment(created->id, "<!-- converge:plan:stage -->\nplan v2");
  ASSERT_TRUE(updated.has_value()) << updated.error().message;
  EXPECT_EQ(updated->id, created->id);
  EXPECT_EQ(updated->body, "<!-- converge:plan:stage -->\nplan v2");

  auto listed = a.issue_comments(2);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].user.login, "carol");
  EXPECT_EQ((*listed)[1].body, "<!-- converge:plan:stage -->\nplan v2");
  EXPECT_EQ(server_.comments(2).size(), 2u);
}

TEST_F(GitHubApi, ACommentCreateIsNotRetriedAfterADroppedResponseSoNothingIsDuplicated) {
  server_.seed({{"pulls", {{{"number", 2}}}}});
  server_.inject({.method = "POST", .path = "/issues/2/comments$", .kind = FaultKind::drop_after_write});
  auto a = api();
  auto error = error_of(a.create_comment(2, "sticky"));
  EXPECT_TRUE(error.message.starts_with("POST /repos/octo-org/octo-repo/issues/2/comments: ")) << error.message;
  auto seen = a.issue_comments(2);  // what a caller does before creating again
  ASSERT_TRUE(seen.has_value());
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_EQ((*seen)[0].body, "sticky");
}

TEST_F(GitHubApi, ListsOnlyOpenIssuesWithTheLabelAndNotPullRequests) {
  server_.seed({{"issues",
                 {{{"number", 20}, {"title", "Drift in prod"}, {"body", "diff"}, {"labels", {"drift", "prod"}}},
                  {{"number", 21}, {"title", "closed drift"}, {"state", "closed"}, {"labels", {"drift"}}},
                  {{"number", 22}, {"title", "other"}, {"labels", {"bug"}}}}},
                {"pulls", {{{"number", 23}, {"labels", {"drift"}}}}}});
  auto issues = api().open_issues_with_label("drift");
  ASSERT_TRUE(issues.has_value()) << issues.error().message;
  ASSERT_EQ(issues->size(), 1u);
  EXPECT_EQ((*issues)[0].number, 20);
  EXPECT_EQ((*issues)[0].title, "Drift in prod");
  EXPECT_EQ((*issues)[0].body, "diff");
  EXPECT_EQ((*issues)[0].state, "open");
  EXPECT_EQ((*issues)[0].html_url, "https://github.com/octo-org/octo-repo/issues/20");
  EXPECT_EQ(server_.requests()[0]["path"], "/repos/octo-org/octo-repo/issues?state=open&labels=drift&per_page=100");
}

TEST_F(GitHubApi, CreatesAndClosesAnIssue) {
  auto a = api();
  auto created = a.create_issue("Drift in prod", "body text", {"converge-drift", "prod"});
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->title, "Drift in prod");
  EXPECT_EQ(created->state, "open");
  auto found = a.open_issues_with_label("converge-drift");
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 1u);
  auto closed = a.update_issue(created->number, {{"state", "closed"}, {"body", "resolved"}});
  ASSERT_TRUE(closed.has_value()) << closed.error().message;
  EXPECT_EQ(closed->state, "closed");
  EXPECT_EQ(closed->body, "resolved");
  EXPECT_TRUE(a.open_issues_with_label("converge-drift")->empty());
}

TEST_F(GitHubApi, OpensFindsAndUpdatesAPullRequestFromABranch) {
  auto a = api();
  EXPECT_TRUE(a.open_pulls_from("converge/export-prod")->empty());
  auto created = a.create_pull("Export prod", "converge/export-prod", "develop", "runtime edits");
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->head_ref, "converge/export-prod");
  EXPECT_EQ(created->base_ref, "develop");
  EXPECT_EQ(created->state, "open");
  EXPECT_FALSE(created->merged);

  auto found = a.open_pulls_from("converge/export-prod");
  ASSERT_TRUE(found.has_value()) << found.error().message;
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].number, created->number);
  EXPECT_NE(server_.requests().back()["path"].get<std::string>().find("head=octo-org%3Aconverge%2Fexport-prod"),
            std::string::npos);

  auto updated = a.update_pull(created->number, {{"title", "Export prod (2)"}});
  ASSERT_TRUE(updated.has_value()) << updated.error().message;
  EXPECT_EQ(updated->number, created->number);

  auto again = error_of(a.create_pull("Export prod", "converge/export-prod", "develop", ""));
  EXPECT_EQ(again.message,
            "POST /repos/octo-org/octo-repo/pulls: 422 Validation Failed (A pull request already exists for "
            "octo-org:converge/export-prod.)");
}

TEST_F(GitHubApi, RecordsADeploymentAndItsStatus) {
  auto a = api();
  auto id = a.create_deployment(kSha1, "prod", "converge apply", {{"plan_hash", "abc"}});
  ASSERT_TRUE(id.has_value()) << id.error().message;
  auto status = a.create_deployment_status(*id, "success", "https://github.com/octo-org/octo-repo/actions/runs/1", "prod");
  ASSERT_TRUE(status.has_value()) << status.error().message;
  auto state = server_.state();
  ASSERT_EQ(state["deployments"].size(), 1u);
  const auto& d = state["deployments"][0];
  EXPECT_EQ(d["id"], *id);
  EXPECT_EQ(d["ref"], kSha1);
  EXPECT_EQ(d["environment"], "prod");
  EXPECT_EQ(d["description"], "converge apply");
  EXPECT_EQ(d["payload"], (json{{"plan_hash", "abc"}}));
  EXPECT_EQ(d["auto_merge"], false);
  EXPECT_EQ(d["required_contexts"], json::array());
  const auto& s = state["statuses"][std::to_string(*id)];
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0]["state"], "success");
  EXPECT_EQ(s[0]["log_url"], "https://github.com/octo-org/octo-repo/actions/runs/1");
  EXPECT_EQ(s[0]["environment"], "prod");
}

TEST_F(GitHubApi, ErrorsNameTheRequestAndNeverContainTheToken) {
  auto a = api();
  EXPECT_EQ(error_of(a.pull_request(999)).message, "GET /repos/octo-org/octo-repo/pulls/999: 404 Not Found");
  EXPECT_EQ(error_of(a.reviews(999)).message, "GET /repos/octo-org/octo-repo/pulls/999/reviews: 404 Not Found");
  EXPECT_EQ(error_of(a.update_comment(424242, "x")).message,
            "PATCH /repos/octo-org/octo-repo/issues/comments/424242: 404 Not Found");

  auto wrong = api(server_.token() + "-wrong");
  auto unauthorised = error_of(wrong.issue_comments(1));
  EXPECT_EQ(unauthorised.message, "GET /repos/octo-org/octo-repo/issues/1/comments: 401 Bad credentials");
  EXPECT_EQ(unauthorised.message.find(server_.token() + "-wrong"), std::string::npos);

  server_.seed({{"pulls", {{{"number", 1}}}}});
  server_.inject({.path = "/pulls/1$", .kind = FaultKind::server_error, .count = -1, .status = 502});
  EXPECT_EQ(error_of(a.pull_request(1)).message,
            "GET /repos/octo-org/octo-repo/pulls/1: 502 Server Error (after 3 attempts)");

  Api unreachable(client_, "http://127.0.0.1:1", server_.token(), server_.repository());
  auto network = error_of(unreachable.issue_comments(5));
  EXPECT_TRUE(network.message.starts_with("GET /repos/octo-org/octo-repo/issues/5/comments: ")) << network.message;
  EXPECT_TRUE(network.message.ends_with("(after 3 attempts)")) << network.message;
  EXPECT_EQ(network.code, ExitCode::failure);
}

TEST_F(GitHubApi, TheIdentityOfAUserTokenIsItsUserAskedOnce) {
  server_.add_token("ghp_alice-token", "alice");
  auto a = api("ghp_alice-token");
  EXPECT_EQ(a.identity().value_or(""), "alice");
  EXPECT_EQ(a.identity().value_or(""), "alice");
  int asked = 0;
  for (const auto& r : server_.requests()) asked += r["path"] == "/user";
  EXPECT_EQ(asked, 1) << "cached for the run";
}

TEST_F(GitHubApi, TheIdentityOfAnIntegrationTokenIsTheConfiguredLoginAfterGitHubs403) {
  auto a = api();  // the server's token is github-actions[bot]'s, an integration
  EXPECT_EQ(a.identity().value_or(""), "github-actions[bot]");
  auto app = api();
  app.set_integration_login("deploy-app[bot]");
  EXPECT_EQ(app.identity().value_or(""), "deploy-app[bot]");
  auto user = raw_get("/user");
  EXPECT_EQ(user.first, 403);
  EXPECT_EQ(user.second["message"], "Resource not accessible by integration");
  EXPECT_EQ(user.second["documentation_url"], "https://docs.github.com/rest/users/users#get-the-authenticated-user");
  auto wrong = api(server_.token() + "-wrong");
  EXPECT_EQ(error_of(wrong.identity()).message, "GET /user: 401 Bad credentials");
}

TEST_F(GitHubApi, WritesAreAuthoredByTheUserOfTheTokenThatMadeThem) {
  server_.seed({{"pulls", {{{"number", 3}}}}});
  server_.add_token("ghp_mallory", "mallory");
  ASSERT_TRUE(api("ghp_mallory").create_comment(3, "hi").has_value());
  ASSERT_TRUE(api().create_comment(3, "bot").has_value());
  auto comments = api().issue_comments(3);
  ASSERT_TRUE(comments.has_value());
  ASSERT_EQ(comments->size(), 2u);
  EXPECT_EQ((*comments)[0].user.login, "mallory");
  EXPECT_EQ((*comments)[1].user.login, "github-actions[bot]");
  EXPECT_TRUE((*comments)[1].user.bot);
}

TEST_F(GitHubApi, CreatesCommitStatusesAndListsThemNewestFirstWithTheirCreator) {
  server_.add_token("ghp_mallory", "mallory");
  auto mine = api().create_commit_status(kSha1, "success", "converge/plan (prod)", "plan abc",
                                         "https://github.com/o/r/actions/runs/1");
  ASSERT_TRUE(mine.has_value()) << mine.error().message;
  EXPECT_EQ(mine->creator.login, "github-actions[bot]");
  EXPECT_EQ(mine->target_url, "https://github.com/o/r/actions/runs/1");
  ASSERT_TRUE(api("ghp_mallory").create_commit_status(kSha1, "success", "converge/plan (prod)", "plan def", "")
                  .has_value());
  auto list = api().commit_statuses(kSha1);
  ASSERT_TRUE(list.has_value()) << list.error().message;
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].creator.login, "mallory");
  EXPECT_EQ((*list)[0].description, "plan def");
  EXPECT_EQ((*list)[0].target_url, "");
  EXPECT_EQ((*list)[1].creator.login, "github-actions[bot]");
  EXPECT_EQ((*list)[1].context, "converge/plan (prod)");
  EXPECT_EQ((*list)[1].state, "success");
  EXPECT_TRUE(api().commit_statuses(kSha2).value().empty());
  EXPECT_EQ(error_of(api().create_commit_status(kSha1, "success", "c", std::string(141, 'x'), "")).message,
            "POST /repos/octo-org/octo-repo/statuses/" + kSha1 +
                ": 422 Validation Failed (description is too long (maximum is 140 characters))");
  EXPECT_EQ(error_of(api().create_commit_status(kSha1, "done", "c", "d", "")).message,
            "POST /repos/octo-org/octo-repo/statuses/" + kSha1 +
                ": 422 Validation Failed (state is not included in the list)");
}

TEST_F(GitHubApi, ReadsAWorkflowRunAndTheReviewsOfItsDeployments) {
  server_.seed({{"runs", {{{"id", 77}, {"actor", "dave"}, {"triggering_actor", "erin"}, {"event", "workflow_dispatch"},
                           {"head_sha", kSha1}, {"run_attempt", 2},
                           {"approvals", {{{"user", "carol"}, {"state", "approved"}, {"environments", {"prod"}},
                                           {"comment", "ship it"}}}}}}}});
  server_.seed({{"run_approvals", {{"77", {{{"user", "bob"}, {"state", "rejected"}, {"environments", {"prod", "stage"}}}}}}}});
  auto run = api().workflow_run(77);
  ASSERT_TRUE(run.has_value()) << run.error().message;
  EXPECT_EQ(run->id, 77);
  EXPECT_EQ(run->actor.login, "dave");
  EXPECT_EQ(run->triggering_actor.login, "erin");
  EXPECT_EQ(run->event, "workflow_dispatch");
  EXPECT_EQ(run->head_sha, kSha1);
  EXPECT_EQ(run->run_attempt, 2);
  auto approvals = api().deployment_approvals(77);
  ASSERT_TRUE(approvals.has_value()) << approvals.error().message;
  ASSERT_EQ(approvals->size(), 2u);
  EXPECT_EQ((*approvals)[0].user.login, "carol");
  EXPECT_EQ((*approvals)[0].state, "approved");
  EXPECT_EQ((*approvals)[0].environments, std::vector<std::string>{"prod"});
  EXPECT_EQ((*approvals)[0].comment, "ship it");
  EXPECT_EQ((*approvals)[1].state, "rejected");
  EXPECT_EQ((*approvals)[1].environments, (std::vector<std::string>{"prod", "stage"}));
  EXPECT_EQ(error_of(api().workflow_run(78)).message, "GET /repos/octo-org/octo-repo/actions/runs/78: 404 Not Found");
}

TEST_F(GitHubApi, ReadsTheRulesOfABranchEvenWithSlashesInItsName) {
  server_.seed({{"rules", {{"release/v1", {{{"type", "pull_request"},
                                            {"parameters", {{"require_last_push_approval", true},
                                                            {"required_approving_review_count", 1}}}},
                                           {{"type", "deletion"}}}}}}});
  auto rules = api().branch_rules("release/v1");
  ASSERT_TRUE(rules.has_value()) << rules.error().message;
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ((*rules)[0].type, "pull_request");
  EXPECT_EQ((*rules)[0].parameters["require_last_push_approval"], true);
  EXPECT_EQ((*rules)[0].ruleset_source, "octo-org/octo-repo");
  EXPECT_TRUE((*rules)[1].parameters.is_object());
  EXPECT_TRUE(api().branch_rules("main").value().empty()) << "no ruleset: no rules";
}

TEST_F(GitHubApi, LikeGitHubAPullRequestListsAtMost250CommitsButCountsThemAll) {
  json commits = json::array();
  for (int i = 0; i < 260; ++i) {
    char sha[41];
    std::snprintf(sha, sizeof sha, "%040x", i + 1);
    commits.push_back({{"sha", sha}, {"author", "alice"}});
  }
  server_.seed({{"pulls", {{{"number", 9}, {"commits", commits}}}}});
  auto pr = api().pull_request(9);
  ASSERT_TRUE(pr.has_value());
  EXPECT_EQ(pr->commits, 260);
  auto listed = api().pull_commits(9);
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->size(), 250u);
}

class GitHubApiWithoutToken : public GitHubApi {
 protected:
  GitHubApiWithoutToken() : GitHubApi(GitHubServer::Options{.token = ""}) {}
};

TEST_F(GitHubApiWithoutToken, OmitsTheAuthorizationHeaderWhenThereIsNoToken) {
  server_.seed({{"pulls", {{{"number", 1}}}}});
  ASSERT_TRUE(api("").pull_request(1).has_value());
  EXPECT_FALSE(server_.requests()[0]["headers"].contains("authorization"));
}

// ---- the server's shapes against recorded real GitHub responses ----------------

json recorded(const std::string& relative) {
  std::ifstream in(std::string(CONVERGE_SHARED_TESTDATA) + "/github-api/hub4j-github-api/" + relative);
  if (!in) throw std::runtime_error("missing recording " + relative);
  return json::parse(in);
}

// Every key of `real` (recursively, first element of arrays) exists in `ours`.
void expect_same_keys(const json& real, const json& ours, const std::string& where) {
  if (real.is_object()) {
    ASSERT_TRUE(ours.is_object()) << where << " is not an object";
    for (const auto& [key, value] : real.items()) {
      if (!ours.contains(key)) {
        ADD_FAILURE() << where << "." << key << " is missing";
        continue;
      }
      if (!value.is_null() && !ours[key].is_null()) expect_same_keys(value, ours[key], where + "." + key);
    }
  } else if (real.is_array() && !real.empty() && ours.is_array() && !ours.empty()) {
    expect_same_keys(real[0], ours[0], where + "[0]");
  }
}

TEST_F(GitHubApi, ServerResponsesHaveTheShapesOfRecordedGitHubResponses) {
  server_.seed({{"pulls",
                 {{{"number", 6},
                   {"head", {{"ref", "f"}, {"sha", kSha1}}},
                   {"reviews", {{{"user", "bob"}, {"state", "APPROVED"}}}}}}},
                {"comments", {{{"issue", 6}, {"body", "x"}}}}});
  http::Client raw(*transport_);
  auto get = [&](const std::string& path) {
    auto r = raw.send(http::Request{.url = server_.url() + path,
                                    .headers = {{"Authorization", "Bearer " + server_.token()}}});
    EXPECT_TRUE(r.has_value());
    return json::parse(r->body);
  };
  expect_same_keys(recorded("GHPullRequestTest/createPullRequest/__files/4-r_h_g_pulls.json"),
                   get("/repos/octo-org/octo-repo/pulls/6"), "pull");
  expect_same_keys(recorded("CommitTest/listPullRequests/__files/4-r_h_l_commits_6b9956fe_pulls.json"),
                   get("/repos/octo-org/octo-repo/commits/" + kSha1 + "/pulls"), "commit pulls");
  expect_same_keys(recorded("GHPullRequestTest/checkPullRequestReviewer/__files/5-r_h_g_pulls_6_reviews.json"),
                   get("/repos/octo-org/octo-repo/pulls/6/reviews"), "reviews");
  expect_same_keys(recorded("GHIssueTest/issueComment/__files/8-r_h_g_issues_15_comments.json"),
                   get("/repos/octo-org/octo-repo/issues/6/comments"), "comments");
}

// The endpoints without a recording: against the example responses of GitHub's
// OpenAPI description (tests/github/server/openapi_examples.json says which).
TEST_F(GitHubApi, NewerEndpointsAnswerWithTheShapesOfGitHubsDocumentedExamples) {
  std::ifstream in(std::string(CONVERGE_SOURCE_DIR) + "/tests/github/server/openapi_examples.json");
  const json documented = json::parse(in);
  server_.add_token("ghp_alice-token", "alice");
  server_.seed({{"runs", {{{"id", 30433642}, {"actor", "octocat"},
                           {"approvals", {{{"user", "carol"}, {"state", "approved"}, {"environments", {"staging"}}}}}}}},
                {"rules", {{"main", {{{"type", "commit_message_pattern"},
                                      {"parameters", {{"operator", "starts_with"}, {"pattern", "issue"}}}}}}}}});
  auto created = api().create_commit_status(kSha1, "success", "ci", "d", "https://ci.example.com/1");
  ASSERT_TRUE(created.has_value());
  http::Client raw(*transport_);
  auto get = [&](const std::string& path, const std::string& token) {
    auto r = raw.send(http::Request{.url = server_.url() + path, .headers = {{"Authorization", "Bearer " + token}}});
    EXPECT_TRUE(r.has_value());
    return json::parse(r->body);
  };
  expect_same_keys(documented["GET /user"], get("/user", "ghp_alice-token"), "user");
  expect_same_keys(documented["GET /repos/{owner}/{repo}/commits/{ref}/statuses"],
                   get("/repos/octo-org/octo-repo/commits/" + kSha1 + "/statuses", server_.token()), "statuses");
  expect_same_keys(documented["POST /repos/{owner}/{repo}/statuses/{sha}"],
                   get("/repos/octo-org/octo-repo/commits/" + kSha1 + "/statuses", server_.token())[0], "status");
  expect_same_keys(documented["GET /repos/{owner}/{repo}/actions/runs/{run_id}"],
                   get("/repos/octo-org/octo-repo/actions/runs/30433642", server_.token()), "run");
  expect_same_keys(documented["GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals"],
                   get("/repos/octo-org/octo-repo/actions/runs/30433642/approvals", server_.token()), "approvals");
  expect_same_keys(documented["GET /repos/{owner}/{repo}/rules/branches/{branch}"],
                   get("/repos/octo-org/octo-repo/rules/branches/main", server_.token()), "rules");
}


// ---- answers converge cannot trust: wrong types, endless paging, huge bodies ----

json simple_pull(int number) {
  return {{"number", number}, {"head", {{"ref", "f"}, {"sha", kSha1}}}, {"base", {{"ref", "main"}}}};
}

TEST_F(GitHubApi, AFieldOfTheWrongTypeNamesTheRequestAndTheField) {
  server_.seed({{"pulls", {simple_pull(5)}}});
  server_.inject({.path = "/pulls/5$", .kind = FaultKind::alter, .set = {{"number", "5"}}});
  auto e = error_of(api().pull_request(5));
  EXPECT_EQ(e.code, ExitCode::failure);
  EXPECT_EQ(e.message, "GET /repos/octo-org/octo-repo/pulls/5: number: expected an integer, got \"5\"");

  server_.inject({.path = "/pulls/5$", .kind = FaultKind::alter, .set = {{"number", 5.7}}});
  EXPECT_EQ(error_of(api().pull_request(5)).message,
            "GET /repos/octo-org/octo-repo/pulls/5: number: expected an integer, got 5.7")
      << "never truncated to 5";
  server_.inject({.path = "/pulls/5$", .kind = FaultKind::alter, .set = {{"head", {{"sha", 40}}}}});
  EXPECT_EQ(error_of(api().pull_request(5)).message,
            "GET /repos/octo-org/octo-repo/pulls/5: head.sha: expected a string, got 40");
  server_.inject({.path = "/pulls/5$", .kind = FaultKind::alter, .set = {{"user", {{"login", nullptr}}}}});
  EXPECT_EQ(error_of(api().pull_request(5)).message, "GET /repos/octo-org/octo-repo/pulls/5: user.login: missing");
  server_.inject({.path = "/pulls/5$", .kind = FaultKind::alter, .set = {{"merged", "yes"}}});
  EXPECT_EQ(error_of(api().pull_request(5)).message,
            "GET /repos/octo-org/octo-repo/pulls/5: merged: expected true or false, got \"yes\"");
  EXPECT_TRUE(api().pull_request(5).has_value()) << "the real answer reads";
}

TEST_F(GitHubApi, AListItemOfTheWrongTypeIsNamedByItsPosition) {
  json pull = simple_pull(6);
  pull["reviews"] = {{{"user", "bob"}, {"state", "APPROVED"}}};
  server_.seed({{"pulls", {pull}}});
  server_.inject({.path = "/reviews$", .kind = FaultKind::alter, .set = {{"user", {{"login", 7}}}}});
  EXPECT_EQ(error_of(api().reviews(6)).message,
            "GET /repos/octo-org/octo-repo/pulls/6/reviews: [0].user.login: expected a string, got 7");
  server_.inject({.path = "/reviews$", .kind = FaultKind::alter, .set = {{"id", "12"}}});
  EXPECT_EQ(error_of(api().reviews(6)).message,
            "GET /repos/octo-org/octo-repo/pulls/6/reviews: [0].id: expected an integer, got \"12\"");
  ASSERT_TRUE(api().create_comment(6, "hi").has_value());
  server_.inject({.method = "GET", .path = "/comments$", .kind = FaultKind::alter, .set = {{"body", {{"a", 1}}}}});
  EXPECT_EQ(error_of(api().issue_comments(6)).message,
            "GET /repos/octo-org/octo-repo/issues/6/comments: [0].body: expected a string, got {\"a\":1}");
  server_.inject({.method = "POST", .path = "/comments$", .kind = FaultKind::alter, .set = {{"id", nullptr}}});
  EXPECT_EQ(error_of(api().create_comment(6, "again")).message,
            "POST /repos/octo-org/octo-repo/issues/6/comments: id: missing");
  server_.inject({.path = "^/user$", .kind = FaultKind::alter, .set = {{"login", false}}});
  server_.add_token("ghp_alice-token", "alice");
  EXPECT_EQ(error_of(api("ghp_alice-token").identity()).message, "GET /user: login: expected a string, got false");
}

TEST_F(GitHubApi, AnEndlessNextLinkStopsAtThePageLimitNamingTheRequest) {
  server_.seed({{"pulls", {simple_pull(7)}}});
  server_.inject({.path = "/reviews$", .kind = FaultKind::endless_pages, .count = -1});
  auto a = api();
  a.set_max_pages(25);
  auto e = error_of(a.reviews(7));
  EXPECT_EQ(e.code, ExitCode::failure);
  EXPECT_EQ(e.message, "GET /repos/octo-org/octo-repo/pulls/7/reviews: the list has more than 25 pages; stopped "
                       "(the server's paging does not end)");
  EXPECT_EQ(server_.requests().size(), 25u);
}

TEST_F(GitHubApi, ANextLinkBackToAnEarlierPageStopsAtOnce) {
  server_.seed({{"pulls", {simple_pull(8)}}});
  server_.inject({.path = "/commits$", .kind = FaultKind::looping_pages, .count = -1});
  auto e = error_of(api().pull_commits(8));
  EXPECT_NE(e.message.find("GET /repos/octo-org/octo-repo/pulls/8/commits: the server's next page after page 2 is "
                           "one it sent before; stopped (its paging loops)"),
            std::string::npos)
      << e.message;
  EXPECT_EQ(server_.requests().size(), 2u);
}

TEST_F(GitHubApi, AHugeBodyIsCutOffAtTheTransportsLimitNamingTheRequest) {
  auto small = http::make_curl_transport(milliseconds(5000), 64 * 1024);
  http::Client client(*small, {.max_attempts = 1}, [](milliseconds) {});
  Api a(client, server_.url(), server_.token(), server_.repository());
  server_.seed({{"issues", {{{"number", 9}, {"title", "t"}}}}});
  for (bool chunked : {false, true}) {
    server_.inject({.path = "/comments$", .kind = FaultKind::huge_body, .bytes = 10 << 20, .chunked = chunked});
    auto e = error_of(a.issue_comments(9));
    EXPECT_EQ(e.message, "GET /repos/octo-org/octo-repo/issues/9/comments: the response body is larger than the "
                         "limit of 65536 bytes; stopped reading it (after 1 attempt)")
        << (chunked ? "chunked" : "with Content-Length");
  }
  EXPECT_TRUE(a.issue_comments(9).has_value()) << "a normal answer still fits";
}

}  // namespace
}  // namespace converge::github
