// Cutting markdown to a byte limit: at a line end, open fences and <details> closed,
// the note last, never over the limit.
#include <gtest/gtest.h>

#include "converge/plan/markdown_cut.hpp"

namespace converge::plan {
namespace {

constexpr std::string_view kNote = "> [!NOTE]\n> cut\n";

TEST(MarkdownCut, TextThatFitsIsUnchanged) {
  EXPECT_EQ(cut_markdown("a\n```\nb\n", 100, kNote), "a\n```\nb\n");
  EXPECT_EQ(cut_markdown("", 0, kNote), "");
}

TEST(MarkdownCut, CutsAtALineEndAndClosesAnOpenFence) {
  const std::string md = "intro\n\n````diff\n+ a\n+ ```\n+ b\n````\n\nafter that, a longer paragraph\n";
  // "+ a\n" ends at 20; the closing fence, a blank line and the note take 22 bytes.
  EXPECT_EQ(cut_markdown(md, 42, kNote), "intro\n\n````diff\n+ a\n````\n\n" + std::string(kNote));
  EXPECT_EQ(cut_markdown(md, 41, kNote), "intro\n\n````diff\n````\n\n" + std::string(kNote));
  // After its closing fence (at 36) nothing is closed again.
  EXPECT_EQ(cut_markdown(md, 53, kNote), md.substr(0, 36) + "\n" + std::string(kNote));
}

TEST(MarkdownCut, ClosesOpenDetailsAndTildeFences) {
  const std::string md =
      "<details open><summary>t</summary>\n\n~~~\nx\n~~~~~\n\n~~~\ny\n" + std::string(60, 'z') + "\n";
  // The first fence closes at 48, the blank line after it ends at 49.
  EXPECT_EQ(cut_markdown(md, 49 + 13 + kNote.size(), kNote),
            md.substr(0, 49) + "\n</details>\n\n" + std::string(kNote));
  // Inside the second fence (opened at 49, "y\n" ends at 55): fence, then details.
  EXPECT_EQ(cut_markdown(md, 55 + 17 + kNote.size(), kNote),
            md.substr(0, 55) + "~~~\n\n</details>\n\n" + std::string(kNote));
}

TEST(MarkdownCut, NeverExceedsTheLimitNorSplitsACharacter) {
  std::string md = "# plan\n\n<details><summary>x</summary>\n\n```diff\n";
  for (int i = 0; i < 40; ++i) md += "+ \xE6\x97\xA5\xE6\x9C\xAC caf\xC3\xA9 " + std::to_string(i) + "\n";
  md += "```\n\n</details>\n";
  for (size_t limit = 0; limit < md.size(); ++limit) {
    const std::string cut = cut_markdown(md, limit, kNote);
    ASSERT_LE(cut.size(), limit);
    if (cut.size() < kNote.size()) continue;  // only the note, cut
    ASSERT_TRUE(cut.ends_with(kNote)) << limit;
    const std::string kept = cut.substr(0, cut.size() - kNote.size());
    // Whatever was kept of the input ends at a line end: no character is split.
    const size_t common = [&] {
      size_t n = 0;
      while (n < kept.size() && n < md.size() && kept[n] == md[n]) ++n;
      return n;
    }();
    ASSERT_TRUE(common == 0 || md[common - 1] == '\n') << limit << ": " << kept;
  }
}

}  // namespace
}  // namespace converge::plan
