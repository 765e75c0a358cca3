// converge.yaml parsing: structure, types and references, each error at file:line:column.
#include <gtest/gtest.h>

#include "converge/config/config.hpp"
#include "support/yaml_bomb.hpp"

namespace converge::config {
namespace {

constexpr std::string_view kValid = R"(version: 1
manifest:
  url: sqlite:///.converge/manifest.db
environments:
  - name: dev
    branch: "dev/**"
  - name: stage
    branch: develop
    gates: {plan_pinning: true}
  - name: prod
    branch: main
    gates:
      approvals: 2
      distinct_approver: true
      plan_pinning: true
    drift:
      schedule: "0 1 * * *"
      mode: apply
targets:
  - name: app-db
    provider: sql
    settings:
      url: sqlite:///.converge/${CONVERGE_ENV}.db
      strict: false
    overrides:
      prod:
        url: ${PROD_DB}
  - name: reporting
    provider: sql
    environments: [prod]
    settings:
      url: postgres://x
)";

Error parse_error(std::string_view text) {
  auto c = parse(text, "repo/converge.yaml");
  EXPECT_FALSE(c.has_value()) << "expected an error";
  return c ? Error{} : c.error();
}

TEST(ConfigParse, ReadsEnvironmentsInOrderWithTheirGates) {
  auto c = parse(kValid, "repo/converge.yaml");
  ASSERT_TRUE(c) << c.error().to_string();
  ASSERT_EQ(c->environments.size(), 3u);
  EXPECT_EQ(c->environments[0].name, "dev");
  EXPECT_EQ(c->environments[2].name, "prod");
  EXPECT_EQ(c->environments[2].gates.approvals, 2);
  EXPECT_TRUE(c->environments[2].gates.distinct_approver);
  EXPECT_TRUE(c->environments[1].gates.plan_pinning);
  EXPECT_FALSE(c->environments[0].gates.plan_pinning);
  EXPECT_EQ(c->environments[2].drift.mode, DriftMode::apply);
  EXPECT_EQ(c->environments[2].drift.schedule, "0 1 * * *");
  EXPECT_EQ(c->root, "repo");
  ASSERT_EQ(c->targets.size(), 2u);
  EXPECT_EQ(c->targets[0].settings.at("strict").value, false);
  EXPECT_TRUE(c->targets[0].applies_to("dev"));
  EXPECT_FALSE(c->targets[1].applies_to("dev"));
}

TEST(ConfigParse, PicksTheEnvironmentOfABranchByGlob) {
  auto c = parse(kValid, "converge.yaml");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->environment_for_branch("dev/add-invoices")->name, "dev");
  EXPECT_EQ(c->environment_for_branch("dev/team/deep/branch")->name, "dev");
  EXPECT_EQ(c->environment_for_branch("develop")->name, "stage");
  EXPECT_EQ(c->environment_for_branch("main")->name, "prod");
  EXPECT_EQ(c->environment_for_branch("feature/x"), nullptr);
}

TEST(ConfigParse, UnknownKeyNamesFileLineColumnAndKey) {
  auto e = parse_error("environments:\n  - name: dev\n    branch: main\n    gaets: {}\ntargets: []\n");
  EXPECT_EQ(e.code, ExitCode::usage);
  EXPECT_EQ(e.to_string(), "repo/converge.yaml:4:5: unknown key 'gaets' in an environment (known: name, branch, gates, drift, promote_from, secrets, feature)");
}

TEST(ConfigParse, WrongTypeNamesTheValue) {
  auto e = parse_error(
      "environments:\n  - name: prod\n    branch: main\n    gates:\n      approvals: two\n"
      "targets:\n  - {name: db, provider: sql}\n");
  EXPECT_EQ(e.where->line, 5);
  EXPECT_EQ(e.where->column, 18);
  EXPECT_NE(e.message.find("approvals"), std::string::npos);
}

TEST(ConfigParse, QuotedBooleanIsNotABoolean) {
  auto e = parse_error(
      "environments:\n  - name: prod\n    branch: main\n    gates: {plan_pinning: \"true\"}\n"
      "targets:\n  - {name: db, provider: sql}\n");
  EXPECT_NE(e.message.find("plan_pinning"), std::string::npos);
  EXPECT_EQ(e.where->line, 4);
}

TEST(ConfigParse, BadDriftModeIsNamed) {
  auto e = parse_error(
      "environments:\n  - name: prod\n    branch: main\n    drift: {mode: fix}\n"
      "targets:\n  - {name: db, provider: sql}\n");
  EXPECT_NE(e.message.find("detect or apply"), std::string::npos);
}

TEST(ConfigParse, TargetNamingAnUnknownEnvironmentIsAnError) {
  auto e = parse_error(
      "environments:\n  - {name: dev, branch: dev}\n"
      "targets:\n  - name: db\n    provider: sql\n    environments: [dev, qa]\n");
  EXPECT_EQ(e.to_string(), "repo/converge.yaml:6:25: unknown environment 'qa' in target 'db'");
}

TEST(ConfigParse, OverrideForAnUnknownEnvironmentIsAnError) {
  auto e = parse_error(
      "environments:\n  - {name: dev, branch: dev}\n"
      "targets:\n  - name: db\n    provider: sql\n    overrides:\n      prd: {url: x}\n");
  EXPECT_EQ(e.where->line, 7);
  EXPECT_NE(e.message.find("'prd'"), std::string::npos);
}

TEST(ConfigParse, DuplicateNamesAreErrors) {
  EXPECT_NE(parse_error("environments:\n  - {name: dev, branch: a}\n  - {name: dev, branch: b}\n"
                        "targets:\n  - {name: db, provider: sql}\n")
                .message.find("defined twice"),
            std::string::npos);
  EXPECT_NE(parse_error("environments:\n  - {name: dev, branch: a}\n"
                        "targets:\n  - {name: db, provider: sql}\n  - {name: db, provider: sql}\n")
                .message.find("defined twice"),
            std::string::npos);
}

TEST(ConfigParse, MissingSectionsAndEmptyFileAreErrors) {
  EXPECT_EQ(parse_error("").where->line, 1);
  EXPECT_NE(parse_error("targets:\n  - {name: db, provider: sql}\n").message.find("'environments' is required"),
            std::string::npos);
  EXPECT_NE(parse_error("environments:\n  - {name: dev, branch: a}\n").message.find("'targets' is required"),
            std::string::npos);
  EXPECT_NE(parse_error("environments:\n  - {name: dev}\ntargets: []\n").message.find("branch"), std::string::npos);
}

TEST(ConfigParse, InvalidYamlNamesTheLine) {
  auto e = parse_error("environments:\n  - name: dev\n    branch: [unclosed\ntargets: []\n");
  EXPECT_NE(e.message.find("invalid YAML"), std::string::npos);
  EXPECT_GE(e.where->line, 3);
}

TEST(ConfigParse, UnsupportedVersionIsRefused) {
  auto e = parse_error("version: 2\nenvironments:\n  - {name: dev, branch: a}\ntargets:\n  - {name: db, provider: sql}\n");
  EXPECT_EQ(e.where->line, 1);
  EXPECT_NE(e.message.find("version 2"), std::string::npos);
}

// yaml-cpp answers node["approvals"] with the FIRST of two keys, PyYAML and a
// reviewer read the LAST: a duplicate must never be resolved silently.
TEST(ConfigParse, ADuplicateKeyAnywhereIsAnErrorAtItsSecondOccurrence) {
  auto gates = parse_error("environments:\n  - name: prod\n    branch: main\n    gates:\n      approvals: 0\n"
                           "      approvals: 2\ntargets:\n  - {name: db, provider: sql}\n");
  EXPECT_EQ(gates.where->file, "repo/converge.yaml");
  EXPECT_EQ(gates.where->line, 6);
  EXPECT_EQ(gates.where->column, 7);
  EXPECT_NE(gates.message.find("duplicate key 'approvals' (first at line 5)"), std::string::npos) << gates.message;
  auto top = parse_error("environments:\n  - {name: dev, branch: a}\ntargets:\n  - {name: db, provider: sql}\n"
                         "environments:\n  - {name: dev, branch: b}\n");
  EXPECT_EQ(top.where->line, 5);
  auto flow = parse_error("environments:\n  - {name: dev, branch: a, branch: b}\ntargets:\n  - {name: db, provider: sql}\n");
  EXPECT_EQ(flow.where->line, 2);
  EXPECT_NE(flow.message.find("duplicate key 'branch'"), std::string::npos);
  auto setting = parse_error("environments:\n  - {name: dev, branch: a}\ntargets:\n  - name: db\n    provider: sql\n"
                             "    settings:\n      url: a\n      \"url\": b\n");
  EXPECT_EQ(setting.where->line, 8);
}

TEST(ConfigParse, AComplexKeyIsAnErrorWithItsLine) {
  auto e = parse_error("environments:\n  - {name: dev, branch: a}\n? [a, b]\n: 1\ntargets:\n  - {name: db, provider: sql}\n");
  EXPECT_EQ(e.where->line, 3);
  EXPECT_NE(e.message.find("mapping key must be a plain value"), std::string::npos) << e.message;
}

TEST(ConfigParse, AliasesAreCheckedOnceSoARepeatedAnchorIsNoDuplicate) {
  auto c = parse("environments:\n  - &e {name: dev, branch: a}\ntargets:\n  - name: db\n    provider: sql\n"
                 "    settings: {x: &s {k: 1}, y: *s, z: [*s, *s]}\n",
                 "converge.yaml");
  EXPECT_TRUE(c) << c.error().to_string();
}

// A few lines of anchors and aliases stand for 10^9 values once a reader copies
// them into settings: refused at the anchor whose expansion crosses the budget.
TEST(ConfigParse, AnAliasBombInSettingsOrOverridesIsAnErrorAtItsLine) {
  const std::string head = "environments:\n  - {name: dev, branch: a}\ntargets:\n  - name: db\n    provider: sql\n";
  auto settings = parse_error(head + "    settings:\n" + testing::billion_laughs("      "));
  EXPECT_EQ(settings.where->file, "repo/converge.yaml");
  EXPECT_EQ(settings.where->line, 13) << "l6, the first anchor beyond 1,000,000 nodes";
  EXPECT_NE(settings.message.find("once its aliases are expanded"), std::string::npos) << settings.message;
  auto overrides = parse_error(head + "    overrides:\n      dev:\n" + testing::billion_laughs("        "));
  EXPECT_EQ(overrides.where->line, 14);
}

// Found by fuzzing (h6, yaml-1): the byte reached nlohmann's dump() in resolve and
// ended the step with exit 3 instead of a file:line error.
TEST(ConfigParse, ASettingThatIsNotUtf8IsAnErrorAtItsLine) {
  auto e = parse_error("version: 1\nenvironments:\n  - {name: dev, branch: dev}\ntargets:\n  - name: db\n"
                       "    provider: sql\n    settings:\n      url: sqlite:///x.db\n      extra: {a: \"${X}\xff\"}\n");
  EXPECT_EQ(e.where->line, 9);
  EXPECT_NE(e.message.find("invalid UTF-8 (byte 0xFF)"), std::string::npos) << e.message;
}

TEST(ConfigParse, SecretsListNamesVariablesOnceAndNeverAReservedOne) {
  auto c = parse("environments:\n  - {name: prod, branch: main, secrets: [DB_URL, API_KEY]}\n  - {name: dev, branch: d}\n"
                 "targets:\n  - {name: db, provider: sql}\n",
                 "converge.yaml");
  ASSERT_TRUE(c) << c.error().to_string();
  ASSERT_TRUE(c->environments[0].secrets);
  EXPECT_EQ(*c->environments[0].secrets, (std::vector<std::string>{"DB_URL", "API_KEY"}));
  EXPECT_FALSE(c->environments[1].secrets);
  auto reserved = parse_error("environments:\n  - {name: prod, branch: main, secrets: [DB_URL, GITHUB_TOKEN]}\n"
                              "targets:\n  - {name: db, provider: sql}\n");
  EXPECT_EQ(reserved.where->line, 2);
  EXPECT_NE(reserved.message.find("'GITHUB_TOKEN' in 'secrets' is reserved"), std::string::npos) << reserved.message;
  EXPECT_NE(parse_error("environments:\n  - {name: p, branch: m, secrets: [A, A]}\ntargets:\n  - {name: db, provider: sql}\n")
                .message.find("listed twice"),
            std::string::npos);
  EXPECT_NE(parse_error("environments:\n  - {name: p, branch: m, secrets: [\"a-b\"]}\ntargets:\n  - {name: db, provider: sql}\n")
                .message.find("not a variable name"),
            std::string::npos);
  EXPECT_NE(parse_error("environments:\n  - {name: p, branch: m, secrets: A}\ntargets:\n  - {name: db, provider: sql}\n")
                .message.find("must be a list"),
            std::string::npos);
}

TEST(ConfigLoad, MissingFileIsAUsageError) {
  auto c = load("/nonexistent/converge.yaml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ExitCode::usage);
  EXPECT_NE(c.error().message.find("/nonexistent/converge.yaml"), std::string::npos);
}

}  // namespace
}  // namespace converge::config
