// The two-person rule as a pure function of a pull request's reviews and commits,
// failing closed on missing or malformed facts.
#include <gtest/gtest.h>

#include "converge/github/approvals.hpp"

namespace converge::github {
namespace {

const std::string kHead = "1111111111111111111111111111111111111111";
const std::string kOld = "0000000000000000000000000000000000000000";
const std::string kC1 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kC2 = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

PullRequest pr(std::int64_t commits = 0) {
  PullRequest p;
  p.number = 7;
  p.head_sha = kHead;
  p.author = {"alice", false};
  p.commits = commits;
  return p;
}

Review review(std::string login, std::string state, std::string sha = kHead, bool bot = false) {
  return {0, {std::move(login), bot}, std::move(state), std::move(sha), ""};
}

config::Gates two_person(int approvals = 1, bool distinct = true) { return {approvals, distinct, true, false}; }

ApprovalDecision decide(const PullRequest& p, const std::vector<Review>& reviews,
                        const std::vector<PullCommit>& commits = {}, const config::Gates& gates = two_person()) {
  auto d = evaluate_approvals(p, reviews, commits, gates);
  EXPECT_TRUE(d.has_value()) << d.error().message;
  return d.value_or(ApprovalDecision{});
}

std::string refusal(const PullRequest& p, const std::vector<Review>& reviews,
                    const std::vector<PullCommit>& commits = {}, const config::Gates& gates = two_person()) {
  auto d = evaluate_approvals(p, reviews, commits, gates);
  EXPECT_FALSE(d.has_value());
  if (d) return "";
  EXPECT_EQ(d.error().code, ExitCode::refused);
  EXPECT_NE(d.error().message.find("nothing was applied"), std::string::npos) << d.error().message;
  return d.error().message;
}

TEST(Approvals, TheAuthorApprovingTheirOwnPullRequestDoesNotCount) {
  auto d = decide(pr(), {review("alice", "APPROVED")});
  EXPECT_FALSE(d.satisfied);
  EXPECT_NE(d.reason.find("0 qualifying approvals"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("alice: the author cannot approve"), std::string::npos) << d.reason;
}

TEST(Approvals, ASecondPersonsApprovalOnTheHeadCommitCounts) {
  auto d = decide(pr(), {review("alice", "APPROVED"), review("bob", "APPROVED")});
  EXPECT_TRUE(d.satisfied);
  EXPECT_EQ(d.approvers, std::vector<std::string>{"bob"});
}

TEST(Approvals, AnApprovalMadeBeforeTheLastPushIsStale) {
  auto d = decide(pr(), {review("bob", "APPROVED", kOld)});
  EXPECT_FALSE(d.satisfied);
  EXPECT_NE(d.reason.find("not the head commit"), std::string::npos) << d.reason;
}

TEST(Approvals, TheLatestDecisionOfAReviewerWinsButACommentDoesNotReplaceIt) {
  EXPECT_FALSE(decide(pr(), {review("bob", "APPROVED"), review("bob", "CHANGES_REQUESTED")}).satisfied);
  EXPECT_TRUE(decide(pr(), {review("bob", "CHANGES_REQUESTED"), review("bob", "APPROVED")}).satisfied);
  EXPECT_TRUE(decide(pr(), {review("bob", "APPROVED"), review("bob", "COMMENTED")}).satisfied);
  EXPECT_FALSE(decide(pr(), {review("bob", "APPROVED"), review("bob", "DISMISSED")}).satisfied);
}

TEST(Approvals, BotsNeverCount) {
  auto d = decide(pr(), {review("renovate[bot]", "APPROVED", kHead, true)});
  EXPECT_FALSE(d.satisfied);
  EXPECT_NE(d.reason.find("bots do not count"), std::string::npos);
}

TEST(Approvals, WithDistinctApproverSomeoneWhoAuthoredOrCommittedDoesNotCount) {
  // bob only committed (e.g. rebased) alice's commit: he still does not count.
  std::vector<PullCommit> commits = {{kC1, "alice", "bob"}, {kC2, "alice", "web-flow"}};
  auto d = decide(pr(2), {review("bob", "APPROVED")}, commits);
  EXPECT_FALSE(d.satisfied);
  EXPECT_NE(d.reason.find("bob: authored or committed a commit"), std::string::npos) << d.reason;
  std::vector<PullCommit> authored = {{kC1, "bob", "web-flow"}};
  EXPECT_FALSE(decide(pr(1), {review("bob", "APPROVED")}, authored).satisfied);
  EXPECT_TRUE(decide(pr(2), {review("bob", "APPROVED")}, commits, two_person(1, false)).satisfied);
  EXPECT_TRUE(decide(pr(2), {review("carol", "APPROVED")}, commits).satisfied) << "web-flow is nobody";
}

TEST(Approvals, ACommitWhoseAuthorOrCommitterIsNoGitHubUserRefusesNamingTheCommit) {
  auto author = refusal(pr(2), {review("bob", "APPROVED")}, {{kC1, "alice", "alice"}, {kC2, "", "alice"}});
  EXPECT_NE(author.find("commit bbbbbbbbbbbb of pull request #7 has an author that is not linked"), std::string::npos)
      << author;
  auto committer = refusal(pr(1), {review("bob", "APPROVED")}, {{kC1, "alice", ""}});
  EXPECT_NE(committer.find("commit aaaaaaaaaaaa of pull request #7 has a committer that is not linked"),
            std::string::npos)
      << committer;
  // Without distinct_approver the commits are not who-checked, so nothing to refuse.
  EXPECT_TRUE(decide(pr(1), {review("bob", "APPROVED")}, {{kC1, "", ""}}, two_person(1, false)).satisfied);
}

TEST(Approvals, APullRequestWithMoreCommitsThanGitHubListsRefusesUnlessTheEnvironmentAllowsIt) {
  std::vector<PullCommit> listed(250, PullCommit{kC1, "alice", "alice"});
  auto why = refusal(pr(251), {review("bob", "APPROVED")}, listed);
  EXPECT_NE(why.find("pull request #7 has 251 commits but GitHub lists only 250"), std::string::npos) << why;
  EXPECT_NE(why.find("allow_large_pull_requests"), std::string::npos) << why;
  auto allowed = two_person();
  allowed.allow_large_pull_requests = true;
  EXPECT_TRUE(decide(pr(251), {review("bob", "APPROVED")}, listed, allowed).satisfied);
  EXPECT_TRUE(decide(pr(250), {review("bob", "APPROVED")}, listed).satisfied);
  auto unknown = refusal(pr(-1), {review("bob", "APPROVED")}, listed);
  EXPECT_NE(unknown.find("does not say how many commits"), std::string::npos) << unknown;
}

TEST(Approvals, MissingOrMalformedFactsRefuseNamingTheFieldInsteadOfComparingEqual) {
  auto headless = pr();
  headless.head_sha = "";
  // Before: "" == "" and the approval counted.
  auto why = refusal(headless, {review("bob", "APPROVED", "")});
  EXPECT_NE(why.find("pull request #7 has no valid head.sha"), std::string::npos) << why;
  why = refusal(pr(), {review("bob", "APPROVED", "")});
  EXPECT_NE(why.find("the review by bob has no valid commit_id"), std::string::npos) << why;
  why = refusal(pr(), {review("bob", "APPROVED", "1234")});
  EXPECT_NE(why.find("commit_id"), std::string::npos) << why;
  why = refusal(pr(), {review("", "APPROVED")});
  EXPECT_NE(why.find("has no user.login"), std::string::npos) << why;
  auto anonymous = pr();
  anonymous.author.login = "";
  why = refusal(anonymous, {review("bob", "APPROVED")});
  EXPECT_NE(why.find("pull request #7 has no user.login"), std::string::npos) << why;
  why = refusal(pr(1), {review("bob", "APPROVED")}, {{"", "alice", "alice"}});
  EXPECT_NE(why.find("a commit without a valid sha"), std::string::npos) << why;
  auto merged = pr();
  merged.merged = true;
  why = refusal(merged, {review("bob", "APPROVED")});
  EXPECT_NE(why.find("merge_commit_sha"), std::string::npos) << why;
  // A comment carries no decision, so its missing commit is no reason to refuse.
  EXPECT_TRUE(decide(pr(), {review("carol", "COMMENTED", ""), review("bob", "APPROVED")}).satisfied);
}

TEST(Approvals, CountsDistinctPeopleAgainstTheRequiredNumber) {
  std::vector<Review> reviews = {review("bob", "APPROVED"), review("bob", "APPROVED"), review("carol", "APPROVED")};
  EXPECT_TRUE(decide(pr(), reviews, {}, two_person(2)).satisfied);
  EXPECT_FALSE(decide(pr(), {review("bob", "APPROVED"), review("bob", "APPROVED")}, {}, two_person(2)).satisfied);
}

TEST(Approvals, OnlyAPullRequestRuleWithRequireLastPushApprovalCountsAsGitHubEnforcingIt) {
  EXPECT_FALSE(last_push_approval_required({}));
  EXPECT_FALSE(last_push_approval_required(
      {{"pull_request", {{"require_last_push_approval", false}, {"required_approving_review_count", 1}}, "o/r"}}));
  EXPECT_FALSE(last_push_approval_required({{"required_signatures", {{"require_last_push_approval", true}}, "o/r"}}));
  EXPECT_FALSE(last_push_approval_required({{"pull_request", {{"require_last_push_approval", "true"}}, "o/r"}}));
  EXPECT_TRUE(last_push_approval_required({{"deletion", nlohmann::json::object(), "o/r"},
                                           {"pull_request", {{"require_last_push_approval", true}}, "org"}}));
}

}  // namespace
}  // namespace converge::github
