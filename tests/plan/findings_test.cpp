// Findings in the plan model: plan.json keeps them (and reads plans written before
// them), the hash covers them, an error-level finding makes the plan unappliable, a
// destructive one marks it destructive, and the text and markdown show each with its
// rule, file:line and docs link.
#include <gtest/gtest.h>

#include "converge/plan/findings.hpp"
#include "converge/plan/render.hpp"
#include "converge/version.hpp"

namespace converge::plan {
namespace {

Finding drop_table(Severity severity = Severity::warning) {
  return Finding{.rule = "destructive/drop-table", .severity = severity, .file = "db/migrations/2_drop.sql",
                 .line = 3, .message = "DROP TABLE deletes the table and all its rows", .destructive = true,
                 .doc = "docs/providers/sql.md#destructive-drop-table"};
}

Finding index_lock() {
  return Finding{.rule = "locks/index-not-concurrent", .severity = Severity::notice, .file = "db/migrations/3_i.sql",
                 .line = 2, .message = "CREATE INDEX without CONCURRENTLY blocks writes", .destructive = false,
                 .doc = "docs/providers/sql.md#locks-index-not-concurrent"};
}

Plan sample(std::vector<Finding> findings) {
  Plan p;
  p.environment = "stage";
  TargetPlan t;
  t.target = "app-db";
  t.provider = "sql";
  t.bundle_hash = "b1";
  t.changes.push_back({Action::create, "migration", "2_drop", nullptr, {{"sql", "drop table users;\n"}}});
  t.findings = std::move(findings);
  p.targets.push_back(t);
  return p;
}

TEST(Findings, RoundTripThroughPlanJsonWithTheDerivedDestructiveFlags) {
  const auto plan = sample({drop_table(), index_lock()});
  auto json = to_json(plan);
  EXPECT_EQ(json["destructive"], true);
  EXPECT_EQ(json["targets"][0]["destructive"], true);
  EXPECT_EQ(json["targets"][0]["findings"][0]["severity"], "warning");
  EXPECT_EQ(json["targets"][0]["findings"][1]["severity"], "notice");
  auto back = from_json(nlohmann::json::parse(json.dump()), "plan.json");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->targets[0].findings, plan.targets[0].findings);
  EXPECT_TRUE(back->destructive());
  EXPECT_EQ(hash(*back), hash(plan));
}

TEST(Findings, APlanWithoutFindingsHashesAsBeforeAndReadsBack) {
  const auto plan = sample({});
  EXPECT_EQ(canonical_text(plan).find("findings"), std::string::npos);
  // A plan.json written before findings existed: no "findings", no "destructive".
  auto json = to_json(plan);
  json.erase("destructive");
  json["targets"][0].erase("destructive");
  auto back = from_json(json, "old-plan.json");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->targets[0].findings.empty());
  EXPECT_FALSE(back->destructive());
  EXPECT_EQ(to_json(plan)["destructive"], false);
}

TEST(Findings, TheHashCoversThem) {
  const auto base = hash(sample({index_lock()}));
  EXPECT_NE(hash(sample({})), base);
  EXPECT_NE(hash(sample({drop_table()})), base);
  auto other = index_lock();
  other.line = 9;
  EXPECT_NE(hash(sample({other})), base);
  // The derived "destructive" is not read back: editing it breaks the hash check only
  // through the finding that carries it.
  auto json = to_json(sample({drop_table()}));
  json["targets"][0]["findings"][0]["destructive"] = false;
  EXPECT_FALSE(from_json(json, "plan.json"));
}

TEST(Findings, ABrokenFindingIsRefusedNamingTheField) {
  auto json = to_json(sample({drop_table()}));
  json.erase("plan_hash");
  auto broken = json;
  broken["targets"][0]["findings"][0]["severity"] = "fatal";
  auto r = from_json(broken, "plan.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "plan.json: targets[0].findings[0]: unknown severity 'fatal'");
  broken = json;
  broken["targets"][0]["findings"][0]["line"] = -1;
  EXPECT_FALSE(from_json(broken, "plan.json"));
  broken = json;
  broken["targets"][0]["findings"][0].erase("rule");
  EXPECT_FALSE(from_json(broken, "plan.json"));
  broken = json;
  broken["targets"][0]["findings"] = "x";
  EXPECT_FALSE(from_json(broken, "plan.json"));
}

TEST(Findings, AnErrorFindingMakesThePlanUnappliableAWarningDoesNot) {
  EXPECT_FALSE(sample({drop_table(), index_lock()}).has_errors());
  EXPECT_TRUE(sample({drop_table(Severity::error)}).has_errors());
  EXPECT_TRUE(sample({drop_table(Severity::error)}).targets[0].has_errors());
  EXPECT_FALSE(sample({index_lock()}).destructive());
}

TEST(Findings, TheDocLinkIsPinnedToThisRelease) {
  EXPECT_EQ(finding_doc_url(drop_table()), std::string("https://github.com/converge-dev/converge/blob/v") + kVersion +
                                               "/docs/providers/sql.md#destructive-drop-table");
  auto none = drop_table();
  none.doc.clear();
  EXPECT_EQ(finding_doc_url(none), "");
}

TEST(Findings, TheTextPlanListsEachFindingAndSaysWhenThePlanIsDestructive) {
  auto text = render_text(sample({drop_table(), index_lock()}));
  EXPECT_NE(text.find("DESTRUCTIVE: 1 finding of the migration lint can lose data"), std::string::npos) << text;
  EXPECT_NE(text.find("lint: db/migrations/2_drop.sql:3: warning [destructive/drop-table] DROP TABLE"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("lint: db/migrations/3_i.sql:2: notice [locks/index-not-concurrent]"), std::string::npos);
  EXPECT_EQ(render_text(sample({index_lock()})).find("DESTRUCTIVE"), std::string::npos);
  // A file name cannot start a line of its own (a workflow command in a runner log).
  auto hostile = drop_table();
  hostile.file = "x\n::error::forged";
  EXPECT_EQ(render_text(sample({hostile})).find("\n::error"), std::string::npos);
}

TEST(Findings, TheMarkdownSectionHasRuleLinkLocationSeverityAndMessage) {
  auto md = render_markdown(sample({drop_table(), index_lock()}));
  EXPECT_NE(md.find("#### Migration lint\n"), std::string::npos) << md;
  EXPECT_NE(md.find("> **Destructive:** 1 finding below can lose data"), std::string::npos) << md;
  EXPECT_NE(md.find("- **warning** [` destructive/drop-table `](" + finding_doc_url(drop_table()) +
                    ") at ` db/migrations/2_drop.sql:3 ` (destructive): DROP TABLE deletes the table and all its rows\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- **notice** [` locks/index-not-concurrent `]"), std::string::npos) << md;
  // Before the diffs.
  EXPECT_LT(md.find("#### Migration lint"), md.find("<details"));
  EXPECT_EQ(render_markdown(sample({})).find("Migration lint"), std::string::npos);
}

TEST(Findings, ACutSectionCountsTheFindingsItLeavesOut) {
  std::vector<Finding> many(200, index_lock());
  auto md = findings_markdown(sample(many), 4000);
  EXPECT_LE(md.size(), 4000u);
  EXPECT_NE(md.find("more findings not shown: see the annotations and `plan.json`"), std::string::npos) << md;
  EXPECT_EQ(findings_markdown(sample(many), 10), "");
  // The whole comment stays within its limit too.
  EXPECT_LE(render_markdown(sample(many), 6000).size(), 6000u);
}

}  // namespace
}  // namespace converge::plan
