// Attacker tests of the re-plan of a merged pull request (issue 11, item 7;
// github/replan.hpp): when the merge's plan no longer equals the plan approved on
// its pull request, a workflow_dispatch re-plan posts a NEW comment whose approval
// (a 👍 by a second person with write access) lets the deploy apply. Each test plays
// someone trying to use that path to get an unreviewed plan to prod — the
// dispatcher approving their own re-plan, the author, a reader, an old approval, an
// unmerged or foreign pull request, an edited comment — with the real executables,
// the local GitHub API server and a real SQLite target, and asserts that nothing was
// applied. The honest path applies.

#include <gtest/gtest.h>

#include <set>

#include "converge/github/api.hpp"
#include "attack/mallory_merge.hpp"

namespace converge::testing {
namespace {

using nlohmann::json;

const std::string& kHead = kMalloryHead;
const std::string& kBot = kConvergeBot;

// prod (approvals 1, distinct_approver, plan_pinning) holds `customers`; the merge
// commit of mallory's PR #7 drops it. bob approved the PR's plan; then another merge
// deployed the pending `users` migration, so the merge's plan changed.
class Replan : public MalloryMerge {
 protected:
  void SetUp() override {
    MalloryMerge::SetUp();
    github_.seed({{"collaborators", {{"mallory", "write"}, {"alice", "maintain"}, {"bob", "write"},
                                     {"carol", "write"}, {"dave", "read"}}}});
  }

  RunResult apply() { return step({"apply", "--env", "prod"}, "push", push_event("main", merge_), merge_); }
  // The honest story up to the refusal: planned, approved by bob, then the runtime moved.
  void approved_then_moved() {
    seed_pull();
    auto planned = step({"plan-comment"}, "pull_request", pull_request_event(7, "main", kHead), merge_);
    ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
    github_.seed({{"reviews", {{"7", {{{"user", "bob"}, {"state", "APPROVED"}, {"commit_id", kHead}}}}}}});
    sqlite_exec(".converge/prod.db", "create table users (id integer primary key, name text);"
                                     "create table schema_migrations (version varchar(128) primary key);"
                                     "insert into schema_migrations values ('20260101000000');");
  }
  // A workflow_dispatch of the plan workflow by `actor` with pr 7 (and `args`).
  RunResult replan(const std::string& actor = "alice", const std::vector<std::string>& args = {}) {
    std::vector<std::string> all{"plan-comment", "--pr", "7"};
    all.insert(all.end(), args.begin(), args.end());
    auto r = step(all, "workflow_dispatch", runner_.workflow_dispatch_event("refs/heads/main"), merge_,
                  {{"GITHUB_ACTOR", actor}});
    // The run GitHub would know: the status converge wrote links it.
    const json state = github_.state();
    for (const auto& [sha, statuses] : state["commit_statuses"].items())
      for (const auto& s : statuses)
        if (s["target_url"].is_string()) {
          const auto url = s["target_url"].get<std::string>();
          const auto id = url.substr(url.find("/runs/") + 6, url.find("/attempts") - url.find("/runs/") - 6);
          if (!seeded_runs_.contains(id) && sha == merge_) {
            seeded_runs_.insert(id);
            github_.seed({{"runs", {{{"id", std::stoll(id)}, {"actor", actor}}}}});
          }
        }
    return r;
  }
  json bot_comments() {
    json out = json::array();
    for (const auto& c : github_.comments(7))
      if (c["user"]["login"] == kBot) out.push_back(c);
    return out;
  }
  std::int64_t newest_replan() { return bot_comments().back()["id"].get<std::int64_t>(); }
  void react(const std::string& login, std::int64_t comment) {
    github_.seed({{"reactions", {{{"comment", comment}, {"user", login}, {"content", "+1"}}}}});
  }
  void expect_nothing_applied() {
    EXPECT_EQ(sqlite_value(".converge/prod.db", "select name from customers where id = 1"), "ada");
    EXPECT_TRUE(github_.state()["deployments"].empty());
  }
  void expect_refused(const RunResult& r, const std::string& why) {
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    expect_nothing_applied();
  }

  std::set<std::string> seeded_runs_;
  std::unique_ptr<http::Transport> transport_ = http::make_curl_transport(std::chrono::seconds(5));
  http::Client client_{*transport_};
};

TEST_F(Replan, TheRefusalSaysHowToReplanAndAnApprovedReplanApplies) {
  approved_then_moved();
  auto refused = apply();
  expect_refused(refused, "the plan changed since it was approved on pull request #7");
  EXPECT_NE(refused.err.find("gh workflow run converge-pr.yml -f pr=7 -f environment=prod -f sha=" + merge_),
            std::string::npos) << refused.err;
  const auto approved_body = bot_comments()[0]["body"].get<std::string>();

  auto r = replan();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto mine = bot_comments();
  ASSERT_EQ(mine.size(), 2u) << "a NEW comment, the approved one is not edited into the re-plan";
  EXPECT_EQ(mine[0]["body"], approved_body);
  EXPECT_TRUE(mine[1]["body"].get<std::string>().starts_with("<!-- converge:replan v=1 env=prod sha=" + merge_));
  expect_refused(apply(), "the re-plan has 0 qualifying approvals");  // bob's PR approval does not carry over

  react("carol", newest_replan());
  auto applied = apply();
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_NE(applied.out.find("the plan equals the re-plan approved on pull request #7 (carol)"), std::string::npos)
      << applied.out;
  EXPECT_EQ(sqlite_value(".converge/prod.db", "select count(*) from sqlite_master where name = 'customers'"), "0");
  EXPECT_NE(bot_comments()[1]["body"].get<std::string>().find("applied at " + merge_.substr(0, 12)), std::string::npos);
}

TEST_F(Replan, TheDispatcherTheAuthorAReaderAndABotCannotApprove) {
  approved_then_moved();
  ASSERT_EQ(replan("alice").exit_code, 0);
  const auto id = newest_replan();
  for (const auto* login : {"alice", "mallory", "dave", "dependabot[bot]"}) react(login, id);
  auto r = apply();
  expect_refused(r, "the re-plan has 0 qualifying approvals");
  EXPECT_NE(r.err.find("alice: dispatched the re-plan, so cannot approve it"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("mallory: authored pull request #7"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dave: has read access to the repository, not write"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dependabot[bot]: bots do not count"), std::string::npos) << r.err;
}

// With a user's token converge writes as that user: its own 👍 (anyone holding the
// token can add one) is never a second person's.
TEST_F(Replan, ConvergesOwnIdentityCannotApproveEvenWithAUserToken) {
  const std::string token = "ghp_deployer-00000000000000000000";
  github_.add_token(token, "deploy-user");
  github_.seed({{"collaborators", {{"deploy-user", "write"}}}});
  seed_pull();
  ASSERT_EQ(step({"plan-comment"}, "pull_request", pull_request_event(7, "main", kHead), merge_,
                 {{"GITHUB_TOKEN", token}}).exit_code, 0);
  github_.seed({{"reviews", {{"7", {{{"user", "bob"}, {"state", "APPROVED"}, {"commit_id", kHead}}}}}}});
  sqlite_exec(".converge/prod.db", "create table users (id integer primary key, name text);"
                                   "create table schema_migrations (version varchar(128) primary key);"
                                   "insert into schema_migrations values ('20260101000000');");
  auto r = step({"plan-comment", "--pr", "7"}, "workflow_dispatch", runner_.workflow_dispatch_event("refs/heads/main"),
                merge_, {{"GITHUB_ACTOR", "alice"}, {"GITHUB_TOKEN", token}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto comments = github_.comments(7);
  const auto id = comments.back()["id"].get<std::int64_t>();
  ASSERT_EQ(comments.back()["user"]["login"], "deploy-user");
  const json state = github_.state();
  for (const auto& [sha, statuses] : state["commit_statuses"].items()) {
    if (sha != merge_) continue;
    const auto url = statuses[0]["target_url"].get<std::string>();
    const auto from = url.find("/runs/") + 6;
    github_.seed({{"runs", {{{"id", std::stoll(url.substr(from, url.find("/attempts") - from))}, {"actor", "alice"}}}}});
  }
  react("deploy-user", id);
  auto applied = step({"apply", "--env", "prod"}, "push", push_event("main", merge_), merge_, {{"GITHUB_TOKEN", token}});
  expect_refused(applied, "deploy-user: is converge's own identity");
}

TEST_F(Replan, AnApprovalOfAnEarlierReplanDoesNotCarryOverToTheNewest) {
  approved_then_moved();
  ASSERT_EQ(replan("alice").exit_code, 0);
  react("carol", newest_replan());
  ASSERT_EQ(replan("bob").exit_code, 0);  // a second dispatch: a new comment, nobody approved it yet
  ASSERT_EQ(bot_comments().size(), 3u);
  expect_refused(apply(), "the re-plan has 0 qualifying approvals");
}

TEST_F(Replan, AReplanCommentEditedAfterItsApprovalIsRefused) {
  approved_then_moved();
  ASSERT_EQ(replan().exit_code, 0);
  const auto id = newest_replan();
  react("carol", id);
  auto body = bot_comments().back()["body"].get<std::string>();
  body.replace(body.find('\n'), 1, "\nNo changes.\n");
  github::Api mallory(client_, github_.url(), kMalloryToken, github_.repository());
  ASSERT_TRUE(mallory.update_comment(id, body).has_value());
  expect_refused(apply(), "does not read as converge wrote it (it was edited)");
}

TEST_F(Replan, AForgedReplanCommentByTheAuthorIsIgnored) {
  approved_then_moved();
  github::Api mallory(client_, github_.url(), kMalloryToken, github_.repository());
  const std::string forged = "<!-- converge:replan v=1 env=prod sha=" + merge_ + " plan=" + std::string(64, 'a') + " -->\n";
  auto c = mallory.create_comment(7, forged);
  ASSERT_TRUE(c.has_value());
  react("carol", c->id);
  expect_refused(apply(), "the plan changed since it was approved on pull request #7");
}

TEST_F(Replan, APullRequestClosedWithoutMergingIsNotReplanned) {
  seed_pull({{"merged", false}, {"merge_commit_sha", merge_}});
  auto r = replan();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("pull request #7 is closed and not merged"), std::string::npos) << r.err;
  EXPECT_TRUE(bot_comments().empty());
  EXPECT_TRUE(github_.state()["commit_statuses"].empty());
}

TEST_F(Replan, APullRequestMergedElsewhereIsNotReplannedIntoProd) {
  seed_pull({{"base", {{"ref", "develop"}}}});
  auto r = replan("alice", {"--env", "prod"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("was merged into develop, which deploys to stage, not prod"), std::string::npos) << r.err;
  github_.reset();
  seed_pull({{"base", {{"ref", "release/1.0"}}}});
  r = replan();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("was merged into release/1.0, from which no environment deploys"), std::string::npos) << r.err;
  EXPECT_TRUE(bot_comments().empty());
}

TEST_F(Replan, ACheckoutOtherThanTheMergeCommitIsNotReplanned) {
  seed_pull({{"merge_commit_sha", sha_}});  // GitHub says #7 was merged as the commit before
  auto r = replan();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("not " + sha_.substr(0, 12) + ", the merge commit of pull request #7"), std::string::npos) << r.err;
  EXPECT_TRUE(bot_comments().empty());
}

}  // namespace
}  // namespace converge::testing
