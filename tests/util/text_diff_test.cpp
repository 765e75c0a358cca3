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
