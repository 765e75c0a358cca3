// The assets provider's compile(): sources, templates, overrides, validation and
// bundle files. No runtime is contacted.
#include <gtest/gtest.h>

#include <cstdlib>

#include "assets_test_support.hpp"
#include "converge/providers/assets/assets_provider.hpp"
#include "converge/providers/assets/yaml_json.hpp"

namespace converge::providers::assets {
namespace {

using converge::testing::TempDir;
using nlohmann::json;
using namespace testing;

Bundle compiled(const TempDir& repo, const std::string& env = "dev", json settings = json::object()) {
  auto p = provider(repo.path(), env, std::move(settings));
  if (!p) return {};
  auto bundle = p->compile();
  EXPECT_TRUE(bundle) << bundle.error().to_string();
  return bundle.value_or(Bundle{});
}

Error compile_error(const TempDir& repo, json settings = json::object()) {
  auto p = provider(repo.path(), "dev", std::move(settings));
  if (!p) return Error::usage("no provider");
  auto bundle = p->compile();
  EXPECT_FALSE(bundle) << "compiled, but an error was expected";
  return bundle ? Error::usage("compiled") : bundle.error();
}

TEST(AssetsCompile, TheSupersetExampleExportCompilesValidatesAndIsDeterministic) {
  TempDir repo;
  copy_superset_export(repo.path());
  EXPECT_EQ(stub_held_out_charts(repo), 10);
  Bundle bundle = compiled(repo);
  const json& items = bundle.content["items"];
  EXPECT_EQ(bundle.content["kinds"], json({"databases", "datasets", "charts", "dashboards"}));
  EXPECT_EQ(items["databases"].size(), 1u);
  EXPECT_EQ(items["datasets"].size(), 1u);
  EXPECT_EQ(items["charts"].size(), 11u);
  EXPECT_EQ(items["dashboards"].size(), 1u);
  EXPECT_EQ(items["databases"][kDatabaseUuid]["sqlalchemy_uri"], "duckdb:////tmp/examples.db");
  EXPECT_EQ(items["charts"][kChartUuid]["params"]["treemap_ratio"], 1.618033988749895);
  EXPECT_EQ(items["charts"][kChartUuid]["params"]["label_colors"]["0"], "#1FA8C9");
  EXPECT_EQ(items["dashboards"][kDashboardUuid]["dashboard_title"], "Video Game Sales");  // CRLF file
  EXPECT_EQ(bundle.hash.size(), 64u);

  auto p = provider(repo.path(), "dev", json::object());
  auto files = p->bundle_files(bundle);
  EXPECT_EQ(files.size(), 14u);
  ASSERT_TRUE(files.contains(std::string("dashboards/") + kDashboardUuid + ".yaml"));
  for (const auto& [path, text] : files) {
    auto back = parse_yaml_item(text, path);
    ASSERT_TRUE(back) << back.error().to_string();
  }
  EXPECT_EQ(*parse_yaml_item(files[std::string("charts/") + kChartUuid + ".yaml"], "c"), items["charts"][kChartUuid]);

  Bundle again = compiled(repo);
  EXPECT_EQ(again.hash, bundle.hash);
  EXPECT_EQ(p->bundle_files(again), files);
}

TEST(AssetsCompile, TheDashboardsHeldOutChartsAreMissingReferencesEachAtItsLine) {
  TempDir repo;
  copy_superset_export(repo.path());
  Error error = compile_error(repo);
  EXPECT_EQ(error.code, ExitCode::usage);
  ASSERT_TRUE(error.where);
  EXPECT_EQ(error.where->file, "assets/dashboards/Video_Game_Sales.yaml");
  EXPECT_EQ(error.where->line, 30);  // CHART-1L7NIcXvVN's meta.uuid, the first missing chart
  EXPECT_NE(error.message.find("refers to charts 0f8976aa-7bb4-40c7-860b-64445a51aaaf"), std::string::npos)
      << error.message;
  EXPECT_NE(error.message.find("and 9 more problems"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("assets/dashboards/Video_Game_Sales.yaml:185:"), std::string::npos) << error.message;
}

TEST(AssetsCompile, AChartWhoseDatasetIsMissingIsAnErrorAtTheReferenceLine) {
  TempDir repo;
  repo.write("assets/charts/orphan.yaml", "slice_name: Orphan\nviz_type: table\nuuid: c-1\ndataset_uuid: d-404\n");
  Error error = compile_error(repo);
  ASSERT_TRUE(error.where);
  EXPECT_EQ(error.where->to_string(), "assets/charts/orphan.yaml:4:15");
  EXPECT_NE(error.message.find("dataset_uuid refers to datasets d-404"), std::string::npos) << error.message;
}

TEST(AssetsCompile, ADuplicateUuidIsAnErrorNamingBothFiles) {
  TempDir repo;
  repo.write("assets/databases/a.yaml", "database_name: a\nuuid: same\n");
  repo.write("assets/databases/b.yaml", "# comment\ndatabase_name: b\nuuid: same\n");
  Error error = compile_error(repo);
  ASSERT_TRUE(error.where);
  EXPECT_EQ(error.where->to_string(), "assets/databases/b.yaml:3:7");
  EXPECT_NE(error.message.find("duplicate uuid same (also in assets/databases/a.yaml:2:7)"), std::string::npos)
      << error.message;
}

TEST(AssetsCompile, AnItemWithoutItsIdFieldIsAnError) {
  TempDir repo;
  repo.write("assets/databases/a.yaml", "database_name: a\n");
  Error error = compile_error(repo);
  EXPECT_EQ(error.where->file, "assets/databases/a.yaml");
  EXPECT_NE(error.message.find("has no 'uuid'"), std::string::npos);
}

TEST(AssetsCompile, TemplatesRenderWithTheVariablesOfEachEnvironment) {
  TempDir repo;
  repo.write("assets/databases/main.yaml.j2",
             "database_name: sales-{{ env_name }}\nsqlalchemy_uri: postgresql://{{ db_host }}/sales\n"
             "uuid: 11111111-0000-0000-0000-000000000001\nallow_dml: {{ allow_dml | default(false) }}\n");
  repo.write("env/dev.yaml", "env_name: dev\ndb_host: db.dev.internal\nallow_dml: true\n");
  repo.write("env/prod.yaml", "env_name: prod\ndb_host: db.prod.internal\n");
  Bundle dev = compiled(repo, "dev"), prod = compiled(repo, "prod");
  const json& d = dev.content["items"]["databases"]["11111111-0000-0000-0000-000000000001"];
  const json& p = prod.content["items"]["databases"]["11111111-0000-0000-0000-000000000001"];
  EXPECT_EQ(d["sqlalchemy_uri"], "postgresql://db.dev.internal/sales");
  EXPECT_EQ(p["sqlalchemy_uri"], "postgresql://db.prod.internal/sales");
  EXPECT_EQ(d["database_name"], "sales-dev");
  EXPECT_EQ(d["allow_dml"], true);
  EXPECT_EQ(p["allow_dml"], false);
  EXPECT_NE(dev.hash, prod.hash);

  // `vars` may name another file; a plain .yaml is never rendered.
  repo.write("vars/custom.yaml", "env_name: qa\ndb_host: db.qa\n");
  repo.write("assets/databases/plain.yaml", "database_name: '{{ not_rendered }}'\nuuid: plain\n");
  Bundle custom = compiled(repo, "dev", {{"vars", "vars/custom.yaml"}});
  EXPECT_EQ(custom.content["items"]["databases"]["11111111-0000-0000-0000-000000000001"]["database_name"], "sales-qa");
  EXPECT_EQ(custom.content["items"]["databases"]["plain"]["database_name"], "{{ not_rendered }}");
}

TEST(AssetsCompile, AnUndefinedTemplateVariableIsAnErrorAtItsLine) {
  TempDir repo;
  repo.write("assets/databases/main.yaml.j2", "database_name: x\nuuid: u\nsqlalchemy_uri: {{ missing_var }}\n");
  repo.write("env/dev.yaml", "other: 1\n");
  Error error = compile_error(repo);
  ASSERT_TRUE(error.where);
  EXPECT_EQ(error.where->file, "assets/databases/main.yaml.j2");
  EXPECT_EQ(error.where->line, 3);
}

TEST(AssetsCompile, AnOverridesFileIsDeepMergedIntoItsItem) {
  TempDir repo;
  repo.write("assets/databases/db.yaml",
             "database_name: db\nuuid: db-1\nextra:\n  engine_params:\n    pool_size: 5\n    echo: false\n"
             "  schemas: [a, b]\n  keep: yes\n");
  repo.write("assets/databases/db.overrides.yaml",
             "extra:\n  engine_params:\n    pool_size: 20\n  schemas: [c]\nexpose_in_sqllab: false\n");
  json item = compiled(repo).content["items"]["databases"]["db-1"];
  EXPECT_EQ(item["extra"]["engine_params"], json({{"pool_size", 20}, {"echo", false}}));
  EXPECT_EQ(item["extra"]["schemas"], json({"c"}));  // lists replace
  EXPECT_EQ(item["extra"]["keep"], true);
  EXPECT_EQ(item["expose_in_sqllab"], false);
  EXPECT_EQ(item["database_name"], "db");

  // A reference the overrides file breaks is reported at the overrides file's line.
  repo.write("assets/charts/c.yaml", "slice_name: c\nuuid: c-1\ndataset_uuid: null\n");
  repo.write("assets/charts/c.overrides.yaml", "viz_type: table\ndataset_uuid: nope\n");
  Error error = compile_error(repo);
  EXPECT_EQ(error.where->to_string(), "assets/charts/c.overrides.yaml:2:15");
}

TEST(AssetsCompile, AnOverridesFileWithoutItsItemIsAnError) {
  TempDir repo;
  repo.write("assets/charts/gone.overrides.yaml", "viz_type: table\n");
  Error error = compile_error(repo);
  EXPECT_EQ(error.where->file, "assets/charts/gone.overrides.yaml");
}

TEST(AssetsCompile, SecretsStayReferencesInTheBundleAndItsFiles) {
  TempDir repo;
  repo.write("assets/databases/db.yaml.j2", "database_name: db\nuuid: db-1\nsqlalchemy_uri: {{ db_uri }}\n");
  repo.write("env/dev.yaml", "db_uri: postgresql://bi:${BI_DB_PASSWORD}@db.dev/sales\n");
  setenv("BI_DB_PASSWORD", "hunter2-not-in-bundles", 1);
  json settings = {{"secrets", {"BI_DB_PASSWORD"}}};
  Bundle bundle = compiled(repo, "dev", settings);
  unsetenv("BI_DB_PASSWORD");
  EXPECT_EQ(bundle.content["items"]["databases"]["db-1"]["sqlalchemy_uri"],
            "postgresql://bi:${BI_DB_PASSWORD}@db.dev/sales");
  EXPECT_EQ(bundle.content.dump().find("hunter2"), std::string::npos);
  for (const auto& [path, text] : provider(repo.path(), "dev", settings)->bundle_files(bundle))
    EXPECT_EQ(text.find("hunter2"), std::string::npos) << path;
}

TEST(AssetsCompile, ASecretReferenceThatIsNotAllowedIsAnErrorAtTheVariablesLine) {
  TempDir repo;
  repo.write("assets/databases/db.yaml.j2", "database_name: db\nuuid: db-1\nsqlalchemy_uri: {{ db_uri }}\n");
  repo.write("env/dev.yaml", "a: 1\ndb_uri: postgresql://bi:${BI_DB_PASSWORD}@db.dev/sales\n");
  Error error = compile_error(repo);
  EXPECT_EQ(error.where->file, "env/dev.yaml");
  EXPECT_EQ(error.where->line, 2);
  EXPECT_NE(error.message.find("${BI_DB_PASSWORD}"), std::string::npos);
}

TEST(AssetsCompile, IgnoredFieldsAreLeftOutOfTheBundle) {
  TempDir repo;
  repo.write("assets/databases/db.yaml", "database_name: db\nuuid: db-1\nid: 7\nchanged_on: '2026-01-01'\nowners: [1]\n");
  json item = compiled(repo).content["items"]["databases"]["db-1"];
  EXPECT_EQ(item, json({{"database_name", "db"}, {"uuid", "db-1"}}));
  json custom = compiled(repo, "dev", {{"kinds", {{"databases", {{"ignore", {"database_name"}}}}}}})
                    .content["items"]["databases"]["db-1"];
  EXPECT_TRUE(custom.contains("owners"));
  EXPECT_FALSE(custom.contains("database_name"));
}

TEST(AssetsCompile, AFolderThatIsNotAConfiguredKindIsAnError) {
  TempDir repo;
  repo.write("assets/chrats/x.yaml", "uuid: x\n");
  Error error = compile_error(repo);
  EXPECT_EQ(error.where->file, "assets/chrats");
}

TEST(AssetsCompile, BadSettingsAreConfigurationErrorsAtTheirLine) {
  TempDir repo;
  for (json settings : {json{{"urll", "x"}}, json{{"update_method", "POST"}}, json{{"order", {"charts", "widgets"}}},
                        json{{"kinds", {{"charts", {{"references", {{{"field", "x"}, {"kind", "nope"}}}}}}}}},
                        json{{"url", "ftp://x"}}, json{{"page_size", 0}}}) {
    auto made = make_provider(spec(repo.path(), "dev", settings));
    ASSERT_FALSE(made) << settings.dump();
    EXPECT_EQ(made.error().code, ExitCode::usage);
    EXPECT_EQ(made.error().where->line, 12) << settings.dump();
  }
}

}  // namespace
}  // namespace converge::providers::assets
