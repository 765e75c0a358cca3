// converge.yaml parsing: structure, types and references, each error at file:line:column.
#include <gtest/gtest.h>

#include "converge/config/config.hpp"

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
  EXPECT_EQ(e.to_string(), "repo/converge.yaml:4:5: unknown key 'gaets' in an environment");
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

TEST(ConfigLoad, MissingFileIsAUsageError) {
  auto c = load("/nonexistent/converge.yaml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ExitCode::usage);
  EXPECT_NE(c.error().message.find("/nonexistent/converge.yaml"), std::string::npos);
}

}  // namespace
}  // namespace converge::config
