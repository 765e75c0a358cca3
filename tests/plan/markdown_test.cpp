// Markdown escaping per context (plan/markdown.hpp): the exact text produced, and
// (markdown_render_test.cpp) what a real renderer makes of it.
#include <gtest/gtest.h>

#include "converge/plan/markdown.hpp"

namespace converge::plan {
namespace {

TEST(MarkdownVisible, NewlinesControlsAndBidiControlsShowAsEscapes) {
  EXPECT_EQ(visible("a\nb\rc\td\x1b" "e\x7f"), "a\\nb\\rc\\td\\x1be\\x7f");
  EXPECT_EQ(visible("x\u202Ey\u2066z\u2028w\u0085"), "x\\u{202e}y\\u{2066}z\\u{2028}w\\u{0085}");
  EXPECT_EQ(visible("caf\xC3\xA9 \xE2\x9C\x93 \xE6\x97\xA5\xF0\x9F\x98\x80"), "café ✓ 日😀") << "printable unicode stays";
}

TEST(MarkdownVisible, InvalidUtf8ShowsAsTheReplacementCharacter) {
  EXPECT_EQ(visible("a\xFF" "b\xC3"), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
  EXPECT_EQ(visible("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD") << "overlong '/'";
  EXPECT_EQ(visible("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD") << "a surrogate";
}

TEST(MarkdownClip, CutsOnACharacterBoundaryAndSaysHowMuchIsLeft) {
  EXPECT_EQ(clip("short", 10), "short");
  EXPECT_EQ(clip("ab\xC3\xA9" "cd", 3), "ab… (4 more bytes)");
}

TEST(MarkdownCodeSpan, ItsFenceIsLongerThanAnyBacktickRunInside) {
  EXPECT_EQ(md_code("users"), "` users `");
  EXPECT_EQ(md_code("a`b"), "`` a`b ``");
  EXPECT_EQ(md_code("``x```"), "```` ``x``` ````");
  EXPECT_EQ(md_code("`"), "`` ` ``") << "padded: a backtick at either end cannot touch the fence";
  EXPECT_EQ(md_code("  "), "`  `") << "all spaces are never stripped, so not padded";
  EXPECT_EQ(md_code("x\n<!--"), "` x\\n<!-- `") << "inside a code span, HTML is text";
}

TEST(MarkdownText, PunctuationThatCouldMeanSomethingIsEscaped) {
  EXPECT_EQ(md_text("<!-- hidden"), "\\<!-- hidden") << "without its '<', no comment opens";
  EXPECT_EQ(md_text("<img src=x onerror=alert(1)>"), "\\<img src=x onerror=alert(1\\)\\>");
  EXPECT_EQ(md_text("*a* _b_ ~c~ `d` [e] &amp; $x$ a|b \\"), "\\*a\\* \\_b\\_ \\~c\\~ \\`d\\` \\[e\\] \\&amp; \\$x\\$ a\\|b \\\\");
  EXPECT_EQ(md_text("- item"), "\\- item");
  EXPECT_EQ(md_text("1. first"), "1\\. first");
  EXPECT_EQ(md_text("version 3 was applied, but its file is gone!"), "version 3 was applied, but its file is gone!")
      << "prose stays readable";
}

TEST(MarkdownText, WordsThatCouldPingReferenceOrLinkBecomeCodeSpans) {
  EXPECT_EQ(md_text("ask @octocat"), "ask ` @octocat `");
  EXPECT_EQ(md_text("see #1"), "see ` #1 `");
  EXPECT_EQ(md_text("GH-12"), "` GH-12 `");
  EXPECT_EQ(md_text("[x](https://evil)"), "` [x](https://evil) `");
  EXPECT_EQ(md_text("www.evil.com"), "` www.evil.com `");
  EXPECT_EQ(md_text("evil.com"), "` evil.com `");
  EXPECT_EQ(md_text("a@b"), "` a@b `");
  EXPECT_EQ(md_text("//evil"), "` //evil `");
  EXPECT_EQ(md_text("done: ok."), "done: ok.") << "a trailing ':' or '.' links nothing";
}

TEST(MarkdownText, NewlinesNeverSurvive) {
  EXPECT_EQ(md_text("a\n<!--\nb"), "a\\\\n\\<!--\\\\nb");
  EXPECT_EQ(md_text("a\r\nb").find('\n'), std::string::npos);
}

TEST(MarkdownPlain, HasNoMarkupCharacterAndBreaksMentionsReferencesAndLinks) {
  EXPECT_EQ(md_plain("applied at 0123456789ab (break glass: outage)"),
            "applied at 0123456789ab (break glass: outage)");
  EXPECT_EQ(md_plain("<!-- *x* `y` [z] _w_ a|b \\"),
            "&#60;!-- &#42;x&#42; &#96;y&#96; &#91;z&#93; &#95;w&#95; a&#124;b &#92;");
  EXPECT_EQ(md_plain("@octocat #1 1)"), "&#64;\u2060octocat #\u20601 1&#41;");
  EXPECT_EQ(md_plain("https://evil"), "https:\u2060/\u2060/\u2060evil");
  const auto plain = md_plain("x\n<img src=x>*`[]\r@a");
  EXPECT_EQ(plain.find_first_of("<>*`[]\r\n"), std::string::npos) << plain;
}

TEST(MarkdownCell, APipeCannotSplitTheCell) {
  EXPECT_EQ(md_cell("app-db"), "app-db") << "a plain name stays as it is";
  EXPECT_EQ(md_cell("a|b"), "` a\\|b `");
  EXPECT_EQ(md_cell("a\\|b"), "` a\\x5c\\|b `") << "a backslash before a pipe cannot escape the escape";
  EXPECT_EQ(md_cell("a\nb").find('\n'), std::string::npos);
}

TEST(MarkdownHtml, TextAndAttributeValuesEscapeEveryHtmlCharacter) {
  EXPECT_EQ(html_text("<a href=\"x\" title='y'>&</a>"), "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(html_text("a\n\nb"), "a\\n\\nb") << "a blank line would end the HTML block";
  EXPECT_EQ(html_code("</summary>@octocat"), "<code>&lt;/summary&gt;@octocat</code>");
}

TEST(MarkdownCodeBlock, ItsFenceIsLongerThanAnyBacktickOrTildeRunInside) {
  EXPECT_EQ(md_code_block("select 1;\n", "diff"), "```diff\nselect 1;\n```\n");
  EXPECT_EQ(md_code_block("````\n", "diff"), "`````diff\n````\n`````\n");
  EXPECT_EQ(md_code_block("~~~~~~\n"), "```````\n~~~~~~\n```````\n");
  EXPECT_EQ(md_code_block("no newline"), "```\nno newline\n```\n");
}

TEST(MarkdownCodeBlock, ALoneCarriageReturnCannotFakeALine) {
  EXPECT_EQ(md_code_block("+ok\r- drop table users\r\nnext\n"), "```\n+ok\\r- drop table users\r\nnext\n```\n");
  EXPECT_EQ(md_code_block("a\u202Eb\tc\n"), "```\na\\u{202e}b\tc\n```\n");
}

TEST(MarkdownCodeBlock, TheInfoStringCannotHoldABacktick) {
  EXPECT_EQ(md_code_block("x", "di`ff\n"), "```diff\nx\n```\n");
}

TEST(MarkdownEscaping, AMillionBackticksGetAFenceOneLonger) {
  const std::string backticks(1'000'000, '`');
  EXPECT_EQ(md_code(backticks), std::string(1'000'001, '`') + " " + backticks + " " + std::string(1'000'001, '`'));
  EXPECT_EQ(md_code_block(backticks).substr(0, 1'000'002), std::string(1'000'001, '`') + "\n");
}

}  // namespace
}  // namespace converge::plan
