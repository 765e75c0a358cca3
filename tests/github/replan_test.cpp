// The re-plan comment and the count of its approvals as pure functions
// (github/replan.hpp): the marker reads back and is not a plan comment's, the body
// fits GitHub's limit however long the plan and still reads as converge wrote it
// (with a status line too), an edit does not, and who counts as an approver.
#include <gtest/gtest.h>

#include "converge/github/replan.hpp"
#include "github/sql_plan.hpp"

namespace converge::github {
namespace {

const std::string kMerge(40, 'e');
const std::string kRun = "https://github.com/o/r/actions/runs/4242/attempts/2";

plan::Plan prod_plan_with(int changes, size_t sql_size = 40) {
  return testing::sql_plan("prod", kMerge, changes, sql_size);
}

TEST(ReplanComment, ItsMarkerReadsBackAndIsNoPlanComment) {
  const auto body = replan_body(prod_plan_with(1), kMerge, kRun, 7, "alice");
  auto m = find_replan_marker(body);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->environment, "prod");
  EXPECT_EQ(m->sha, kMerge);
  EXPECT_EQ(m->plan_hash, plan::hash(prod_plan_with(1)));
  EXPECT_FALSE(is_plan_comment(body, "prod")) << "the sticky comment's upsert must never touch a re-plan";
  EXPECT_FALSE(find_replan_marker(comment_body(prod_plan_with(1), kMerge, kRun)));
  EXPECT_NE(body.find("Re-plan** of merged pull request #7 at `eeeeeeeeeeee`, dispatched by alice"), std::string::npos);
}

TEST(ReplanComment, ReadsAsConvergeWroteItWithAStatusLineAndWhenCutToTheLimit) {
  for (int n : {1, 600}) {
    const auto p = prod_plan_with(n, 200);
    const auto body = replan_body(p, kMerge, kRun, 7, "alice");
    EXPECT_LE(body.size(), kCommentLimit) << n;
    EXPECT_EQ(body.find("not shown") != std::string::npos, n > 1) << "the long plan is cut to fit";
    EXPECT_TRUE(shows_replan(body, p, kMerge, kRun)) << n;
    EXPECT_TRUE(shows_replan(with_status(body, "applied at eeeeeeeeeeee"), p, kMerge, kRun)) << n;
    EXPECT_FALSE(shows_replan(body, prod_plan_with(n + 1, 200), kMerge, kRun)) << "another plan";
    EXPECT_FALSE(shows_replan(body, p, std::string(40, 'f'), kRun)) << "another commit";
  }
  const auto p = prod_plan_with(2);
  auto edited = replan_body(p, kMerge, kRun, 7, "alice");
  edited.replace(edited.find("m1"), 2, "zz");
  EXPECT_FALSE(shows_replan(edited, p, kMerge, kRun));
}

TEST(ReplanComment, TheRunIdComesFromTheRunUrl) {
  EXPECT_EQ(run_id_of(kRun), 4242);
  EXPECT_EQ(run_id_of("https://github.com/o/r/actions/runs/17"), 17);
  EXPECT_EQ(run_id_of(""), 0);
  EXPECT_EQ(run_id_of("https://github.com/o/r/actions/runs/x1"), 0);
  EXPECT_EQ(run_id_of("https://github.com/o/r/actions/runs/-3"), 0);
}

TEST(ReplanApprovals, OnlyAThumbsUpOfAWriterWhoIsNotRuledOutCountsOnce) {
  std::vector<ReplanVote> votes{{"carol", false, "+1", "write", ""},
                                {"carol", false, "heart", "write", ""},
                                {"dave", false, "+1", "read", ""},
                                {"erin", false, "eyes", "admin", ""},
                                {"alice", false, "+1", "admin", "dispatched the re-plan, so cannot approve it"},
                                {"bot[bot]", true, "+1", "write", ""},
                                {"frank", false, "+1", "admin", ""}};
  auto d = evaluate_replan_approvals(votes, 2);
  EXPECT_TRUE(d.satisfied);
  EXPECT_EQ(d.approvers, (std::vector<std::string>{"carol", "frank"}));
  d = evaluate_replan_approvals(votes, 3);
  EXPECT_FALSE(d.satisfied);
  EXPECT_NE(d.reason.find("2 qualifying approvals"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("dave: has read access to the repository, not write"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("alice: dispatched the re-plan"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("bot[bot]: bots do not count"), std::string::npos) << d.reason;
  EXPECT_EQ(d.reason.find("erin"), std::string::npos) << "a reaction that is not +1 is no vote";
}

}  // namespace
}  // namespace converge::github
