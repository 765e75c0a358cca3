// The "Migration lint" section of the plan comment as a reader sees it (markdown-it,
// as GitHub renders): each finding's rule links to its docs anchor and nowhere else,
// a hostile file name or message shows as its text, and nothing in them becomes a
// link, an element, a mention or a comment.
#include <gtest/gtest.h>

#include "converge/github/plan_comment.hpp"
#include "converge/plan/findings.hpp"
#include "converge/plan/markdown.hpp"
#include "markdown/markdown_it.hpp"

namespace converge::plan {
namespace {

TEST(FindingsRendered, EachRuleLinksToItsDocsAndHostileTextStaysText) {
  Plan plan{"prod", "0123456789abcdef0123456789abcdef01234567", {}};
  TargetPlan t;
  t.target = "app-db";
  t.provider = "sql";
  t.changes.push_back({Action::create, "migration", "1_m", nullptr, {{"sql", "drop table users;\n"}}});
  const std::vector<std::string> files = {"db/`x`\n<!--.sql", "db/[a](https://evil).sql", "db/@octocat #1.sql",
                                          "db/<img src=x onerror=alert(1)>.sql"};
  for (size_t i = 0; i < files.size(); ++i)
    t.findings.push_back(Finding{.rule = i % 2 ? "destructive/drop-table" : "locks/volatile-default",
                                 .severity = i % 2 ? Severity::error : Severity::warning, .file = files[i],
                                 .line = static_cast<int>(i + 1),
                                 .message = "msg " + std::to_string(i) + " @octocat <b>x</b> [l](https://evil) -->",
                                 .destructive = i % 2 == 1,
                                 .doc = std::string("docs/providers/sql.md#") +
                                        (i % 2 ? "destructive-drop-table" : "locks-volatile-default")});
  plan.targets.push_back(t);
  const std::string run_url = "https://github.com/octo-org/octo-repo/actions/runs/42";
  const auto r = testing::render_with_markdown_it(
      github::comment_body(plan, "b6a3f2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5", run_url));

  EXPECT_NE(r.text.find("Migration lint"), std::string::npos);
  EXPECT_NE(r.text.find("Destructive: 2 findings below"), std::string::npos) << r.text;
  std::vector<std::string> hrefs;
  for (const auto& link : r.links) hrefs.push_back(link["href"]);
  const std::vector<std::string> expected = {finding_doc_url(t.findings[0]), finding_doc_url(t.findings[1]),
                                             finding_doc_url(t.findings[2]), finding_doc_url(t.findings[3]), run_url};
  EXPECT_EQ(hrefs, expected) << "one docs link per finding, and the run's";
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_NE(r.text.find(visible(files[i]) + ":" + std::to_string(i + 1)), std::string::npos) << visible(files[i]);
    EXPECT_NE(r.text.find("msg " + std::to_string(i) + " @octocat <b>x</b> [l](https://evil) -->"), std::string::npos)
        << r.text;
  }
  EXPECT_EQ(r.elements.count("img"), 0u);
  EXPECT_EQ(r.comments.size(), 1u) << "only the marker";
  for (const char* live : {"@", "://"})
    EXPECT_EQ(r.text_outside_code.find(live), std::string::npos) << live << " outside <code>:\n" << r.text_outside_code;
}

}  // namespace
}  // namespace converge::plan
