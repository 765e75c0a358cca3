// The sticky plan comment: marker, size limit, status line.
#include <gtest/gtest.h>

#include "converge/github/plan_comment.hpp"

namespace converge::github {
namespace {

plan::Plan plan_with(int changes, size_t sql_size = 40) {
  plan::Plan p{"stage", "abc", {}};
  plan::TargetPlan t{"app-db", "sql", "h", {}, {}, {}};
  for (int i = 0; i < changes; ++i)
    t.changes.push_back({plan::Action::create, "migration", "m" + std::to_string(i), nullptr,
                         {{"sql", std::string(sql_size, 'x') + "\n"}}});
  p.targets.push_back(t);
  return p;
}

TEST(PlanComment, MarkerRoundTripsAndIdentifiesTheEnvironment) {
  auto body = comment_body(plan_with(1), "deadbeef", "");
  auto m = find_marker(body);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->environment, "stage");
  EXPECT_EQ(m->sha, "deadbeef");
  EXPECT_EQ(m->plan_hash, plan::hash(plan_with(1)));
  EXPECT_TRUE(is_plan_comment(body, "stage"));
  EXPECT_FALSE(is_plan_comment(body, "prod"));
  EXPECT_FALSE(find_marker("just a comment"));
}

TEST(PlanComment, AHugePlanIsCutUnderGithubsLimitWithAVisibleNote) {
  auto p = plan_with(2000, 200);
  auto body = comment_body(p, "deadbeef", "https://github.com/o/r/actions/runs/1");
  EXPECT_LE(body.size(), kCommentLimit);
  EXPECT_NE(body.find("changes are not shown"), std::string::npos);
  EXPECT_NE(body.find("| app-db | sql | 2000 | 0 | 0 | 0 |"), std::string::npos) << "counts stay complete";
  EXPECT_NE(body.find("plan hash"), std::string::npos);
  EXPECT_NE(body.find("workflow run"), std::string::npos);
  EXPECT_TRUE(is_plan_comment(body, "stage"));
}

TEST(PlanComment, ASmallPlanIsShownWhole) {
  auto body = comment_body(plan_with(3), "deadbeef", "");
  EXPECT_EQ(body.find("not shown"), std::string::npos);
  EXPECT_NE(body.find("m2"), std::string::npos);
}

TEST(PlanComment, StatusLineIsPutUnderTheMarkerAndReplacedNotStacked) {
  auto body = comment_body(plan_with(1), "deadbeef", "");
  auto once = with_status(body, "applied at abc");
  auto twice = with_status(once, "not applied: the plan changed");
  EXPECT_NE(once.find("**applied at abc**"), std::string::npos);
  EXPECT_EQ(twice.find("applied at abc"), std::string::npos);
  EXPECT_NE(twice.find("**not applied: the plan changed**"), std::string::npos);
  EXPECT_EQ(twice.substr(0, twice.find('\n')), body.substr(0, body.find('\n'))) << "marker stays first";
  EXPECT_TRUE(find_marker(twice));
}

TEST(PlanComment, SqlWithBackticksCannotCloseTheFence) {
  plan::Plan p{"stage", "abc", {}};
  p.targets.push_back({"db", "sql", "h", {{plan::Action::create, "migration", "m", nullptr, {{"sql", "```\n"}}}}, {}, {}});
  auto body = comment_body(p, "s", "");
  EXPECT_NE(body.find("````diff"), std::string::npos);
}

}  // namespace
}  // namespace converge::github
