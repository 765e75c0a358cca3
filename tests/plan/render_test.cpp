// Plan renderings: counts, deletion warning, diffs (SQL for migrations, YAML for
// items), items named by their titles, the no-changes form.
#include <gtest/gtest.h>

#include "converge/plan/render.hpp"

namespace converge::plan {
namespace {

Plan with(std::vector<Change> changes) {
  Plan p;
  p.environment = "prod";
  p.git_sha = "abcdef0123456789";
  TargetPlan t;
  t.target = "app-db";
  t.provider = "sql";
  t.bundle_hash = "h";
  t.changes = std::move(changes);
  p.targets.push_back(std::move(t));
  return p;
}

TEST(PlanRender, TextShowsCountsAndTheSqlOfACreatedMigration) {
  auto text = render_text(with({{Action::create, "migration", "2_posts", nullptr, {{"sql", "create table posts();\n"}}}}));
  EXPECT_NE(text.find("Plan for environment prod at abcdef012345: 1 to create, 0 to update, 0 to delete"),
            std::string::npos);
  EXPECT_NE(text.find("+ create migration 2_posts"), std::string::npos);
  EXPECT_NE(text.find("+create table posts();"), std::string::npos);
  EXPECT_EQ(text.find("WARNING"), std::string::npos);
}

TEST(PlanRender, WarnsClearlyWhenAnythingIsDeleted) {
  auto p = with({{Action::remove, "chart", "c1", {{"name", "Sales"}}, nullptr}});
  EXPECT_NE(render_text(p).find("WARNING: this plan deletes 1 item."), std::string::npos);
  EXPECT_NE(render_markdown(p).find("> [!WARNING]"), std::string::npos);
}

TEST(PlanRender, UpdateShowsAUnifiedDiff) {
  Change c{Action::update, "schema", "schema", "CREATE TABLE t (a int);\n", "CREATE TABLE t (a int, b int);\n"};
  auto diff = change_diff(c);
  EXPECT_NE(diff.find("--- actual/schema/schema"), std::string::npos);
  EXPECT_NE(diff.find("-CREATE TABLE t (a int);"), std::string::npos);
  EXPECT_NE(diff.find("+CREATE TABLE t (a int, b int);"), std::string::npos);
}

Change titled(Change c, std::string title) {
  c.title = std::move(title);
  return c;
}

TEST(PlanRender, NamesAnItemByItsTitleWithTheKeyAfter) {
  auto p = with({titled({Action::create, "charts", "charts/9c2b", nullptr, {{"slice_name", "Revenue"}}}, "Revenue"),
                 {Action::create, "charts", "charts/untitled", nullptr, {{"uuid", "untitled"}}},
                 titled({Action::create, "migration", "2_posts", nullptr, {{"sql", "select 1;\n"}}},
                        "db/migrations/2_posts.sql")});
  auto text = render_text(p);
  EXPECT_NE(text.find("\n+ create charts Revenue (charts/9c2b)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n+ create charts charts/untitled\n"), std::string::npos) << "no title: the key";
  EXPECT_NE(text.find("\n+ create migration db/migrations/2_posts.sql\n"), std::string::npos)
      << "a title that holds the key is enough";
  auto md = render_markdown(p);
  EXPECT_NE(md.find("`+` **create** charts Revenue (` charts/9c2b `)\n"), std::string::npos) << md;
  EXPECT_NE(md.find("`+` **create** charts ` charts/untitled `\n"), std::string::npos) << md;
  EXPECT_NE(md.find("`+` **create** migration ` db/migrations/2_posts.sql `\n"), std::string::npos) << md;
}

TEST(PlanRender, AHostileTitleStaysOnItsLineAndCannotHideTheKey) {
  const std::string key = "charts/9c2b";
  for (const std::string& title : {std::string("x\n::error::forged\n+ create charts ") + key, key, "other/" + key,
                                   std::string("dir/9c2b.sql"),
                                   std::string(10 * 1024, 'T') + " " + key, std::string("\r\x1b[2J\u202E ")}) {
    const Change c = titled({Action::create, "charts", key, nullptr, {{"uuid", "9c2b"}}}, title);
    const std::string line = item_name(c);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_EQ(line.find('\r'), std::string::npos);
    EXPECT_EQ(line.find('\x1b'), std::string::npos);
    EXPECT_LT(line.size(), 300u) << "a title is cut";
    EXPECT_TRUE(line.ends_with(" (" + key + ")")) << "the key, after the title: " << line;
    EXPECT_EQ(render_text(with({c})).find("\n::error"), std::string::npos);
  }
}

TEST(PlanRender, AnItemDiffIsTheYamlPeopleWriteWithStringsQuotedWhereYamlWouldRetypeThem) {
  Change create{Action::create, "charts", "charts/c1", nullptr,
                {{"slice_name", "Revenue: EUR"}, {"params", {{"metric", "sum"}, {"groupby", {"region"}}}},
                 {"version", "1.0"}, {"enabled", "yes"}, {"description", ""}, {"cache_timeout", nullptr},
                 {"sql_filter", "{{ region }}"}, {"order", 3}}};
  const auto diff = change_diff(create);
  for (const char* line : {"+cache_timeout: null\n", "+description: \"\"\n", "+enabled: \"yes\"\n", "+order: 3\n",
                           "+params:\n", "+  groupby:\n", "+    - region\n", "+  metric: sum\n",
                           "+slice_name: \"Revenue: EUR\"\n", "+sql_filter: \"{{ region }}\"\n", "+version: \"1.0\"\n"})
    EXPECT_NE(diff.find(line), std::string::npos) << line << " in\n" << diff;
  EXPECT_EQ(diff.find('{'), diff.find("{{ region }}")) << "no JSON braces";
}

TEST(PlanRender, AnItemValueCannotForgeLinesOfItsDiff) {
  Change c{Action::update, "charts", "charts/c1", {{"description", "old"}},
           {{"description", "new\n-description: old\n+admin: true\n@@ -1 +1 @@"}, {"x", "\xff\x01\x1b[2J"}}};
  const auto diff = change_diff(c);
  size_t lines = 0;
  for (size_t at = 0; (at = diff.find('\n', at)) != std::string::npos; ++at) ++lines;
  EXPECT_EQ(lines, 6u) << "two labels, one hunk header, one line out, two in:\n" << diff;
  EXPECT_EQ(diff.find("\n+admin"), std::string::npos) << diff;
  EXPECT_EQ(diff.find('\x1b'), std::string::npos) << "YAML escapes controls";
}

TEST(PlanRender, AnItemUpdateShowsTheChangedFieldInItsPlace) {
  nlohmann::json params = {{"a1", 1}, {"a2", 2}, {"a3", 3}, {"a4", 4}, {"metric", "count"}, {"row_limit", 100}};
  Change c{Action::update, "charts", "charts/c1", {{"params", params}}, nullptr};
  params["metric"] = "sum";
  c.after = {{"params", params}};
  const auto diff = change_diff(c);
  EXPECT_NE(diff.find("--- actual/charts/c1\n+++ desired/charts/c1\n"), std::string::npos) << diff;
  EXPECT_NE(diff.find("@@ -3,5 +3,5 @@ params:\n"), std::string::npos) << "the hunk names the field\n" << diff;
  EXPECT_NE(diff.find("\n   a4: 4\n-  metric: count\n+  metric: sum\n   row_limit: 100\n"), std::string::npos) << diff;
}

TEST(PlanRender, ADatasetWithAnSqlFieldIsShownWhole) {
  Change c{Action::create, "datasets", "datasets/d1", nullptr,
           {{"table_name", "sales"}, {"sql", ""}, {"uuid", "d1"}, {"schema", "public"}}};
  const auto diff = change_diff(c);
  EXPECT_NE(diff.find("+table_name: sales\n"), std::string::npos) << diff;
  EXPECT_NE(diff.find("+sql: \"\"\n"), std::string::npos) << diff;
  Change migration{Action::create, "migration", "2_posts", nullptr,
                   {{"version", "2"}, {"name", "posts"}, {"sql", "create table posts();\n"}, {"transaction", true}}};
  EXPECT_NE(change_diff(migration).find("@@ -0,0 +1,1 @@\n+create table posts();\n"), std::string::npos)
      << "a migration stays its SQL: " << change_diff(migration);
}

TEST(PlanRender, NoChangesHasItsOwnForm) {
  auto p = with({});
  EXPECT_NE(render_text(p).find("No changes: the runtime equals Git."), std::string::npos);
  auto md = render_markdown(p);
  EXPECT_NE(md.find("No changes"), std::string::npos);
  EXPECT_EQ(md.find("<details>"), std::string::npos);
}

TEST(PlanRender, MarkdownHasATablePerTargetAndCollapsibleDiffs) {
  auto md = render_markdown(with({{Action::create, "migration", "1_a", nullptr, {{"sql", "select 1;\n"}}}}));
  EXPECT_NE(md.find("| app-db | sql | 1 | 0 | 0 | 0 |"), std::string::npos);
  EXPECT_NE(md.find("<details open><summary><b><code>app-db</code></b>"), std::string::npos) << "short: open";
  EXPECT_NE(md.find("```diff\n"), std::string::npos);
}

TEST(PlanRender, ErrorsAreShown) {
  auto p = with({});
  p.targets[0].errors = {std::string("migration 3 was applied but its file is gone")};
  EXPECT_NE(render_text(p).find("ERROR: migration 3 was applied but its file is gone"), std::string::npos);
  EXPECT_NE(render_markdown(p).find("[!CAUTION]"), std::string::npos);
}

}  // namespace
}  // namespace converge::plan
