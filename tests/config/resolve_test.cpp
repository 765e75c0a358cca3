// Environment selection, overrides and ${VAR} expansion.
#include <gtest/gtest.h>

#include <map>

#include "converge/config/config.hpp"

namespace converge::config {
namespace {

constexpr std::string_view kConfig = R"(environments:
  - {name: dev, branch: "dev/**"}
  - {name: prod, branch: main}
manifest:
  url: ${MANIFEST_URL:-sqlite:///.converge/manifest.db}
targets:
  - name: app-db
    provider: sql
    settings:
      url: sqlite:///.converge/${CONVERGE_ENV}.db
      migrations: db/migrations
    overrides:
      prod:
        url: ${PROD_DB}
  - name: only-prod
    provider: sql
    environments: [prod]
    settings:
      url: "postgres://app:${PG_PASSWORD}@db/app"
)";

VariableLookup vars(std::map<std::string, std::string, std::less<>> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ConfigResolve, DevNeedsNoProdSecrets) {
  auto c = parse(kConfig, "converge.yaml");
  ASSERT_TRUE(c);
  auto r = resolve(*c, "dev", vars({}));
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->targets.size(), 1u);
  EXPECT_EQ(r->targets[0].settings.string("url").value(), "sqlite:///.converge/dev.db");
  EXPECT_TRUE(r->secrets.empty()) << "CONVERGE_ENV and defaults are not secrets";
  std::vector<std::string> secrets;
  EXPECT_EQ(manifest_url(*c, "dev", vars({}), secrets).value(), "sqlite:///.converge/manifest.db");
  EXPECT_TRUE(secrets.empty());
}

TEST(ConfigResolve, TheManifestVariableIsExpandedOnlyWhenTheStoreIsOpened) {
  auto c = parse(R"(environments: [{name: dev, branch: main}]
manifest: {url: "${MANIFEST_URL}"}
targets: [{name: db, provider: sql, settings: {url: "sqlite:///x.db"}}]
)", "converge.yaml");
  ASSERT_TRUE(c);
  auto r = resolve(*c, "dev", vars({}));
  ASSERT_TRUE(r) << "a step that never opens the manifest needs no MANIFEST_URL: " << r.error().to_string();
  std::vector<std::string> secrets;
  auto url = manifest_url(*c, "dev", vars({}), secrets);
  ASSERT_FALSE(url);
  EXPECT_EQ(url.error().code, ExitCode::usage);
  EXPECT_EQ(url.error().to_string(),
            "converge.yaml:2:17: manifest.url: variable MANIFEST_URL is not set (referenced as ${MANIFEST_URL})");
  url = manifest_url(*c, "dev", vars({{"MANIFEST_URL", "postgres://u:pw@h/m"}}), secrets);
  EXPECT_EQ(url.value(), "postgres://u:pw@h/m");
  EXPECT_EQ(secrets, std::vector<std::string>{"postgres://u:pw@h/m"});
}

TEST(ConfigResolve, OverridesReplaceSettingsAndVariablesBecomeSecrets) {
  auto c = parse(kConfig, "converge.yaml");
  ASSERT_TRUE(c);
  auto r = resolve(*c, "prod", vars({{"PROD_DB", "postgres://u:pw@h/db"}, {"PG_PASSWORD", "s3cret"}}));
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->targets.size(), 2u);
  EXPECT_EQ(r->targets[0].settings.string("url").value(), "postgres://u:pw@h/db");
  EXPECT_EQ(r->targets[0].settings.string("migrations").value(), "db/migrations");
  EXPECT_EQ(r->targets[1].settings.string("url").value(), "postgres://app:s3cret@db/app");
  EXPECT_TRUE(r->targets[1].settings.find("url")->from_variable);
  // The variables' own values too: a message may quote a piece of a setting, never all of it.
  EXPECT_EQ(r->secrets, (std::vector<std::string>{"postgres://u:pw@h/db", "s3cret", "postgres://app:s3cret@db/app"}));
}

TEST(ConfigResolve, MissingVariableNamesFileLineAndVariable) {
  auto c = parse(kConfig, "converge.yaml");
  ASSERT_TRUE(c);
  auto r = resolve(*c, "prod", vars({{"PG_PASSWORD", "x"}}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ExitCode::usage);
  EXPECT_EQ(r.error().to_string(), "converge.yaml:14:14: variable PROD_DB is not set (referenced as ${PROD_DB})");
}

TEST(ConfigResolve, KeepUnsetLeavesAnUnsetVariablesSettingAsWrittenAndMarked) {
  auto c = parse(kConfig, "converge.yaml");
  ASSERT_TRUE(c);
  auto r = resolve(*c, "prod", vars({{"PG_PASSWORD", "pw"}}), /*keep_unset=*/true);
  ASSERT_TRUE(r) << r.error().to_string();
  const auto& app = r->targets.at(0).settings;
  EXPECT_TRUE(app.unresolved("url"));
  EXPECT_EQ(app.string("url").value(), "${PROD_DB}");
  EXPECT_FALSE(app.unresolved("migrations"));
  const auto& only_prod = r->targets.at(1).settings;
  EXPECT_FALSE(only_prod.unresolved("url"));
  EXPECT_EQ(only_prod.string("url").value(), "postgres://app:pw@db/app");
  // A malformed reference is still an error, unset or not.
  auto bad = parse(std::string(kConfig) + "  - {name: x, provider: sql, settings: {url: \"${1X}\"}}\n", "converge.yaml");
  ASSERT_TRUE(bad);
  EXPECT_FALSE(resolve(*bad, "prod", vars({}), true));
}

TEST(ConfigResolve, UnknownEnvironmentListsTheKnownOnes) {
  auto c = parse(kConfig, "converge.yaml");
  ASSERT_TRUE(c);
  auto r = resolve(*c, "qa", vars({}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ExitCode::usage);
  EXPECT_NE(r.error().message.find("dev, prod"), std::string::npos);
}

TEST(ConfigExpand, HandlesDefaultsEscapesAndErrors) {
  SourceLocation at{"f", 1, 1};
  auto lookup = vars({{"A", "1"}});
  EXPECT_EQ(expand("x${A}y", lookup, at).value(), "x1y");
  EXPECT_EQ(expand("${B:-two}", lookup, at).value(), "two");
  EXPECT_EQ(expand("${A:-two}", lookup, at).value(), "1");
  EXPECT_EQ(expand("$${A} $A", lookup, at).value(), "${A} $A");
  EXPECT_FALSE(expand("${A", lookup, at));
  EXPECT_FALSE(expand("${1A}", lookup, at));
  EXPECT_FALSE(expand("${}", lookup, at));
}

}  // namespace
}  // namespace converge::config
