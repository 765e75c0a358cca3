// The two-person rule as a pure function of a pull request's reviews and commits.
#include <gtest/gtest.h>

#include "converge/github/approvals.hpp"

namespace converge::github {
namespace {

const std::string kHead = "1111111111111111111111111111111111111111";
const std::string kOld = "0000000000000000000000000000000000000000";

PullRequest pr() {
  PullRequest p;
  p.number = 7;
  p.head_sha = kHead;
  p.author = {"alice", false};
  return p;
}

Review review(std::string login, std::string state, std::string sha = kHead, bool bot = false) {
  return {0, {std::move(login), bot}, std::move(state), std::move(sha), ""};
}

config::Gates two_person(int approvals = 1, bool distinct = true) { return {approvals, distinct, true}; }

TEST(Approvals, TheAuthorApprovingTheirOwnPullRequestDoesNotCount) {
  auto d = evaluate_approvals(pr(), {review("alice", "APPROVED")}, {}, two_person());
  EXPECT_FALSE(d.satisfied);
  EXPECT_NE(d.reason.find("0 qualifying approvals"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("alice: the author cannot approve"), std::string::npos) << d.reason;
}

TEST(Approvals, ASecondPersonsApprovalOnTheHeadCommitCounts) {
  auto d = evaluate_approvals(pr(), {review("alice", "APPROVED"), review("bob", "APPROVED")}, {}, two_person());
  EXPECT_TRUE(d.satisfied);
  EXPECT_EQ(d.approvers, std::vector<std::string>{"bob"});
}

TEST(Approvals, AnApprovalMadeBeforeTheLastPushIsStale) {
  auto d = evaluate_approvals(pr(), {review("bob", "APPROVED", kOld)}, {}, two_person());
  EXPECT_FALSE(d.satisfied);
  EXPECT_NE(d.reason.find("not the head commit"), std::string::npos) << d.reason;
}

TEST(Approvals, TheLatestDecisionOfAReviewerWinsButACommentDoesNotReplaceIt) {
  EXPECT_FALSE(evaluate_approvals(pr(), {review("bob", "APPROVED"), review("bob", "CHANGES_REQUESTED")}, {},
                                  two_person())
                   .satisfied);
  EXPECT_TRUE(evaluate_approvals(pr(), {review("bob", "CHANGES_REQUESTED"), review("bob", "APPROVED")}, {},
                                 two_person())
                  .satisfied);
  EXPECT_TRUE(
      evaluate_approvals(pr(), {review("bob", "APPROVED"), review("bob", "COMMENTED")}, {}, two_person()).satisfied);
  EXPECT_FALSE(
      evaluate_approvals(pr(), {review("bob", "APPROVED"), review("bob", "DISMISSED")}, {}, two_person()).satisfied);
}

TEST(Approvals, BotsNeverCount) {
  auto d = evaluate_approvals(pr(), {review("renovate[bot]", "APPROVED", kHead, true)}, {}, two_person());
  EXPECT_FALSE(d.satisfied);
  EXPECT_NE(d.reason.find("bots do not count"), std::string::npos);
}

TEST(Approvals, WithDistinctApproverSomeoneWhoPushedDoesNotCount) {
  std::vector<PullCommit> commits = {{"abc", "alice", "alice"}, {"def", "bob", "web-flow"}};
  auto d = evaluate_approvals(pr(), {review("bob", "APPROVED")}, commits, two_person());
  EXPECT_FALSE(d.satisfied);
  EXPECT_NE(d.reason.find("bob: pushed commits"), std::string::npos) << d.reason;
  EXPECT_TRUE(evaluate_approvals(pr(), {review("bob", "APPROVED")}, commits, two_person(1, false)).satisfied);
}

TEST(Approvals, CountsDistinctPeopleAgainstTheRequiredNumber) {
  std::vector<Review> reviews = {review("bob", "APPROVED"), review("bob", "APPROVED"), review("carol", "APPROVED")};
  EXPECT_TRUE(evaluate_approvals(pr(), reviews, {}, two_person(2)).satisfied);
  EXPECT_FALSE(evaluate_approvals(pr(), {review("bob", "APPROVED"), review("bob", "APPROVED")}, {}, two_person(2))
                   .satisfied);
}

}  // namespace
}  // namespace converge::github
