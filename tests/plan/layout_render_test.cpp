// The layout of the plan comment and the job summary as a reader sees them
// (markdown-it): a short plan open, a long one collapsed, and a summary cut inside
// a diff that still shows its note as a note, not as code.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "converge/github/console.hpp"
#include "converge/github/plan_comment.hpp"
#include "converge/plan/render.hpp"
#include "markdown/markdown_it.hpp"
#include "plan/plan_of.hpp"
#include "support/temp_dir.hpp"

namespace converge::plan {
namespace {

using testing::render_with_markdown_it;
using testing::Rendered;

bool details_open(const Rendered& r) {
  for (const auto& a : r.attributes)
    if (a["tag"] == "details" && a["name"] == "open") return true;
  return false;
}

TEST(PlanLayoutRendered, AShortPlanCommentIsOpenAndALongOneCollapsed) {
  const std::string sha(40, 'a');
  const Rendered small = render_with_markdown_it(github::comment_body(plan_of(1, 2, 3), sha, ""));
  EXPECT_EQ(small.elements.at("details"), 1);
  EXPECT_TRUE(details_open(small)) << small.html;
  EXPECT_NE(small.text.find("select 2;"), std::string::npos);
  const Rendered large = render_with_markdown_it(github::comment_body(plan_of(1, 10, 10), sha, ""));
  EXPECT_EQ(large.elements.at("details"), 1);
  EXPECT_FALSE(details_open(large)) << large.html;
  EXPECT_NE(large.text.find("db0: 10 to create"), std::string::npos) << "the counts show while it is closed";
}

TEST(PlanLayoutRendered, ASummaryCutInsideADiffShowsItsNoteAsANote) {
  converge::testing::TempDir dir;
  github::RunContext ctx;
  ctx.summary_file = (dir / "summary.md").string();
  std::ostringstream out, err;
  github::Console console(out, err, ctx);
  // What is left of the summary's room ends inside this diff.
  std::ofstream(dir / "summary.md", std::ios::binary) << std::string(github::kSummaryLimit - 2500, '.') << "\n\n";
  console.append_summary(render_markdown(plan_of(1, 1, 400)));
  std::ifstream in(dir / "summary.md", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_LE(text.str().size(), github::kSummaryLimit);
  const Rendered r = render_with_markdown_it(text.str().substr(github::kSummaryLimit - 2500));
  EXPECT_NE(r.text_outside_code.find("The job summary is cut here"), std::string::npos) << r.html;
  EXPECT_EQ(r.text.find("The job summary is cut here"), r.text.rfind("The job summary is cut here"));
  EXPECT_EQ(r.elements.at("details"), 1) << "the open <details> is closed";
  EXPECT_EQ(r.elements.at("blockquote"), 1) << r.html;
}

}  // namespace
}  // namespace converge::plan
