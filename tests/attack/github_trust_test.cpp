// Attacker tests: what GitHub tells converge (issue 8, items 1, 6, 7 and 8). Each
// test plays someone who can write on the pull request — its author Mallory (who
// has write access, as PR authors in a company repository do), or a reviewer — and
// tries to get a change to prod past the gates with the real step executables, a
// real git repository, the local GitHub API server (acting as each person through
// their own token) and a real SQLite target. Each asserts that nothing was applied
// (the SQLite file still has the table the change would drop, and not the table it
// would create) and that the refusal says why. The honest path still applies.

#include <gtest/gtest.h>

#include "converge/github/api.hpp"
#include "converge/github/plan_comment.hpp"
#include "converge/plan/plan.hpp"
#include "attack/mallory_merge.hpp"

namespace converge::testing {
namespace {

using nlohmann::json;

const std::string& kHead = kMalloryHead;
const std::string kOther = "0123456789abcdef0123456789abcdef01234567";
const std::string kCarolToken = "ghp_carol-000000000000000000000000";
const std::string& kBot = kConvergeBot;

// prod (approvals 1, distinct_approver, plan_pinning) already holds a `customers`
// table; the merge commit on main adds a migration that drops it (and the pending
// `users` migration creates a table). Mallory opened PR #7 and it was merged.
class GitHubTrust : public MalloryMerge {
 protected:
  void SetUp() override {
    MalloryMerge::SetUp();
    github_.add_token(kCarolToken, "carol");
  }

  void approve(const std::string& login, const json& sha = kHead) {
    github_.seed({{"reviews", {{"7", {{{"user", login}, {"state", "APPROVED"}, {"commit_id", sha}}}}}}});
  }
  RunResult plan_comment(const std::map<std::string, std::string>& extra = {}) {
    return step({"plan-comment"}, "pull_request", pull_request_event(7, "main", kHead), merge_, extra);
  }
  RunResult apply(const std::map<std::string, std::string>& extra = {}) {
    return step({"apply", "--env", "prod"}, "push", push_event("main", merge_), merge_, extra);
  }

  // The whole honest story up to the apply: converge's comment and status, bob's approval.
  void reviewed() {
    seed_pull();
    auto planned = plan_comment();
    ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
    approve("bob");
  }

  // Nothing of the change reached prod: customers is still there, users never came.
  void expect_nothing_applied() {
    EXPECT_EQ(sqlite_value(".converge/prod.db", "select name from customers where id = 1"), "ada");
    EXPECT_EQ(sqlite_value(".converge/prod.db", "select count(*) from sqlite_master where name = 'users'"), "0");
    EXPECT_TRUE(github_.state()["deployments"].empty());
  }
  void expect_refused(const RunResult& r, const std::string& why) {
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nothing was applied"), std::string::npos) << r.err;
    expect_nothing_applied();
  }

  // Someone acting through the real API with their own token.
  github::Api as(const std::string& token) { return github::Api(client_, github_.url(), token, github_.repository()); }

  json comments_by(const std::string& login) {
    json out = json::array();
    for (const auto& c : github_.comments(7))
      if (c["user"]["login"] == login) out.push_back(c);
    return out;
  }
  // The plan made now (with the drop), as plan-comment would plan it for PR #7.
  plan::Plan plan_now() {
    auto r = step({"plan-comment", "--dry-run", "--out", "now.json"}, "pull_request",
                  pull_request_event(7, "main", kHead), merge_);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto p = plan::from_json(json::parse(file("now.json")), "now.json");
    EXPECT_TRUE(p.has_value());
    return p.value_or(plan::Plan{});
  }

  std::unique_ptr<http::Transport> transport_ = http::make_curl_transport(std::chrono::seconds(5));
  http::Client client_{*transport_};
};

// (a) The author posts a marker comment before converge does, saying "No changes".
TEST_F(GitHubTrust, APullRequestAuthorsMarkerCommentIsNeverAdoptedEditedOrDeleted) {
  seed_pull();
  const auto hash = plan::hash(plan_now());
  const std::string forged = "<!-- converge:plan v=1 env=prod sha=" + kHead + " plan=" + hash + " -->\nNo changes.\n";
  ASSERT_TRUE(as(kMalloryToken).create_comment(7, forged).has_value());
  // She also quotes a marker in a second comment (further down, as a quote).
  ASSERT_TRUE(as(kMalloryToken).create_comment(7, "> see\n" + forged).has_value());

  auto planned = plan_comment();
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  auto hers = comments_by("mallory");
  ASSERT_EQ(hers.size(), 2u) << "plan-comment deletes no one else's comment";
  EXPECT_EQ(hers[0]["body"], forged) << "and edits none";
  auto mine = comments_by(kBot);
  ASSERT_EQ(mine.size(), 1u) << "converge wrote its own comment instead of adopting hers";
  EXPECT_NE(mine[0]["body"].get<std::string>().find("20260109000000_drop_customers"), std::string::npos);

  // After bob's approval she deletes converge's comment: only hers is left.
  approve("bob");
  ASSERT_TRUE(as(kMalloryToken).delete_comment(mine[0]["id"].get<std::int64_t>()).has_value());
  expect_refused(apply(), "pull request #7 has no plan comment for prod written by github-actions[bot]");
  EXPECT_EQ(comments_by("mallory")[0]["body"], forged) << "apply marks nobody else's comment";
}

// (a) The author rewrites converge's own comment to "No changes" after the review.
TEST_F(GitHubTrust, ThePlanCommentRewrittenToNoChangesIsRefused) {
  reviewed();
  auto mine = comments_by(kBot);
  ASSERT_EQ(mine.size(), 1u);
  auto body = mine[0]["body"].get<std::string>();
  auto marker = body.substr(0, body.find('\n') + 1);  // marker, sha and hash stay right
  ASSERT_TRUE(as(kMalloryToken).update_comment(mine[0]["id"].get<std::int64_t>(), marker + "No changes.\n").has_value());
  expect_refused(apply(), "the plan comment on pull request #7 does not read as converge wrote it");
}

// (b) Someone else edits converge's comment so that the plan is hidden from reviewers.
TEST_F(GitHubTrust, ThePlanCommentEditedToHideThePlanIsRefused) {
  reviewed();
  auto mine = comments_by(kBot);
  ASSERT_EQ(mine.size(), 1u);
  auto body = mine[0]["body"].get<std::string>();
  auto second_line = body.find('\n') + 1;
  // An HTML comment opened on the status line hides everything below it.
  body.insert(second_line, "<!-- converge:status --> **ok** <!--\n");
  ASSERT_TRUE(as(kCarolToken).update_comment(mine[0]["id"].get<std::int64_t>(), body).has_value());
  expect_refused(apply(), "does not read as converge wrote it (it was edited)");
}

// (c) The plan changed after the review; the author makes converge's comment show the
// new plan exactly and forges converge's commit status with the new hash.
TEST_F(GitHubTrust, ACommitStatusForgedByAnotherUserIsIgnored) {
  seed_pull();
  // Reviewed without the drop: plan-comment ran before the migration reached the merge.
  std::filesystem::remove(dir_ / "db/migrations/20260109000000_drop_customers.sql");
  ASSERT_EQ(plan_comment().exit_code, 0);
  auto reviewed_status = github_.state()["commit_statuses"][kHead][0];
  ASSERT_EQ(reviewed_status["creator"]["login"], kBot);
  const auto reviewed_hash = reviewed_status["description"].get<std::string>().substr(5);
  approve("bob");
  dir_.write("db/migrations/20260109000000_drop_customers.sql",
             "-- migrate:up\ndrop table customers;\n-- migrate:down\n");

  auto now = plan_now();
  now.git_sha = kHead;
  const auto hash = plan::hash(now);
  ASSERT_NE(hash, reviewed_hash);
  auto mine = comments_by(kBot);
  ASSERT_EQ(mine.size(), 1u);
  const auto run_url = reviewed_status["target_url"].get<std::string>();
  ASSERT_TRUE(as(kMalloryToken).update_comment(mine[0]["id"].get<std::int64_t>(), github::comment_body(now, kHead, run_url)).has_value());
  auto forged = as(kMalloryToken).create_commit_status(kHead, "success", "converge/plan (prod)", "plan " + hash, run_url);
  ASSERT_TRUE(forged.has_value());
  ASSERT_EQ(github_.state()["commit_statuses"][kHead][0]["creator"]["login"], "mallory") << "hers is the newest";

  expect_refused(apply(), "converge's own \"converge/plan (prod)\" status on " + kHead.substr(0, 12) +
                              " records plan " + reviewed_hash.substr(0, 12));
}

// (c) A comment alone is never the root of trust: converge's status is missing and
// the only status of that context is the author's.
TEST_F(GitHubTrust, ACommentWithoutConvergesOwnStatusIsRefusedEvenWithAForgedOne) {
  seed_pull();
  auto now = plan_now();
  now.git_sha = kHead;
  const std::string run_url = "https://github.com/octo-org/octo-repo/actions/runs/999";
  json comment = {{"issue", 7}, {"body", github::comment_body(now, kHead, run_url)}, {"user", kBot}};
  github_.seed({{"comments", json::array({comment})}});
  ASSERT_TRUE(as(kMalloryToken)
                  .create_commit_status(kHead, "success", "converge/plan (prod)", "plan " + plan::hash(now), run_url)
                  .has_value());
  approve("bob");
  expect_refused(apply(), "has no \"converge/plan (prod)\" status written by github-actions[bot]");
}

// (d) The approver committed to the pull request under their own name.
TEST_F(GitHubTrust, AnApproverWhoAuthoredOrCommittedACommitIsNotCounted) {
  seed_pull({{"commits", {{{"sha", kOther}, {"author", "mallory"}, {"committer", "bob"}},
                          {{"sha", kHead}, {"author", "mallory"}, {"committer", "mallory"}}}}});
  ASSERT_EQ(plan_comment().exit_code, 0);
  approve("bob");
  expect_refused(apply(), "bob: authored or committed a commit of the pull request");
}

// (d) A commit whose author is no GitHub user: anybody could be behind it.
TEST_F(GitHubTrust, ACommitNotLinkedToAGitHubUserRefusesNamingTheCommit) {
  seed_pull({{"commits", {{{"sha", kOther}, {"author", nullptr}, {"committer", "mallory"}},
                          {{"sha", kHead}, {"author", "mallory"}, {"committer", "mallory"}}}}});
  ASSERT_EQ(plan_comment().exit_code, 0);
  approve("bob");
  expect_refused(apply(), "commit " + kOther.substr(0, 12) + " of pull request #7 has an author that is not linked");
}

// (d) Bob's commit hides past the 250 commits GitHub lists.
TEST_F(GitHubTrust, APullRequestOverGitHubsCommitListingCapRefuses) {
  json commits = json::array();
  for (int i = 0; i < 250; ++i) {
    char sha[41];
    std::snprintf(sha, sizeof sha, "%040x", i + 1);
    commits.push_back({{"sha", sha}, {"author", "mallory"}, {"committer", "mallory"}});
  }
  commits.push_back({{"sha", kHead}, {"author", "bob"}, {"committer", "bob"}});
  seed_pull({{"commits", commits}});
  ASSERT_EQ(plan_comment().exit_code, 0);
  approve("bob");
  expect_refused(apply(), "pull request #7 has 251 commits but GitHub lists only 250");
}

// (e) "" == "": a pull request without head.sha and an approval without commit_id.
TEST_F(GitHubTrust, APullRequestWithoutHeadShaRefusesNamingTheField) {
  seed_pull({{"head", {{"ref", "feature"}, {"sha", nullptr}}}});
  approve("bob", nullptr);
  expect_refused(apply(), "pull request #7 has no valid head.sha");
}

TEST_F(GitHubTrust, AnApprovalWithoutCommitIdRefusesNamingTheField) {
  reviewed();
  approve("carol", nullptr);
  expect_refused(apply(), "the review by carol has no valid commit_id");
}

// (e) A PR closed without merging, whose test-merge commit was pushed to main directly.
TEST_F(GitHubTrust, APullRequestClosedWithoutMergingWhoseMergeCommitWasPushedIsRefused) {
  seed_pull({{"merged", false}, {"state", "closed"}});
  github_.seed({{"commit_pulls", {{merge_, {7}}}}});
  approve("bob");
  expect_refused(apply(), "pull request #7 names " + merge_.substr(0, 12) + " as its merge commit but was not merged");
}

// (f) A locally supplied plan never replaces the pull request on a gated environment.
TEST_F(GitHubTrust, ApplyWithAPlanFileOnAGatedEnvironmentWithoutAPullRequestIsRefused) {
  std::filesystem::copy_file(dir_ / ".converge/prod.db", dir_ / ".converge/stage.db");
  auto planned = step({"plan", "--env", "stage", "--out", "my-plan.json"}, "push", push_event("develop", merge_), merge_);
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  auto r = step({"apply", "--env", "stage", "--plan", "my-plan.json"}, "push", push_event("develop", merge_), merge_);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("without a pull request (a direct push); stage is gated"), std::string::npos) << r.err;
  // Without a token the file cannot stand in for the review either.
  auto local = converge({"apply", "--env", "stage", "--plan", "my-plan.json"});
  EXPECT_EQ(local.exit_code, 1) << local.out << local.err;
  EXPECT_NE(local.err.find("a --plan file alone is not a review"), std::string::npos) << local.err;
  EXPECT_EQ(sqlite_value(".converge/stage.db", "select name from customers where id = 1"), "ada");
  EXPECT_EQ(sqlite_value(".converge/stage.db", "select count(*) from sqlite_master where name = 'users'"), "0");
}

// The honest path: converge's own comment and status, a second person's approval.
TEST_F(GitHubTrust, TheHonestPathStillAppliesAndWarnsWithoutGitHubsLastPushRule) {
  reviewed();
  auto r = apply();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("plan pinning: the plan equals the one approved on pull request #7"), std::string::npos);
  EXPECT_NE((r.out + r.err).find("require_last_push_approval"), std::string::npos) << "no ruleset requires it";
  EXPECT_EQ(sqlite_value(".converge/prod.db", "select count(*) from sqlite_master where name = 'customers'"), "0");
  EXPECT_EQ(sqlite_value(".converge/prod.db", "select count(*) from sqlite_master where name = 'users'"), "1");
}

// The honest path with a user's token: GET /user names converge's identity.
TEST_F(GitHubTrust, WithAUserTokenConvergeTrustsThatUsersOwnCommentAndStatus) {
  const std::string token = "ghp_deployer-00000000000000000000";
  github_.add_token(token, "deploy-user");
  github_.seed({{"rules", {{"main", {{{"type", "pull_request"},
                                      {"parameters", {{"require_last_push_approval", true},
                                                      {"required_approving_review_count", 1}}}}}}}}});
  seed_pull();
  ASSERT_EQ(plan_comment({{"GITHUB_TOKEN", token}}).exit_code, 0);
  ASSERT_EQ(comments_by("deploy-user").size(), 1u);
  approve("bob");
  // The Actions bot's token does not see the user's comment as its own.
  expect_refused(apply(), "has no plan comment for prod written by github-actions[bot]");
  auto r = apply({{"GITHUB_TOKEN", token}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("require_last_push_approval"), std::string::npos) << "the ruleset requires it";
  EXPECT_EQ(sqlite_value(".converge/prod.db", "select count(*) from sqlite_master where name = 'users'"), "1");
}

}  // namespace
}  // namespace converge::testing
