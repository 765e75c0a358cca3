// Attacker: hostile migration file names hide a later change in the plan comment
// (issue 8, item 5). A PR adds migrations named with a backtick, a newline followed
// by "<!--", an @mention, a pipe and an HTML tag, and after them one that drops a
// table. Before the fix the comment's markdown came alive: the backtick closed the
// code span, "<!--" opened an HTML comment that swallowed every later change (the
// drop became invisible while the counts still added up), @octocat was pinged.
// Here the real `converge plan-comment` posts to the local GitHub server, the posted
// comment is rendered with markdown-it as GitHub would, and every migration, the
// drop above all, must be visible as text, with nothing alive.
#include <set>

#include "converge/plan/markdown.hpp"
#include "converge/version.hpp"
#include "markdown/markdown_it.hpp"
#include "steps/github_fixture.hpp"

namespace converge::testing {
namespace {

using HostileNames = GitHubFlowTest;

const std::string kHead = "b6a3f2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5";

// version -> name of each migration the PR adds, the drop last.
const std::vector<std::pair<std::string, std::string>> kHostileMigrations = {
    {"20260102000000", "a`b"},
    {"20260103000000", "x\n<!--"},
    {"20260104000000", "@octocat"},
    {"20260105000000", "a|b"},
    {"20260106000000", "<img src=x onerror=alert(1)>"},
    {"20260107000000", "--> [x](https:evil) #1"},
    {"20260108000000", "drop_users"},
};

TEST_F(HostileNames, EveryMigrationAndTheDropStayVisibleAsTextInThePostedComment) {
  for (const auto& [version, name] : kHostileMigrations) {
    const bool drop = name == "drop_users";
    dir_.write("db/migrations/" + version + "_" + name + ".sql",
               drop ? "-- migrate:up\ndrop table users;\n\n-- migrate:down\n"
                    : "-- migrate:up\ncreate table t" + version + " (id integer);\n\n-- migrate:down\n");
  }
  const auto sha = repo_->commit_all("hostile names");
  github_.seed({{"pulls", {{{"number", 7}, {"user", "mallory"}, {"head", {{"ref", "feature"}, {"sha", kHead}}},
                            {"base", {{"ref", "main"}}}}}}});

  auto run = step({"plan-comment"}, "pull_request", pull_request_event(7, "main", kHead), sha);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto comments = github_.comments(7);
  ASSERT_EQ(comments.size(), 1u);
  const std::string body = comments[0]["body"];
  const Rendered r = render_with_markdown_it(body);

  // Every migration is visible as text, in the heading of its change, and the drop
  // with its SQL.
  EXPECT_NE(r.text.find("20260101000000_users"), std::string::npos) << r.text;
  for (const auto& [version, name] : kHostileMigrations)
    EXPECT_NE(r.text.find(plan::visible(version + "_" + name)), std::string::npos)
        << "migration " << plan::visible(name) << " is hidden:\n" << r.text;
  EXPECT_NE(r.text.find("drop table users;"), std::string::npos) << "the drop is hidden:\n" << r.text;
  EXPECT_NE(r.text.find("8 to create, 0 to update, 0 to delete, 0 to replace"), std::string::npos);
  std::map<std::string, int> code;
  for (const auto& c : r.code) ++code[c];
  EXPECT_EQ(code["+"], 8) << "each of the 8 changes is shown with its heading:\n" << r.html;

  // Nothing alive: converge's own elements only, its own links only, the marker the
  // only HTML comment, no ping, reference or link outside <code>.
  const std::set<std::string> converge_emits = {"h3", "p", "strong", "em", "code", "blockquote", "table", "thead",
                                                "tbody", "tr", "th", "td", "details", "summary", "b", "pre", "sub",
                                                "a", "h4", "ul", "li"};
  for (const auto& [tag, n] : r.elements) EXPECT_TRUE(converge_emits.contains(tag)) << "<" << tag << "> x" << n;
  // Links: the Actions run, and the docs of a lint rule at this release.
  const std::string docs = "https://github.com/" + std::string(kRepository) + "/blob/v" + kVersion + "/docs/";
  for (const auto& link : r.links) {
    const auto href = link["href"].get<std::string>();
    EXPECT_TRUE(href.starts_with("https://github.com/" + github_.repository() + "/actions/runs/") ||
                href.starts_with(docs))
        << link.dump();
  }
  // The marker first; after it only the markers of converge's own sections (the
  // schema diff's "<!-- converge:schema-preview -->", the last "<!-- converge:next -->").
  ASSERT_GE(r.comments.size(), 2u) << body;
  EXPECT_EQ(r.comments[0].rfind(" converge:plan v=1 env=prod ", 0), 0u);
  for (size_t i = 1; i + 1 < r.comments.size(); ++i) EXPECT_EQ(r.comments[i], " converge:schema-preview ") << body;
  EXPECT_EQ(r.comments.back(), " converge:next ") << body;
  for (const char* live : {"@", "#", "https:"})
    EXPECT_EQ(r.text_outside_code.find(live), std::string::npos) << live << " outside <code>:\n" << r.text_outside_code;
  EXPECT_FALSE(token_leaked());
}

}  // namespace
}  // namespace converge::testing
