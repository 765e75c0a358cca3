// Plan renderings: counts, deletion warning, diffs, the no-changes form.
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
  EXPECT_NE(md.find("<details><summary><b><code>app-db</code></b>"), std::string::npos);
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
