// The layout around a plan's items: short plans open and long ones collapsed in
// markdown, the text in parts for a log with one group per target, and a plan too
// long for the job summary cut with a note that says where the rest is.
#include <gtest/gtest.h>

#include "converge/plan/render.hpp"
#include "plan/plan_of.hpp"

namespace converge::plan {
namespace {

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(PlanLayout, AShortPlanShowsEveryTargetOpen) {
  // 2 targets x 2 changes x (1 heading + 3 diff header lines + 5 lines) = 36 lines.
  const std::string md = render_markdown(plan_of(2, 2, 5));
  EXPECT_EQ(occurrences(md, "<details open><summary>"), 2u) << md;
  EXPECT_EQ(occurrences(md, "<details><summary>"), 0u);
}

TEST(PlanLayout, ALongPlanShowsEachTargetCollapsed) {
  const std::string md = render_markdown(plan_of(2, 2, 20));
  EXPECT_EQ(occurrences(md, "<details><summary>"), 2u) << md;
  EXPECT_EQ(occurrences(md, "<details open>"), 0u);
  // One long change is enough: the whole plan is long.
  const std::string one = render_markdown(plan_of(1, 1, 60));
  EXPECT_EQ(occurrences(one, "<details><summary>"), 1u);
}

TEST(PlanLayout, TheTextPartsMakeTheWholeText) {
  auto p = plan_of(2, 1, 2);
  p.targets[0].notes.push_back("a note");
  std::string parts = text_head(p);
  for (const auto& t : p.targets) {
    const std::string title = target_title_text(t);
    EXPECT_EQ(title.find('\n'), std::string::npos);
    parts += "\n" + title + "\n" + target_text(t);
  }
  parts += text_foot(p);
  EXPECT_EQ(parts, render_text(p));
  EXPECT_EQ(target_title_text(p.targets[0]), "== db0 (sql): 1 to create, 0 to update, 0 to delete, 0 to replace");
}

TEST(PlanLayout, APlanCutForTheJobSummarySaysTheRestIsInTheLog) {
  const auto p = plan_of(3, 20, 40);
  const std::string summary = render_markdown(p, 20000, Medium::job_summary);
  EXPECT_LE(summary.size(), 20000u);
  EXPECT_NE(summary.find("too long for the job summary (GitHub shows at most 1 MiB)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("The full plan is in the step's log and in `plan.json`."), std::string::npos);
  const std::string comment = render_markdown(p, 20000);
  EXPECT_NE(comment.find("The plan is too long for a comment"), std::string::npos);
}

}  // namespace
}  // namespace converge::plan

namespace converge::plan {
namespace {

TEST(PlanLayout, ALimitSmallerThanTheHeadCutsAtALineEnd) {
  auto p = plan_of(1, 1, 1);
  p.environment = "pr\xC3\xB6\xC3\xB6\xC3\xB6\xC3\xB6\xC3\xB6\xC3\xB6" "d";  // two-byte characters in the heading
  for (size_t limit = 0; limit < 200; ++limit) {
    const std::string md = render_markdown(p, limit);
    ASSERT_LE(md.size(), limit);
    ASSERT_TRUE(md.empty() || md.ends_with('\n')) << limit << ": " << md;
  }
}

}  // namespace
}  // namespace converge::plan
