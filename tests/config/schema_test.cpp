// schema/converge.schema.json, the JSON Schema editors validate converge.yaml with,
// checked against the parser: at every level the schema lists exactly the keys the
// parser knows (read from its "unknown key … (known: …)" error), and for a table of
// documents, good and bad at every level, Ajv and the parser (with each target's
// provider) give the same verdict.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "converge/config/config.hpp"
#include "converge/providers/provider.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"

namespace converge::testing {
namespace {

using nlohmann::json;

const std::string kSchemaPath = std::string(CONVERGE_SOURCE_DIR) + "/schema/converge.schema.json";

json schema() {
  std::ifstream in(kSchemaPath);
  return json::parse(in);
}

// YAML as an editor's schema validator reads it (YAML 1.2 core schema): quoted
// scalars are strings; plain true/false/null, integers and floats are typed.
json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = to_json(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const auto& s = node.Scalar();
      if (node.Tag() == "!") return s;
      if (s == "true") return true;
      if (s == "false") return false;
      if (s == "null" || s == "~") return nullptr;
      try {
        size_t used = 0;
        long long n = std::stoll(s, &used);
        if (used == s.size()) return n;
        double d = std::stod(s, &used);
        if (used == s.size()) return d;
      } catch (const std::exception&) {
      }
      return s;
    }
    default:
      return nullptr;
  }
}

// The parser's verdict: parse, then build every target's provider in every
// environment (settings are judged by the provider). "" when accepted.
std::string parser_error(const std::string& yaml) {
  auto config = config::parse(yaml, "converge.yaml");
  if (!config) return config.error().to_string();
  for (const auto& env : config->environments) {
    auto resolved = config::resolve(*config, env.name, [](std::string_view) { return std::optional<std::string>("x"); });
    if (!resolved) return resolved.error().to_string();
    for (const auto& target : resolved->targets) {
      const auto* factory = providers::find(target.provider);
      if (!factory) return "unknown provider " + target.provider;
      auto provider = (*factory)({target.name, env.name, "/nonexistent", target.settings});
      if (!provider) return provider.error().to_string();
    }
  }
  return "";
}

// Ajv's verdicts for `docs`, in order.
std::vector<json> schema_verdicts(const std::vector<json>& docs) {
  TempDir dir;
  dir.write("cases.json", json(docs).dump());
  const std::string command = "sh '" + std::string(CONVERGE_SOURCE_DIR) + "/tests/config/schema/check.sh' '" +
                              kSchemaPath + "' '" + (dir.path() / "cases.json").string() + "'";
  std::string out;
  EXPECT_EQ(run_shell(command, &out), 0) << command;
  auto results = json::parse(out);
  return {results.begin(), results.end()};
}

constexpr const char* kEnvs = "environments:\n  - name: dev\n    branch: \"dev/**\"\n";
std::string sql(const std::string& settings) {
  return std::string(kEnvs) + "targets:\n  - name: db\n    provider: sql\n    settings:\n      url: sqlite:///x.db\n" +
         settings;
}
std::string assets(const std::string& settings) {
  return std::string(kEnvs) + "targets:\n  - name: bi\n    provider: assets\n    settings:\n      url: http://bi:8088\n" +
         settings;
}

std::string terraform(const std::string& settings) {
  return std::string(kEnvs) + "targets:\n  - name: infra\n    provider: terraform\n    settings:\n      root: infra\n" +
         settings;
}

std::string fabric(const std::string& settings) {
  return std::string(kEnvs) + "targets:\n  - name: ws\n    provider: fabric\n    settings:\n" +
         "      workspace_id: 6f1c2a57-0c5e-4e0b-9a51-1f4f7d0b9a11\n      token: t\n" + settings;
}

struct Case {
  std::string yaml;
  bool valid;
  // The one known difference: the parser reads any scalar where it wants a string
  // (`url: 5` is "5"); the schema wants a YAML string there, as an editor should.
  bool only_the_schema_refuses = false;
};

const std::vector<Case> kCases = {
    // The documented example, and the smallest file.
    {"version: 1\nmanifest:\n  url: sqlite:///.converge/manifest.db\nenvironments:\n  - name: dev\n    branch: \"dev/**\"\n"
     "  - name: prod\n    branch: main\n    gates: {approvals: 1, distinct_approver: true, plan_pinning: true,"
     " allow_large_pull_requests: false}\n    drift: {schedule: \"0 1 * * *\", mode: detect}\n    promote_from: dev\n"
     "    secrets: [PROD_DATABASE_URL]\ntargets:\n  - name: app-db\n    provider: sql\n    environments: [dev, prod]\n"
     "    settings:\n      url: sqlite:///.converge/x.db\n    overrides:\n      prod:\n        url: postgres://db/app\n",
     true},
    {sql(""), true},
    // Top level.
    {"version: 2\n" + sql(""), false},
    {"version: \"1\"\n" + sql(""), false},
    {std::string(kEnvs) + "targets: []\n", false},
    {"environments: []\ntargets:\n  - {name: db, provider: sql, settings: {url: sqlite:///x.db}}\n", false},
    {"targets:\n  - {name: db, provider: sql, settings: {url: sqlite:///x.db}}\n", false},
    {"manifest: {url: 5}\n" + sql(""), false, true},
    {"manifest: {url: [a]}\n" + sql(""), false},
    {"manifest: {url: sqlite:///m.db, kind: x}\n" + sql(""), false},
    // Environments.
    {"environments:\n  - {name: dev}\ntargets:\n  - {name: db, provider: sql, settings: {url: sqlite:///x.db}}\n", false},
    {"environments:\n  - {name: \"d v\", branch: x}\ntargets:\n  - {name: db, provider: sql, settings: {url: sqlite:///x.db}}\n",
     false},
    {"environments:\n  - {name: dev, branch: x, gates: {approvals: -1}}\ntargets:\n  - {name: db, provider: sql, settings: {url: "
     "sqlite:///x.db}}\n",
     false},
    {"environments:\n  - {name: dev, branch: x, gates: {approvals: two}}\ntargets:\n  - {name: db, provider: sql, settings: "
     "{url: sqlite:///x.db}}\n",
     false},
    {"environments:\n  - {name: dev, branch: x, gates: {plan_pinning: \"true\"}}\ntargets:\n  - {name: db, provider: sql, "
     "settings: {url: sqlite:///x.db}}\n",
     false},
    {"environments:\n  - {name: dev, branch: x, drift: {mode: fix}}\ntargets:\n  - {name: db, provider: sql, settings: {url: "
     "sqlite:///x.db}}\n",
     false},
    {"environments:\n  - {name: dev, branch: x, drift: {mode: apply, schedule: \"0 1 * * *\"}}\ntargets:\n  - {name: db, "
     "provider: sql, settings: {url: sqlite:///x.db}}\n",
     true},
    {"environments:\n  - {name: dev, branch: x, secrets: [A, A]}\ntargets:\n  - {name: db, provider: sql, settings: {url: "
     "sqlite:///x.db}}\n",
     false},
    {"environments:\n  - {name: dev, branch: x, secrets: [not-a-name]}\ntargets:\n  - {name: db, provider: sql, settings: "
     "{url: sqlite:///x.db}}\n",
     false},
    // Targets.
    {std::string(kEnvs) + "targets:\n  - {name: db, provider: nosuch}\n", false},
    {std::string(kEnvs) + "targets:\n  - {provider: sql, settings: {url: sqlite:///x.db}}\n", false},
    {std::string(kEnvs) + "targets:\n  - {name: db, provider: sql, settings: [url]}\n", false},
    // The sql provider's settings.
    {sql("      migrations: db/m\n      snapshot: db/s.sql\n      strict: false\n      lock_timeout: 5s\n"
         "      statement_timeout: 0\n      lint: {destructive/drop-table: error}\n"),
     true},
    {sql("      lock_timeout: \"0\"\n      statement_timeout: 15min\n"), true},
    {sql("      snapshot_format: dbmate\n      pg_dump: none\n      privileges: true\n"
         "      lint: {locks/volatile-default: notice}\n"),
     true},
    {sql("      snapshot_format: pg_dump\n"), false},
    {sql("      privileges: \"yes\"\n"), false},
    {sql("      strict: yes\n"), false},
    {sql("      lock_timeout: 5\n"), false},
    {sql("      lock_timeout: 5 s\n"), false},
    {sql("      lint: {destructive/drop-table: fatal}\n"), false},
    {sql("      migration: db/m\n"), false},
    // The assets provider's settings.
    {assets("      sources: assets\n      vars: env/dev.yaml\n      prune: true\n      update_method: PATCH\n"
            "      auth_header: \"Authorization: Bearer x\"\n      secrets: [BI_TOKEN]\n      paging: none\n"
            "      page_size: 50\n      kinds:\n        charts: {path: /api/charts, id_field: uuid, ignore: [changed_on],"
            " references: [{field: dataset_uuid, kind: datasets}]}\n        datasets: {}\n"
            "      order: [datasets, charts]\n"),
     true},
    {assets("      runtime: superset\n      username: converge\n      password: ${SUPERSET_PASSWORD}\n"
            "      passwords:\n        examples: ${EXAMPLES_DB_PASSWORD}\n      managed_externally: true\n"
            "      external_url: https://github.com/acme/bi/blob/main/{file}\n"),
     true},
    {assets("      runtime: preset\n      api_token: ${PRESET_API_TOKEN}\n      api_secret: ${PRESET_API_SECRET}\n"
            "      api_url: https://api.app.preset.io\n"),
     true},
    {assets("      runtime: metabase\n"), false},
    {assets("      update_method: POST\n"), false},
    {assets("      page_size: 0\n"), false},
    {assets("      paging: cursor\n"), false},
    {assets("      kinds:\n        charts: {path: /c, idfield: x}\n"), false},
    {std::string(kEnvs) + "targets:\n  - {name: bi, provider: assets, settings: {url: ftp://bi}}\n", false},
    // The terraform provider's settings.
    {terraform("      binary: tofu\n      var_files: [envs/dev.tfvars]\n      backend_config: [key=dev.tfstate]\n"
               "      workspace: dev\n      args: [-parallelism=4]\n      env: {AWS_REGION: eu-west-1}\n"
               "      plan_key: k\n      plan_dir: /tmp/plans\n      volatile: [tags.BuildTime]\n      timeout: 30min\n"),
     true},
    {terraform("      var_files: envs/dev.tfvars\n"), false},
    {terraform("      env: {AWS_REGION: [eu]}\n"), false},
    {terraform("      timeout: 30\n"), false},
    {terraform("      workdir: x\n"), false},
    // The fabric provider's settings.
    {fabric("      api_url: http://127.0.0.1:9/\n      authority: https://login.example\n      scope: s/.default\n"
            "      auth: token\n      sources: ws\n      parameters: ws/parameter.yml\n      parameter_environment: PPE\n"
            "      item_types: [Notebook, Lakehouse]\n      prune: true\n      delete_data: [Lakehouse]\n"
            "      stamp: false\n"),
     true},
    {fabric("      delete_data: [Notebook]\n"), false},
    {fabric("      auth: password\n"), false},
    {fabric("      api_url: ftp://x\n"), false},
    {fabric("      prune: sometimes\n"), false},
    {fabric("      folders: x\n"), false},
    {fabric("      promote_via: deployment-pipeline\n      deployment_pipeline: a5ded933-57b7-41f4-b072-ed4c1f9d5824\n"
            "      source_stage: db1577e0-0132-4d6d-92b9-952c359988f2\n"
            "      target_stage: f1c39546-6282-4590-8af3-847a6226ad16\n"),
     true},
    {fabric("      promote_via: release\n"), false},
};

TEST(ConfigSchema, AjvAndTheParserGiveTheSameVerdictOnEveryDocument) {
  std::vector<json> docs;
  for (const auto& c : kCases) docs.push_back(to_json(YAML::Load(c.yaml)));
  const auto verdicts = schema_verdicts(docs);
  ASSERT_EQ(verdicts.size(), kCases.size());
  for (size_t i = 0; i < kCases.size(); ++i) {
    const auto error = parser_error(kCases[i].yaml);
    EXPECT_EQ(error.empty(), kCases[i].valid || kCases[i].only_the_schema_refuses) << "parser, case " << i << ": " << error << "\n" << kCases[i].yaml;
    EXPECT_EQ(verdicts[i]["valid"].get<bool>(), kCases[i].valid)
        << "schema, case " << i << ": " << verdicts[i]["errors"].dump() << "\n" << kCases[i].yaml;
  }
}

// The keys the parser knows where `yaml` puts the unknown key `zz_unknown`.
std::set<std::string> parser_keys(const std::string& yaml) {
  const auto error = parser_error(yaml);
  const auto at = error.find("(known: ");
  EXPECT_NE(at, std::string::npos) << error;
  std::set<std::string> keys;
  if (at == std::string::npos) return keys;
  std::istringstream list(error.substr(at + 8, error.rfind(')') - at - 8));
  for (std::string key; std::getline(list, key, ',');) keys.insert(key.substr(key.find_first_not_of(' ')));
  return keys;
}

std::set<std::string> schema_keys(const json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.at("properties").items()) keys.insert(key);
  return keys;
}

TEST(ConfigSchema, ListsExactlyTheKeysTheParserKnowsAtEveryLevel) {
  const auto s = schema();
  const auto& d = s["definitions"];
  const std::string target = "targets:\n  - {name: db, provider: sql, settings: {url: sqlite:///x.db}}\n";
  EXPECT_EQ(parser_keys("zz_unknown: 1\n" + sql("")), schema_keys(s));
  EXPECT_EQ(parser_keys("manifest: {zz_unknown: 1}\n" + sql("")), schema_keys(s["properties"]["manifest"]));
  EXPECT_EQ(parser_keys("environments:\n  - {name: dev, branch: x, zz_unknown: 1}\n" + target),
            schema_keys(d["environment"]));
  EXPECT_EQ(parser_keys("environments:\n  - {name: dev, branch: x, gates: {zz_unknown: 1}}\n" + target),
            schema_keys(d["environment"]["properties"]["gates"]));
  EXPECT_EQ(parser_keys("environments:\n  - {name: dev, branch: x, drift: {zz_unknown: 1}}\n" + target),
            schema_keys(d["environment"]["properties"]["drift"]));
  EXPECT_EQ(parser_keys(std::string(kEnvs) + "targets:\n  - {name: db, provider: sql, zz_unknown: 1}\n"),
            schema_keys(d["target"]));
  EXPECT_EQ(parser_keys(sql("      zz_unknown: 1\n")), schema_keys(d["sql_settings"]));
  // The assets settings are those of its generic runtime and those of its Superset ones.
  std::set<std::string> assets_keys = parser_keys(assets("      zz_unknown: 1\n"));
  assets_keys.merge(parser_keys(assets("      runtime: superset\n      zz_unknown: 1\n")));
  EXPECT_EQ(assets_keys, schema_keys(d["assets_settings"]));
  EXPECT_EQ(parser_keys(fabric("      zz_unknown: 1\n")), schema_keys(d["fabric_settings"]));
}

TEST(ConfigSchema, NamesEveryProviderTheRegistryHas) {
  const auto s = schema();
  std::set<std::string> in_schema;
  for (const auto& name : s["definitions"]["target"]["properties"]["provider"]["enum"]) in_schema.insert(name);
  std::set<std::string> registered;
  for (const auto& name : providers::names()) registered.insert(name);
  EXPECT_EQ(in_schema, registered);
}

TEST(ConfigSchema, TheQuickstartAndTheExamplesValidate) {
  std::vector<json> docs;
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(std::string(CONVERGE_SOURCE_DIR) + "/examples"))
    if (entry.path().filename() == "converge.yaml") {
      docs.push_back(to_json(YAML::LoadFile(entry.path().string())));
      names.push_back(entry.path().string());
    }
  ASSERT_FALSE(docs.empty());
  const auto verdicts = schema_verdicts(docs);
  for (size_t i = 0; i < docs.size(); ++i) EXPECT_TRUE(verdicts[i]["valid"].get<bool>()) << names[i] << verdicts[i]["errors"];
}

}  // namespace
}  // namespace converge::testing
