// plan-comment and the apply gates end to end: the step executables against the
// local GitHub API server, a real git repository and a real SQLite target.
#include <chrono>
#include <sstream>
#include <thread>

#include "steps/github_fixture.hpp"

namespace converge::testing {
namespace {

using GitHubFlow = GitHubFlowTest;

const std::string kHead = "b6a3f2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5";
const std::string kOldHead = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";

TEST_F(GitHubFlow, FirstPlanCreatesTheCommentAndANewPushEditsTheSameOne) {
  github_.seed({{"pulls", {{{"number", 7}, {"user", "alice"}, {"head", {{"ref", "develop"}, {"sha", kHead}}},
                            {"base", {{"ref", "main"}}}}}}});
  auto first = step({"plan-comment"}, "pull_request", pull_request_event(7, "main", kHead), sha_);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  auto comments = github_.comments(7);
  ASSERT_EQ(comments.size(), 1u);
  auto body = comments[0]["body"].get<std::string>();
  EXPECT_EQ(body.rfind("<!-- converge:plan v=1 env=prod sha=" + kHead + " plan=", 0), 0u) << body;
  EXPECT_NE(body.find("20260101000000_users"), std::string::npos);
  EXPECT_NE(file("output.txt").find("comment-url<<"), std::string::npos);
  EXPECT_NE(file("output.txt").find(comments[0]["html_url"].get<std::string>()), std::string::npos);

  dir_.write("db/migrations/20260102000000_posts.sql", kPosts);
  repo_->commit_all("posts");
  auto second = step({"plan-comment"}, "pull_request", pull_request_event(7, "main", kOldHead), sha_);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  comments = github_.comments(7);
  ASSERT_EQ(comments.size(), 1u) << "one sticky comment per PR and environment";
  body = comments[0]["body"].get<std::string>();
  EXPECT_NE(body.find("sha=" + kOldHead), std::string::npos);
  EXPECT_NE(body.find("20260102000000_posts"), std::string::npos);
  EXPECT_FALSE(token_leaked());
  EXPECT_NE(runner_.transcript().find("::add-mask::" + github_.token()), std::string::npos);
}

TEST_F(GitHubFlow, AHundredRunsWithAThirdOfRequestsFaultedLeaveExactlyOneComment) {
  github_.seed({{"pulls", {{{"number", 9}, {"user", "alice"}, {"head", {{"ref", "develop"}, {"sha", kHead}}},
                            {"base", {{"ref", "main"}}}}}}});
  github_.inject({.kind = FaultKind::server_error, .count = -1, .probability = 0.10});
  github_.inject({.kind = FaultKind::rate_limit_429, .count = -1, .probability = 0.08, .retry_after_s = 0});
  github_.inject({.kind = FaultKind::secondary_rate_limit, .count = -1, .probability = 0.05, .retry_after_s = 0});
  github_.inject({.method = "POST", .path = "/comments$", .kind = FaultKind::drop_after_write, .count = -1,
                  .probability = 0.5});
  github_.inject({.method = "PATCH", .kind = FaultKind::drop_after_write, .count = -1, .probability = 0.3});
  int succeeded = 0;
  for (int run = 0; run < 100; ++run) {
    if (run % 10 == 0) {
      dir_.write("db/migrations/2026020" + std::to_string(run / 10) + "000000_t" + std::to_string(run) + ".sql",
                 "-- migrate:up\ncreate table t" + std::to_string(run) + " (id int);\n-- migrate:down\n");
    }
    auto r = step({"plan-comment"}, "pull_request", pull_request_event(9, "main", kHead), sha_);
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 3) << r.out << r.err;
    succeeded += r.exit_code == 0;
    ASSERT_LE(github_.comments(9).size(), 1u) << "duplicate after run " << run << "\n" << r.out << r.err;
  }
  EXPECT_GT(succeeded, 50);
  github_.clear_faults();
  ASSERT_EQ(step({"plan-comment"}, "pull_request", pull_request_event(9, "main", kHead), sha_).exit_code, 0);
  auto comments = github_.comments(9);
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_NE(comments[0]["body"].get<std::string>().find("20260209000000_t90"), std::string::npos)
      << "the comment carries the latest plan";
  EXPECT_FALSE(token_leaked());
  EXPECT_NE(runner_.transcript().find("::add-mask::" + github_.token()), std::string::npos);
}

TEST_F(GitHubFlow, ACreateAnsweredTooLateIsNotLeftDuplicated) {
  github_.seed({{"pulls", {{{"number", 4}, {"user", "alice"}, {"head", {{"ref", "develop"}, {"sha", kHead}}},
                            {"base", {{"ref", "main"}}}}}}});
  // The first create answers after the client gave up (2 s); the step looks, finds
  // nothing yet, creates again, and the slow create lands later: a copy.
  github_.inject({.method = "POST", .path = "/comments$", .kind = FaultKind::slow, .count = 1, .delay_ms = 2500});
  step({"plan-comment"}, "pull_request", pull_request_event(4, "main", kHead), sha_);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  auto second = step({"plan-comment"}, "pull_request", pull_request_event(4, "main", kHead), sha_);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(github_.comments(4).size(), 1u);
}

TEST_F(GitHubFlow, ContainerActionInputsFillTheFlags) {
  github_.seed({{"pulls", {{{"number", 6}, {"user", "alice"}, {"head", {{"ref", "develop"}, {"sha", kHead}}},
                            {"base", {{"ref", "develop"}}}}}}});
  // A container action gets its inputs as INPUT_<NAME>, hyphens kept; no flags at all.
  auto r = step({"plan-comment"}, "workflow_dispatch", nlohmann::json::object(), sha_,
                {{"INPUT_PR", "6"}, {"INPUT_BASE", "develop"}, {"INPUT_DRY-RUN", "true"}, {"INPUT_HEAD-SHA", kHead}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("comment for pull request #6"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<!-- converge:plan v=1 env=stage sha=" + kHead), std::string::npos) << r.out;
  EXPECT_TRUE(github_.comments(6).empty()) << "dry-run came from the input";
}

class ProdApply : public GitHubFlowTest {
 protected:
  // PR #7 (alice) merged into main as the repository's HEAD; its plan comment made.
  void SetUp() override {
    GitHubFlowTest::SetUp();
    github_.seed({{"pulls", {{{"number", 7}, {"user", "alice"}, {"state", "closed"}, {"merged", true},
                              {"merge_commit_sha", sha_},
                              {"head", {{"ref", "develop"}, {"sha", kHead}}}, {"base", {{"ref", "main"}}},
                              {"commits", {{{"sha", kHead}, {"author", "alice"}, {"committer", "alice"}}}}}}}});
    auto planned = step({"plan-comment"}, "pull_request", pull_request_event(7, "main", kHead), sha_);
    ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  }

  void review(const std::string& login, const std::string& sha = kHead) {
    github_.seed({{"reviews", {{"7", {{{"user", login}, {"state", "APPROVED"}, {"commit_id", sha}}}}}}});
  }

  RunResult apply(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"apply", "--env", "prod"};
    args.insert(args.end(), extra.begin(), extra.end());
    return step(args, "push", push_event("main", sha_), sha_);
  }

  std::string comment() { return github_.comments(7)[0]["body"].get<std::string>(); }
};

TEST_F(ProdApply, TheAuthorApprovingTheirOwnPullRequestIsRefused) {
  review("alice");
  auto r = apply();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("alice: the author cannot approve their own pull request"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".converge/prod.db"));
}

TEST_F(ProdApply, AnApprovalMadeBeforeTheLastPushIsRefused) {
  review("bob", kOldHead);
  auto r = apply();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not the head commit"), std::string::npos) << r.err;
}

TEST_F(ProdApply, ASecondPersonsApprovalOnTheHeadIsAcceptedAndRecorded) {
  review("alice");
  review("bob");
  auto r = apply();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("approval gate: passed (bob)"), std::string::npos) << r.out;
  // (the status line is plain text: a link in it is broken up so it cannot become one)
  EXPECT_NE(comment().find("**applied at " + sha_.substr(0, 12) + " by https:"), std::string::npos) << comment();
  auto rec = runner_.same_job({"record-manifest", "--env", "prod"}, "push", push_event("main", sha_), sha_);
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  auto rows = nlohmann::json::parse(converge({"describe", "--env", "prod", "--json"}).out)["environments"]["prod"];
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["pr_number"], 7);
  EXPECT_EQ(rows[0]["approvers"], nlohmann::json::array({"bob"}));
  EXPECT_EQ(rows[0]["git_sha"], sha_);
  auto deployments = github_.state()["deployments"];
  ASSERT_EQ(deployments.size(), 1u) << github_.state().dump();
  EXPECT_EQ(deployments[0]["environment"], "prod");
  EXPECT_EQ(deployments[0]["sha"], sha_);
  EXPECT_FALSE(token_leaked());
  EXPECT_NE(runner_.transcript().find("::add-mask::" + github_.token()), std::string::npos);
}

TEST_F(ProdApply, OnALongPullRequestTheApplyFindsThePlanCommentWhereConvergesRecordSaysIt) {
  // A second plan-comment run on the head: its record remembers where the comment is.
  auto again = step({"plan-comment"}, "pull_request", pull_request_event(7, "main", kHead), sha_);
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  nlohmann::json others = nlohmann::json::array();
  for (int i = 0; i < 500; ++i)
    others.push_back({{"issue", 7}, {"body", "comment " + std::to_string(i)}, {"user", i % 2 ? "alice" : "bob"},
                      {"created_at", "2026-01-01T00:00:00Z"}});
  github_.seed({{"comments", others}});
  review("bob");
  github_.clear_requests();
  auto r = apply();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  int listings = 0;
  for (const auto& request : github_.requests()) {
    const std::string path = request["path"];
    if (request["method"] != "GET" || path.find("/issues/7/comments") == std::string::npos) continue;
    ++listings;
    EXPECT_NE(path.find("since="), std::string::npos) << "every comment was listed: " << path;
  }
  EXPECT_EQ(listings, 1) << "one page of the comments updated since the record, not six of all 501";
  EXPECT_NE(comment().find("**applied at " + sha_.substr(0, 12)), std::string::npos) << comment();
}

TEST_F(ProdApply, APlanThatChangedAfterApprovalIsRefusedAndTheCommentSaysSo) {
  review("bob");
  // The runtime moved since the review: someone ran the migration on prod by hand, so
  // the plan made now (nothing to create) is not the approved one (create users).
  std::filesystem::create_directories(dir_ / ".converge");
  sqlite_exec(".converge/prod.db",
              "create table schema_migrations (version varchar(128) primary key);"
              "insert into schema_migrations values ('20260101000000');"
              "create table users (id integer primary key, name text);");
  auto r = apply();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("the plan changed since it was approved on pull request #7"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("To deploy this merge, re-plan it: dispatch the plan workflow with pr 7, environment prod"),
            std::string::npos)
      << "the refusal says how to recover: " << r.err;
  EXPECT_NE(comment().find("not applied: the plan changed since it was approved"), std::string::npos) << comment();
  EXPECT_EQ(sqlite_value(".converge/prod.db", "select group_concat(version) from schema_migrations"),
            "20260101000000");
}

TEST_F(ProdApply, ADirectPushWithoutAPullRequestIsRefused) {
  dir_.write("README.md", "hotfix\n");
  auto pushed = repo_->commit_all("direct push");
  auto r = step({"apply", "--env", "prod"}, "push", push_event("main", pushed), pushed);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("without a pull request"), std::string::npos) << r.err;
}

TEST_F(ProdApply, BreakGlassSkipsTheApprovalGateLoudlyAndIsRecorded) {
  review("alice");
  auto r = apply({"--break-glass", "INC-42 outage"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("BREAK GLASS"), std::string::npos);
  EXPECT_NE(comment().find("break glass: INC-42 outage"), std::string::npos);
  auto rec = runner_.same_job({"record-manifest", "--env", "prod"}, "push", push_event("main", sha_), sha_);
  ASSERT_EQ(rec.exit_code, 0) << rec.out << rec.err;
  auto rows = nlohmann::json::parse(converge({"describe", "--env", "prod", "--json"}).out)["environments"]["prod"];
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["break_glass"], "INC-42 outage");
}

TEST_F(ProdApply, DryRunShowsTheGatesAndChangesNothing) {
  review("bob");
  auto ok = apply({"--dry-run"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("every gate passes"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".converge/prod.db"));
  EXPECT_EQ(comment().find("converge:status"), std::string::npos) << "a dry run edits nothing";
}

TEST_F(GitHubFlow, DryRunPrintsTheExactCommentAndPostsNothing) {
  github_.seed({{"pulls", {{{"number", 5}, {"user", "alice"}, {"head", {{"ref", "develop"}, {"sha", kHead}}},
                            {"base", {{"ref", "develop"}}}}}}});
  auto r = step({"plan-comment", "--dry-run"}, "pull_request", pull_request_event(5, "develop", kHead), sha_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("<!-- converge:plan v=1 env=stage"), std::string::npos) << r.out;
  EXPECT_TRUE(github_.comments(5).empty());
}

}  // namespace
}  // namespace converge::testing
