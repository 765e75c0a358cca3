// The sticky plan comment: marker (first line only), size limit, status line, and
// recognising a comment somebody edited.
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

TEST(PlanComment, OnlyAMarkerOnTheFirstLineCounts) {
  auto body = comment_body(plan_with(1), "deadbeef", "");
  EXPECT_TRUE(find_marker(body));
  EXPECT_FALSE(find_marker("Look at this:\n" + body)) << "a quoted marker is no marker";
  EXPECT_FALSE(find_marker(" " + body));
  EXPECT_FALSE(find_marker("> " + body));
  EXPECT_FALSE(is_plan_comment("LGTM\n\n" + body, "stage"));
  EXPECT_FALSE(find_marker("<!-- converge:plan v=1 env=stage sha=a plan=b --> and more\n"));
  EXPECT_FALSE(find_marker("<!-- converge:plan v=1 env=stage sha=a plan=b\n-->\n")) << "the marker is one line";
  EXPECT_TRUE(find_marker("<!-- converge:plan v=1 env=stage sha=a plan=b -->"));
  EXPECT_TRUE(find_marker("<!-- converge:plan v=1 env=stage sha=a plan=b -->\r\nbody"));
}

TEST(PlanComment, AnUneditedCommentShowsThePlanWhateverItsStatusLine) {
  auto p = plan_with(2);
  const std::string url = "https://github.com/o/r/actions/runs/1/attempts/1";
  auto body = comment_body(p, "deadbeef", url);
  EXPECT_TRUE(shows_plan(body, p, "deadbeef", url));
  EXPECT_TRUE(shows_plan(with_status(body, "applied at abc by https://github.com/o/r/actions/runs/2"), p, "deadbeef",
                         url));
  EXPECT_FALSE(shows_plan(body, p, "deadbeef", "https://github.com/o/r/actions/runs/9")) << "another run's comment";
  EXPECT_FALSE(shows_plan(body, plan_with(1), "deadbeef", url)) << "another plan";
  EXPECT_FALSE(shows_plan(body, p, "cafef00d", url)) << "another head";
}

TEST(PlanComment, AnEditedCommentDoesNotShowThePlan) {
  auto p = plan_with(2);
  const std::string url = "https://github.com/o/r/actions/runs/1";
  auto body = comment_body(p, "deadbeef", url);
  auto marker = body.substr(0, body.find('\n') + 1);
  EXPECT_FALSE(shows_plan(marker + "No changes.\n", p, "deadbeef", url));
  auto hidden = body;
  hidden.replace(hidden.find("m1"), 2, "mX");
  EXPECT_FALSE(shows_plan(hidden, p, "deadbeef", url));
  EXPECT_FALSE(shows_plan(body + "\nAll good, nothing to see.\n", p, "deadbeef", url));
  // A section converge appends after the footer takes room but is not the plan.
  const std::string gate = "<!-- converge:gate-change -->\n### Gate change\n";
  EXPECT_TRUE(shows_plan(comment_body(p, "deadbeef", url, kCommentLimit - gate.size()) + gate, p, "deadbeef", url));
  EXPECT_FALSE(shows_plan(marker + "No changes.\n" + body.substr(body.find("\n<sub>")) + gate, p, "deadbeef", url));
  // Markup slipped into the status line (an HTML comment hides everything below it).
  // (with_status writes plain text; someone editing the comment can write anything.)
  auto status_line = [&](const std::string& line) { return marker + line + "\n" + body.substr(marker.size()); };
  EXPECT_TRUE(shows_plan(status_line("<!-- converge:status --> **applied at abc**"), p, "deadbeef", url));
  EXPECT_FALSE(shows_plan(status_line("<!-- converge:status --> **ok <!--**"), p, "deadbeef", url));
  EXPECT_FALSE(shows_plan(status_line("<!-- converge:status --> **see [here](https://evil)**"), p, "deadbeef", url));
  EXPECT_FALSE(shows_plan(status_line("<!-- converge:status --> **a** **b**"), p, "deadbeef", url));
  // A status line anywhere but right under the marker.
  auto moved = body;
  moved.insert(moved.find("m1"), "<!-- converge:status --> **fine**\n");
  EXPECT_FALSE(shows_plan(moved, p, "deadbeef", url));
}

TEST(PlanComment, SqlWithBackticksCannotCloseTheFence) {
  plan::Plan p{"stage", "abc", {}};
  p.targets.push_back({"db", "sql", "h", {{plan::Action::create, "migration", "m", nullptr, {{"sql", "```\n"}}}}, {}, {}});
  auto body = comment_body(p, "s", "");
  EXPECT_NE(body.find("````diff"), std::string::npos);
}

}  // namespace
}  // namespace converge::github
