// What a reader sees of converge's markdown, rendered by a real CommonMark/GFM
// renderer (markdown-it with raw HTML and linkify on, as GitHub; parsed by parse5):
// each escaping context shows its text exactly, and the whole plan comment and job
// summary of a plan full of hostile names show every change as text, no element,
// link or comment that converge does not emit itself, and no @mention or #ref
// outside <code> (where GitHub would ping or link it).
#include <gtest/gtest.h>

#include <set>

#include "converge/github/plan_comment.hpp"
#include "converge/plan/markdown.hpp"
#include "converge/plan/render.hpp"
#include "markdown/markdown_it.hpp"

namespace converge::plan {
namespace {

using testing::render_with_markdown_it;
using testing::Rendered;

const std::vector<std::string> kHostile = {
    "`",
    "a``b",
    std::string(300, '`') + "x",
    "x\n<!--",
    "-->",
    "x\n\n<details>",
    "</details></summary>",
    "<img src=x onerror=alert(1)>",
    "@octocat",
    "ping @octocat and #1",
    "#1",
    "GH-7",
    "[x](https://evil)",
    "https://evil.example/x",
    "www.evil.com",
    "mail me@evil.com",
    "a|b",
    "a\\|b",
    "| x | y |",
    "*bold* _em_ ~~s~~ $x$ ^[note] &amp; &lt;",
    "# heading",
    "> quote",
    "- item",
    "1. item",
    "===",
    "cr\rlf\r\nend",
    "tab\tend",
    "caf\xC3\xA9 \xE2\x9C\x93 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80",
    "bidi \u202Eevil",
    "  spaces  ",
    "\\",
    "```\ncode\n```",
};

// One paragraph (or block) per hostile string and context, in order.
TEST(MarkdownRendered, EachContextShowsItsTextExactly) {
  std::string md;
  for (const auto& s : kHostile) md += md_code(s) + "\n\n";
  for (const auto& s : kHostile) md += "text: " + md_text(s) + "\n\n";
  for (const auto& s : kHostile) md += "<details><summary>" + html_code(s) + "</summary>\n\n</details>\n\n";
  for (const auto& s : kHostile) md += md_code_block(s, "diff") + "\n";
  md += "| cell |\n|---|\n";
  for (const auto& s : kHostile) md += "| " + md_cell(s) + " |\n";

  const Rendered r = render_with_markdown_it(md);
  const size_t n = kHostile.size();
  ASSERT_EQ(r.blocks.size(), 4 * n + 1) << r.html;
  for (size_t i = 0; i < n; ++i) {
    const auto& s = kHostile[i];
    EXPECT_EQ(r.blocks[i], visible(s)) << "code span of " << s;
    std::string text = "text: " + visible(s);
    while (text.back() == ' ') text.pop_back();  // a paragraph's trailing spaces are not content
    EXPECT_EQ(r.blocks[n + i], text) << "plain text of " << s;
    EXPECT_EQ(r.blocks[2 * n + i], visible(s) + "\n") << "summary of " << s;
    // A code block keeps its lines; a lone \r (a line break to CommonMark) and the
    // bidirectional control are shown as escapes, a \r\n is a line ending.
    std::string body = s.back() == '\n' ? s : s + "\n";
    for (auto [from, to] : {std::pair<std::string, std::string>{"\r\n", "\n"}, {"\r", "\\r"},
                            {"\u202E", "\\u{202e}"}})
      for (size_t p = 0; (p = body.find(from, p)) != std::string::npos; p += to.size()) body.replace(p, from.size(), to);
    EXPECT_EQ(r.blocks[3 * n + i], body) << "code block of " << s;
  }
  // The table: a header and one row per string, each one cell showing it.
  const std::string table = r.blocks[4 * n];
  size_t at = 0;
  for (const auto& s : kHostile) {
    std::string shown = visible(s);  // as md_cell shows a backslash before a pipe
    for (size_t p = 0; (p = shown.find("\\|", p)) != std::string::npos; p += 6) shown.replace(p, 1, "\\x5c");
    at = table.find("\n" + shown + "\n", at);
    EXPECT_NE(at, std::string::npos) << "cell of " << s << " in " << table;
  }
  EXPECT_EQ(r.elements.at("tr"), static_cast<int>(n + 1)) << "no cell split a row";
  EXPECT_EQ(r.elements.at("td"), static_cast<int>(n)) << "no pipe split a cell";

  // Nothing came alive: only the elements written above, no link, no comment, no
  // attribute but the code block's language.
  const std::set<std::string> allowed = {"p", "code", "details", "summary", "pre", "table", "thead", "tbody",
                                         "tr", "th", "td"};
  for (const auto& [tag, count] : r.elements) EXPECT_TRUE(allowed.contains(tag)) << "<" << tag << "> x" << count;
  EXPECT_TRUE(r.links.empty()) << r.links.dump();
  EXPECT_TRUE(r.comments.empty());
  for (const auto& a : r.attributes) EXPECT_EQ(a.dump(), R"({"name":"class","tag":"code","value":"language-diff"})");
  for (const char* live : {"@", "#", "://", "www."})
    EXPECT_EQ(r.text_outside_code.find(live), std::string::npos) << live << " outside <code>:\n" << r.text_outside_code;
}

TEST(MarkdownRendered, PlainTextShowsItsTextWithoutMentionsReferencesOrLinks) {
  std::string md;
  for (const auto& s : kHostile) md += "**" + md_plain(s) + "**\n\n";
  const Rendered r = render_with_markdown_it(md);
  ASSERT_EQ(r.blocks.size(), kHostile.size()) << r.html;
  for (size_t i = 0; i < kHostile.size(); ++i) {
    std::string shown = r.blocks[i];
    for (size_t p = 0; (p = shown.find("\u2060", p)) != std::string::npos;) shown.erase(p, 3);
    const auto& s = kHostile[i];
    const bool spaced = s.front() == ' ' || s.back() == ' ';  // then "**" is no emphasis, and shows
    EXPECT_EQ(shown, spaced ? "**" + visible(s) + "**" : visible(s)) << s;
  }
  for (const auto& [tag, count] : r.elements) EXPECT_TRUE(tag == "p" || tag == "strong") << "<" << tag << ">";
  EXPECT_TRUE(r.links.empty()) << r.links.dump();
  EXPECT_TRUE(r.comments.empty());
  for (size_t p = 0; (p = r.text.find_first_of("@#", p)) != std::string::npos; ++p)
    EXPECT_FALSE(std::isalnum(static_cast<unsigned char>(r.text[p + 1]))) << "live mention or reference at " << p;
}

// An empty target plan of `target` and `provider`.
TargetPlan target_plan(std::string target, std::string provider) {
  TargetPlan t;
  t.target = std::move(target);
  t.provider = std::move(provider);
  t.bundle_hash = "h";
  return t;
}

// A plan with hostile keys, kinds, notes, errors and diffs, and a delete at the end.
Plan hostile_plan() {
  Plan p{"prod", "0123456789abcdef0123456789abcdef01234567", {}};
  TargetPlan db = target_plan("app-db", "sql");
  int i = 0;
  for (const auto& s : kHostile) {
    const std::string key = std::to_string(20260101000000 + i++) + "_" + s;
    db.changes.push_back({Action::create, "migration", key, nullptr, {{"sql", "create table t (x int); -- " + s + "\n"}}});
    db.changes.back().title = "title " + s;  // a slice_name, a dashboard_title: any text
  }
  // A title of 10 KB is cut, and its key still shows.
  db.changes.push_back({Action::create, "chart", "charts/long", nullptr, {{"slice_name", "x"}}});
  db.changes.back().title = std::string(10 * 1024, '@') + "`|<!--\n";
  db.changes.push_back({Action::update, "schema", "schema", "create table users (id int);\n```\n~~~\n</details>\n",
                        "<!--\n@octocat #1 https://evil\n"});
  db.changes.push_back({Action::remove, "migration", "20270101000000_drop_users",
                        {{"sql", "drop table users;\n"}}, nullptr});
  db.notes = {"note: " + kHostile[3] + " " + kHostile[9], "@octocat see #1 <!--"};
  db.errors = {"failed: <img src=x onerror=alert(1)>\n<!--\nhidden", "ping @octocat #1 [x](https://evil)"};
  p.targets.push_back(std::move(db));
  // Target and provider names are checked by the config, but the renderer does not
  // rely on it.
  TargetPlan odd = target_plan("t|<b>@octocat</b>\n<!--", "pro`vider|x");
  odd.notes = {"notes with | and ` and -->"};
  odd.changes.push_back({Action::replace, "k`ind <!--", "key\n-->", "a\n", "b\n"});
  odd.changes.push_back({Action::remove, "chart", "@octocat #1", {{"name", "Sales"}}, nullptr});
  odd.changes.back().title = "Sales | <b>@octocat</b>\n```";
  p.targets.push_back(std::move(odd));
  return p;
}

const std::string kRunUrl = "https://github.com/octo-org/octo-repo/actions/runs/42";

// The checks every rendering of hostile_plan() must pass.
void expect_every_change_shown_and_nothing_alive(const Plan& plan, const Rendered& r, bool comment) {
  for (const auto& t : plan.targets)
    for (const auto& c : t.changes) {
      EXPECT_NE(r.text.find(visible(c.key)), std::string::npos) << "key not visible: " << visible(c.key);
      if (c.title.empty()) continue;
      // The title as shown: trimmed of spaces, cut to 200 bytes.
      std::string title = c.title.substr(0, c.title.find_last_not_of(' ') + 1);
      title = visible(clip(title.substr(title.find_first_not_of(' ')), 200));
      EXPECT_NE(r.text.find(title + " ("), std::string::npos) << "title not visible: " << title;
    }
  EXPECT_NE(r.text.find("drop table users;"), std::string::npos) << "the delete's SQL is visible";
  for (const auto& t : plan.targets) {
    for (const auto& e : t.errors) EXPECT_NE(r.text.find(visible(e)), std::string::npos) << visible(e);
    for (const auto& n : t.notes) EXPECT_NE(r.text.find(visible(n)), std::string::npos) << visible(n);
  }
  // Each change heading starts with its action's symbol as code: count them.
  std::map<std::string, int> shown;
  for (const auto& code : r.code) ++shown[code];
  const auto total = count(plan);
  EXPECT_EQ(shown["+"], total.create);
  EXPECT_EQ(shown["~"], total.update);
  EXPECT_EQ(shown["-"], total.remove);
  EXPECT_EQ(shown["-/+"], total.replace);
  EXPECT_NE(r.text.find(summary_line(total)), std::string::npos);

  const std::set<std::string> converge_emits = {"h3", "p", "strong", "em", "code", "blockquote", "table", "thead",
                                                "tbody", "tr", "th", "td", "details", "summary", "b", "pre", "sub",
                                                "a"};
  for (const auto& [tag, n] : r.elements) EXPECT_TRUE(converge_emits.contains(tag)) << "<" << tag << "> x" << n;
  EXPECT_EQ(r.elements.count("a") ? r.elements.at("a") : 0, comment ? 1 : 0);
  for (const auto& link : r.links) EXPECT_EQ(link["href"], kRunUrl) << "only converge's own link";
  for (const auto& a : r.attributes) {
    const bool own_link = a["tag"] == "a" && a["name"] == "href" && a["value"] == kRunUrl;
    const bool diff_class = a["tag"] == "code" && a["name"] == "class" && a["value"] == "language-diff";
    EXPECT_TRUE(own_link || diff_class) << a.dump();
  }
  ASSERT_EQ(r.comments.size(), comment ? 1u : 0u) << "only the marker";
  if (comment) {
    EXPECT_EQ(r.comments[0].rfind(" converge:plan v=1 env=prod ", 0), 0u) << r.comments[0];
  }
  // GitHub pings @names and links #N, URLs and www. in text outside <code>.
  for (const char* live : {"@", "#", "://", "www."})
    EXPECT_EQ(r.text_outside_code.find(live), std::string::npos) << live << " outside <code>:\n" << r.text_outside_code;
}

TEST(MarkdownRendered, TheCommentOfAHostilePlanShowsEveryChangeAndNothingAlive) {
  const auto plan = hostile_plan();
  const auto body = github::comment_body(plan, "b6a3f2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5", kRunUrl);
  ASSERT_EQ(body.find("not shown"), std::string::npos) << "the whole plan fits";
  expect_every_change_shown_and_nothing_alive(plan, render_with_markdown_it(body), true);
}

TEST(MarkdownRendered, TheJobSummaryOfAHostilePlanShowsEveryChangeAndNothingAlive) {
  const auto plan = hostile_plan();
  expect_every_change_shown_and_nothing_alive(plan, render_with_markdown_it(render_markdown(plan)), false);
}

TEST(MarkdownRendered, ACutCommentListsChangesWithoutDiffsAndCountsTheDeletesItLeavesOut) {
  Plan plan{"prod", "abc", {}};
  TargetPlan db = target_plan("app-db", "sql");
  for (int i = 0; i < 3000; ++i)
    db.changes.push_back({Action::create, "migration", std::to_string(i) + "_`x`\n<!--", nullptr,
                          {{"sql", std::string(100, '`') + "\n"}}});
  db.changes.push_back({Action::remove, "migration", "9999_drop", {{"sql", "drop table users;\n"}}, nullptr});
  plan.targets.push_back(std::move(db));
  const auto body = github::comment_body(plan, "b6a3f2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5", kRunUrl);
  ASSERT_LE(body.size(), github::kCommentLimit);
  const auto r = render_with_markdown_it(body);
  EXPECT_NE(r.text.find("3000 to create, 0 to update, 1 to delete"), std::string::npos);
  EXPECT_NE(r.text.find("(diff not shown)"), std::string::npos) << "changes past the diffs are still listed";
  EXPECT_NE(r.text.find("changes are not shown (1 of them delete or replace)"), std::string::npos)
      << "the delete left out is counted where the reader looks";
  EXPECT_EQ(r.comments.size(), 1u) << "no comment opened by a key";
  EXPECT_EQ(r.elements.count("img") + r.elements.count("script"), 0u);
  EXPECT_NE(r.text.find("workflow run"), std::string::npos) << "the footer survives the cut";
}

}  // namespace
}  // namespace converge::plan
