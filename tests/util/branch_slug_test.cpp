// util::branch_slug: the per-branch word of feature environments.
#include <gtest/gtest.h>

#include <set>

#include "converge/util/branch_slug.hpp"

namespace converge::util {
namespace {

TEST(BranchSlug, KeepsSafeCharactersAndTurnsEveryOtherRunIntoOneDash) {
  EXPECT_EQ(branch_slug("feature/JIRA-12345"), "feature-JIRA-12345");
  EXPECT_EQ(branch_slug("JIRA-12345"), "JIRA-12345");
  EXPECT_EQ(branch_slug("a  b//c\td"), "a-b-c-d");
  EXPECT_EQ(branch_slug("v1.2_rc"), "v1.2_rc");
  EXPECT_EQ(branch_slug("/-.lead.-/"), "lead");
  EXPECT_EQ(branch_slug("ünïcode/ß"), "n-code");
}

TEST(BranchSlug, HostileBranchesGiveNoSeparatorQuoteOrControlCharacter) {
  for (std::string branch : {"../../etc/passwd", "a;rm -rf /", "$(id)`x`", "x\ny\r\0z", "[FEATURE]{x}", "%2e%2e"}) {
    const auto slug = branch_slug(branch);
    ASSERT_FALSE(slug.empty()) << branch;
    for (char c : slug)
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_') << branch << " → " << slug;
    EXPECT_NE(slug.front(), '.') << slug;
    EXPECT_NE(slug.front(), '-') << slug;
    EXPECT_EQ(slug.find(".."), std::string::npos) << slug;
  }
}

TEST(BranchSlug, ALongBranchIsCutWithItsDigestSoBranchesThatShareABeginningStayApart) {
  const std::string common(80, 'x');
  const auto a = branch_slug("feature/" + common + "-one");
  const auto b = branch_slug("feature/" + common + "-two");
  EXPECT_EQ(a.size(), kBranchSlugMax);
  EXPECT_EQ(b.size(), kBranchSlugMax);
  EXPECT_NE(a, b);
  EXPECT_TRUE(a.starts_with("feature-xxx")) << a;
  EXPECT_EQ(branch_slug("feature/" + common + "-one"), a);  // deterministic
}

TEST(BranchSlug, ABranchWithNothingToKeepStillGetsADistinctName) {
  const auto a = branch_slug("///"), b = branch_slug("ü");
  EXPECT_TRUE(a.starts_with("branch-")) << a;
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace converge::util
