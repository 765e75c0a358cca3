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

}  // namespace
}  // namespace converge::util
