// The schema preview of a plan (the PR schema diff): kept in plan.json but out of the
// plan hash; rendered as a section appended after the plan (not in the plan part that
// apply's plan pinning re-renders), escaped for its context (as markdown-it renders
// it), and cut to its limit with a line saying so.
#include <gtest/gtest.h>

#include "converge/plan/render.hpp"
#include "converge/plan/schema_preview.hpp"
#include "markdown/markdown_it.hpp"

namespace converge::plan {
namespace {

SchemaChange change(Action action, std::string kind, std::string name, std::string detail = {},
                    std::vector<SchemaChange> parts = {}) {
  return SchemaChange{.action = action, .kind = std::move(kind), .name = std::move(name), .detail = std::move(detail),
                      .parts = std::move(parts)};
}

Plan plan_with(SchemaPreview preview, std::string target = "app-db") {
  Plan plan;
  plan.environment = "prod";
  TargetPlan t;
  t.target = std::move(target);
  t.provider = "sql";
  t.bundle_hash = "b";
  t.changes.push_back(Change{.action = Action::create, .kind = "migration", .key = "2_orders", .before = nullptr,
                             .after = nlohmann::json{{"sql", "create table orders (id int);\n"}}});
  t.schema_preview = std::move(preview);
  plan.targets.push_back(std::move(t));
  return plan;
}

SchemaPreview sample() {
  return SchemaPreview{
      .changes = {change(Action::create, "table", "public.orders", "1 column",
                         {change(Action::create, "column", "id", "integer")}),
                  change(Action::update, "table", "public.users", "",
                         {change(Action::update, "column", "amount", "type integer → bigint"),
                          change(Action::remove, "index", "users_name_idx")}),
                  change(Action::remove, "view", "public.old")},
      .notes = {},
      .snapshot = "db/schema.sql",
      .stale_diff = "--- committed/db/schema.sql\n+++ migrated/db/schema.sql\n@@ -1 +1,2 @@\n+CREATE TABLE public.orders (\n",
      .regenerate = "converge plan --env prod --write-snapshot"};
}

TEST(SchemaPreview, KeptInPlanJsonButNotInTheHash) {
  Plan with = plan_with(sample());
  Plan without = plan_with({});
  EXPECT_EQ(hash(with), hash(without));
  auto json = to_json(with);
  ASSERT_TRUE(json["targets"][0].contains("schema_preview"));
  EXPECT_FALSE(to_json(without)["targets"][0].contains("schema_preview")) << "absent when there is none";
  auto back = from_json(json, "plan.json");
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->targets[0].schema_preview, sample());
}

TEST(SchemaPreview, AWrongFieldInPlanJsonIsNamed) {
  auto json = to_json(plan_with(sample()));
  json["targets"][0]["schema_preview"]["changes"][1]["parts"][0]["action"] = "explode";
  json.erase("plan_hash");
  auto back = from_json(json, "plan.json");
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().message,
            "plan.json: targets[0].schema_preview.changes[1].parts[0]: unknown action 'explode'");
}

TEST(SchemaPreview, TheSectionShowsTheDiffAndTheStaleSnapshotButThePlanPartDoesNot) {
  const Plan plan = plan_with(sample());
  EXPECT_EQ(render_markdown(plan), render_markdown(plan_with({}))) << "apply re-renders the plan part without it";
  const std::string md = schema_preview_section(plan, std::string::npos);
  EXPECT_EQ(md.rfind("\n<!-- converge:schema-preview -->\n#### Schema diff of ` app-db `\n", 0), 0u) << md;
  const auto diff = md.find("#### Schema diff of ` app-db `");
  const auto stale = md.find("#### ` db/schema.sql ` is stale");
  ASSERT_NE(diff, std::string::npos) << md;
  ASSERT_NE(stale, std::string::npos) << md;
  EXPECT_LT(diff, stale);
  EXPECT_NE(md.find("- **added** table ` public.orders `: 1 column\n  - **added** column ` id `: integer\n"), std::string::npos) << md;
  EXPECT_NE(md.find("Run ` converge plan --env prod --write-snapshot ` and commit it."), std::string::npos) << md;
  EXPECT_NE(md.find("```diff\n--- committed/db/schema.sql"), std::string::npos) << md;
}

TEST(SchemaPreview, HostileNamesShowAsTextAndCannotPingOrInject) {
  SchemaPreview preview = sample();
  preview.changes.push_back(change(Action::create, "table", "<img src=x onerror=alert(1)>", "@octocat #1",
                                   {change(Action::create, "column", "`x`\n- [y](https://evil)", "</details>")}));
  preview.stale_diff += "+```\n+<!-- hidden\n";
  auto rendered = testing::render_with_markdown_it(schema_preview_markdown("db", preview));
  EXPECT_EQ(rendered.elements.count("img"), 0u);
  EXPECT_TRUE(rendered.links.empty()) << rendered.links.dump();
  EXPECT_TRUE(rendered.comments.empty());
  EXPECT_EQ(rendered.text_outside_code.find("@octocat"), std::string::npos);
  EXPECT_NE(rendered.text.find("<img src=x onerror=alert(1)>"), std::string::npos);
  EXPECT_NE(rendered.text.find("+<!-- hidden"), std::string::npos);
}

TEST(SchemaPreview, ALongPreviewIsCutToTheLimitAndSaysSo) {
  SchemaPreview preview;
  for (int i = 0; i < 3000; ++i)
    preview.changes.push_back(change(Action::create, "table", "public.t" + std::to_string(i), "1 column",
                                     {change(Action::create, "column", "id", "integer")}));
  preview.snapshot = "db/schema.sql";
  preview.regenerate = "converge plan --env prod --write-snapshot";
  preview.stale_diff = std::string(200000, 'x');
  const std::string md = schema_preview_markdown("db", preview, 20000);
  EXPECT_LE(md.size(), 20000u);
  EXPECT_NE(md.find("more schema changes are not shown (the full list is in `plan.json`)"), std::string::npos);
  const std::string whole = schema_preview_section(plan_with(preview), 21000);
  EXPECT_LE(whole.size(), 21000u);
  EXPECT_NE(whole.find("more schema changes are not shown"), std::string::npos);
}

TEST(SchemaPreview, NotesSayWhyItWasSkipped) {
  SchemaPreview preview;
  preview.notes.push_back("the PR schema diff and the check of db/schema.sql were skipped: role app may not create "
                          "databases (CREATEDB)");
  EXPECT_NE(schema_preview_markdown("db", preview).find("_the PR schema diff and the check of ` db/schema.sql ` were "
                                                         "skipped: role app may not create databases (CREATEDB)_"),
            std::string::npos)
      << schema_preview_markdown("db", preview);
  EXPECT_EQ(schema_preview_text(preview),
            "note: the PR schema diff and the check of db/schema.sql were skipped: role app may not create databases "
            "(CREATEDB)\n");
  auto back = schema_preview_from_json(to_json(preview), "x");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, preview);
}

TEST(SchemaPreview, TextListsEachChangeOnItsOwnLine) {
  const std::string text = render_text(plan_with(sample()));
  EXPECT_NE(text.find("schema diff (the pending migrations replayed on a scratch database):\n"
                      "  + table public.orders: 1 column\n"
                      "      + column id: integer\n"
                      "  ~ table public.users\n"
                      "      ~ column amount: type integer → bigint\n"
                      "      - index users_name_idx\n"
                      "  - view public.old\n"
                      "db/schema.sql is stale"),
            std::string::npos)
      << text;
  SchemaPreview hostile;
  hostile.changes.push_back(change(Action::create, "table", "x\n::error::forged"));
  EXPECT_EQ(schema_preview_text(hostile).find("\n::error"), std::string::npos);
}

}  // namespace
}  // namespace converge::plan
