// The SARIF log of a plan's findings: valid against the SARIF 2.1.0 JSON schema (ajv,
// tests/sarif/), and shaped as GitHub code scanning reads it: version, $schema, the
// driver's name and rules with helpUri, each result's ruleId, level, message and
// location relative to the repository root, a hostile file name kept as one URI.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "converge/github/sarif.hpp"
#include "converge/plan/findings.hpp"
#include "support/temp_dir.hpp"

namespace converge::github {
namespace {

plan::Finding finding(std::string rule, plan::Severity severity, std::string file, int line, bool destructive) {
  return plan::Finding{.rule = rule, .severity = severity, .file = std::move(file), .line = line,
                       .message = rule + " fired", .destructive = destructive,
                       .doc = "docs/providers/sql.md#" + std::string(rule == "dbmate/empty-down" ? "dbmate-empty-down"
                                                                                                 : "destructive-drop-table")};
}

plan::Plan sample() {
  plan::Plan p;
  p.environment = "prod";
  plan::TargetPlan t;
  t.target = "app-db";
  t.provider = "sql";
  t.findings = {finding("destructive/drop-table", plan::Severity::error, "db/migrations/2_drop.sql", 3, true),
                finding("dbmate/empty-down", plan::Severity::notice, "db/migrations/2_drop.sql", 5, false),
                finding("destructive/drop-table", plan::Severity::warning, "db/odd dir/3_a,b:c%41\n.sql", 2, true)};
  p.targets.push_back(t);
  return p;
}

// ajv's verdict on `log` against the SARIF 2.1.0 schema.
nlohmann::json validate(const nlohmann::json& log) {
  testing::TempDir dir;
  std::ofstream(dir / "log.sarif") << log.dump(2);
  const std::string command = "sh '" + std::string(CONVERGE_SOURCE_DIR) + "/tests/sarif/validate.sh' '" +
                              (dir / "log.sarif").string() + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw Failure("cannot run " + command);
  std::string output;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  if (int status = ::pclose(pipe); status != 0) throw Failure(command + " failed: " + output);
  return nlohmann::json::parse(output);
}

TEST(Sarif, TheLogIsValidAgainstTheSarif210Schema) {
  auto verdict = validate(sarif_log(sample()));
  EXPECT_EQ(verdict["valid"], true) << verdict.dump(2);
  verdict = validate(sarif_log(plan::Plan{}));
  EXPECT_EQ(verdict["valid"], true) << verdict.dump(2);
  // The check can fail: a level SARIF does not know is refused.
  auto broken = sarif_log(sample());
  broken["runs"][0]["results"][0]["level"] = "notice";
  EXPECT_EQ(validate(broken)["valid"], false);
}

TEST(Sarif, HasWhatCodeScanningReads) {
  auto log = sarif_log(sample());
  EXPECT_EQ(log["version"], "2.1.0");
  EXPECT_EQ(log["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
  ASSERT_EQ(log["runs"].size(), 1u);
  const auto& run = log["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "converge");
  EXPECT_EQ(run["automationDetails"]["id"], "converge/prod/");
  const auto& rules = run["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.size(), 2u);  // one per rule id, not per finding
  EXPECT_EQ(rules[0]["id"], "destructive/drop-table");
  EXPECT_EQ(rules[0]["helpUri"], plan::finding_doc_url(sample().targets[0].findings[0]));
  EXPECT_EQ(rules[0]["properties"]["tags"][0], "destructive");
  EXPECT_EQ(rules[1]["id"], "dbmate/empty-down");

  const auto& results = run["results"];
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]["ruleId"], "destructive/drop-table");
  EXPECT_EQ(results[0]["ruleIndex"], 0);
  EXPECT_EQ(results[0]["level"], "error");
  EXPECT_EQ(results[1]["level"], "note");
  EXPECT_EQ(results[2]["level"], "warning");
  EXPECT_EQ(results[2]["ruleIndex"], 0);
  EXPECT_EQ(results[0]["message"]["text"], "destructive/drop-table fired");
  const auto& where = results[0]["locations"][0]["physicalLocation"];
  EXPECT_EQ(where["artifactLocation"]["uri"], "db/migrations/2_drop.sql");
  EXPECT_EQ(where["artifactLocation"]["uriBaseId"], "%SRCROOT%");
  EXPECT_EQ(where["region"]["startLine"], 3);
}

TEST(Sarif, AHostileFileNameIsOnePercentEncodedUri) {
  auto log = sarif_log(sample());
  EXPECT_EQ(log["runs"][0]["results"][2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "db/odd%20dir/3_a%2Cb%3Ac%2541%0A.sql");
}

TEST(Sarif, AFindingWithoutALineOrWithAnAbsolutePathStaysValid) {
  auto p = sample();
  p.targets[0].findings = {finding("dbmate/empty-down", plan::Severity::warning, "/abs/db/1.sql", 0, false)};
  auto log = sarif_log(p);
  const auto& where = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
  EXPECT_EQ(where["artifactLocation"]["uri"], "file:///abs/db/1.sql");
  EXPECT_FALSE(where["artifactLocation"].contains("uriBaseId"));
  EXPECT_FALSE(where.contains("region"));
  EXPECT_EQ(validate(log)["valid"], true);
}

}  // namespace
}  // namespace converge::github
