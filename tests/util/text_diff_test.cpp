// Unified diffs of texts.
#include <gtest/gtest.h>

#include "converge/util/text_diff.hpp"

namespace converge::util {
namespace {

TEST(UnifiedDiff, EqualTextsHaveNoDiff) { EXPECT_EQ(unified_diff("a\nb\n", "a\nb\n", "x", "y"), ""); }

TEST(UnifiedDiff, ShowsAddedAndRemovedLinesWithHunkHeader) {
  auto d = unified_diff("a\nb\nc\n", "a\nB\nc\nd\n", "before", "after");
  EXPECT_EQ(d, "--- before\n+++ after\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n");
}

TEST(UnifiedDiff, CreateFromNothingIsAllPlus) {
  EXPECT_EQ(unified_diff("", "x\ny\n", "/dev/null", "new"), "--- /dev/null\n+++ new\n@@ -0,0 +1,2 @@\n+x\n+y\n");
}

TEST(UnifiedDiff, AHunkHeaderNamesTheStatementTheChangeIsIn) {
  std::string before = "CREATE VIEW app.big_orders AS\n SELECT id,\n    total\n   FROM app.orders\n  WHERE x > 1\n    AND y;\n";
  std::string after = before;
  after.replace(after.find("> 1"), 3, "> 5");
  EXPECT_EQ(unified_diff(before, after, "a", "b"),
            "--- a\n+++ b\n@@ -2,5 +2,5 @@ CREATE VIEW app.big_orders AS\n  SELECT id,\n     total\n    FROM app.orders\n"
            "-  WHERE x > 1\n+  WHERE x > 5\n     AND y;\n");
}

TEST(UnifiedDiff, AHunkHeaderIsCutAt80BytesAndNeverInsideACharacter) {
  std::string head = std::string(79, 'x') + "é and more";
  auto d = unified_diff(head + "\n1\n2\n3\n4\n", head + "\n1\n2\n3\nfour\n", "a", "b");
  EXPECT_NE(d.find("@@ -2,4 +2,4 @@ " + std::string(79, 'x') + "\n"), std::string::npos) << d;
}

}  // namespace
}  // namespace converge::util

namespace converge::util {
namespace {

// An edit of a deployed file goes back to the repository's file: its untouched lines
// keep the repository's text (a placeholder the deploy replaced), the edited ones come
// from the edit, turned back.
TEST(CarryLineEdits, AnEditOfTheDeployedTextLandsOnTheRepositoryTextLineForLine) {
  std::string repo = "lakehouse = \"{{LH}}\"\nprint(1)\nprint(2)\n";
  std::string deployed = "lakehouse = \"abc\"\nprint(1)\nprint(2)\n";
  std::string edited = "lakehouse = \"abc\"\nprint(1)\nprint('two')\nprint(3)\n";
  auto back = carry_line_edits(deployed, edited, repo, [](std::string_view line) {
    std::string out(line);
    if (auto at = out.find("abc"); at != std::string::npos) out.replace(at, 3, "{{LH}}");
    return out;
  });
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, "lakehouse = \"{{LH}}\"\nprint(1)\nprint('two')\nprint(3)\n");
  // No edit: the repository's text, unchanged.
  EXPECT_EQ(carry_line_edits(deployed, deployed, repo, [](std::string_view l) { return std::string(l); }), repo);
  // A deleted line is gone; lines that do not stand one for one give nullopt.
  EXPECT_EQ(carry_line_edits(deployed, "lakehouse = \"abc\"\nprint(2)\n", repo,
                             [](std::string_view l) { return std::string(l); }),
            std::optional<std::string>("lakehouse = \"{{LH}}\"\nprint(2)\n"));
  EXPECT_EQ(carry_line_edits("one line", "x", "two\nlines\n", [](std::string_view l) { return std::string(l); }),
            std::nullopt);
}

}  // namespace
}  // namespace converge::util
