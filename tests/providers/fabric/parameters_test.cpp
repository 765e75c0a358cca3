// parameter.yml read and applied as fabric-cicd does, on fabric-cicd's own sample
// workspace (its parameter.yml and items, unchanged). The expected bytes of rewritten
// JSON parts were computed with Python's json and jsonpath_ng (what fabric-cicd's
// replace_key_value runs), the regex results with Python's re.sub as fabric-cicd calls it.
#include "converge/providers/fabric/parameters.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "converge/providers/fabric/markers.hpp"
#include "converge/util/sha256.hpp"
#include "read_items.hpp"
#include "support/temp_dir.hpp"
#include "support/yaml_bomb.hpp"

namespace converge::providers::fabric {
namespace {

using ::converge::util::sha256_hex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::filesystem::path kSample =
    std::filesystem::path(CONVERGE_SHARED_TESTDATA) / "fabric-items/fabric-cicd/sample/workspace";

Item& item(std::vector<Item>& items, std::string_view key) {
  for (Item& i : items)
    if (i.key() == key) return i;
  throw std::runtime_error("no item " + std::string(key));
}

const std::string& part(std::vector<Item>& items, std::string_view key, std::string_view path) {
  for (const Part& p : item(items, key).parts)
    if (p.path == path) return p.bytes;
  throw std::runtime_error("no part " + std::string(path));
}

struct Applied {
  std::vector<Item> items;
  ParameterReport report;
};

Applied apply_sample(std::string_view environment, const std::filesystem::path& dir = kSample) {
  auto params = load_parameters(dir / "parameter.yml", "parameter.yml");
  if (!params) throw std::runtime_error(params.error().to_string());
  Applied out{testing::read_items(dir), {}};
  mark_logical_ids(out.items);
  auto report = apply_parameters(*params, environment, out.items);
  if (!report) throw std::runtime_error(report.error().to_string());
  mark_default_workspace_ids(out.items);
  out.report = std::move(*report);
  return out;
}

std::string error_of(std::string_view yaml) {
  auto p = parse_parameters(yaml, "parameter.yml");
  return p ? "(no error)" : p.error().to_string();
}

TEST(FabricParameters, TheSampleParameterFileLoadsWithEveryEntryAndItsLine) {
  auto p = load_parameters(kSample / "parameter.yml", "parameter.yml");
  ASSERT_TRUE(p) << p.error().to_string();
  ASSERT_EQ(p->find_replace.size(), 9u);
  ASSERT_EQ(p->key_value_replace.size(), 5u);
  ASSERT_EQ(p->spark_pool.size(), 2u);
  EXPECT_EQ(p->find_replace[0].line, 3);
  EXPECT_EQ(p->find_replace[1].line, 14);
  EXPECT_TRUE(p->find_replace[1].is_regex);
  EXPECT_EQ(p->key_value_replace[4].line, 106);
  EXPECT_EQ(p->spark_pool[0].line, 114);
  EXPECT_FALSE(p->spark_pool[1].item_name.has_value());  // `item_name:` with no value is no filter
  EXPECT_THAT(p->not_applied, ElementsAre(std::pair<std::string, int>{"semantic_model_binding", 137}));
  // Dynamic values become markers, normalised ($workspace.$id → $workspace.id, .$id → .id).
  EXPECT_EQ(p->find_replace[5].replace_value[0].second, "⟦$workspace.id⟧");
  EXPECT_EQ(p->find_replace[7].replace_value[1].second, "⟦$items.SemanticModel.ABC.id⟧");
  EXPECT_EQ(p->find_replace[3].replace_value[0].second, "⟦$items.Lakehouse.WithoutSchema.sqlendpoint⟧");
  EXPECT_EQ(p->key_value_replace[4].replace_value[0].second, nlohmann::ordered_json(false));
}

// SHA-256 over every part, sorted by path, each "<dir>/<path>\0<bytes>\0": what
// fabric_cicd_reference.py prints.
std::string digest(const std::vector<Item>& items) {
  std::vector<std::pair<std::string, const std::string*>> files;
  for (const Item& i : items)
    for (const Part& p : i.parts) files.emplace_back(i.dir + "/" + p.path, &p.bytes);
  std::sort(files.begin(), files.end());
  std::string all;
  for (const auto& [path, bytes] : files) {
    all += path;
    all += '\0';
    all += *bytes;
    all += '\0';
  }
  return sha256_hex(all);
}

TEST(FabricParameters, MatchesFabricCicdsRulesOnEveryFileOfTheSample) {
  // tests/providers/fabric/fabric_cicd_reference.py WORKSPACE PPE PROD UAT: fabric-cicd's
  // logical ids, parameters and workspace ids applied by its rules in Python, with the
  // runtime values as markers.
  EXPECT_EQ(digest(apply_sample("PPE").items), "4ee41f5f210456518306b19943d1e9540e7b32730b907061cb98e9d1d7a094d9");
  EXPECT_EQ(digest(apply_sample("PROD").items), "1300ddd8e28f0d4784c5e710d6e496709fcf93cb71d24ba7737078a711304841");
  EXPECT_EQ(digest(apply_sample("UAT").items), "d7c9a3acae8f5b0abccb05cbca11d45a276c2d26e3064d659dffce7dff2c25f5");
}

TEST(FabricParameters, MatchesFabricCicdsRulesOnEveryFileOfAWorkspaceThatTriesEachFeature) {
  // testdata/workspace: ignore_case, _ALL_, Python regexes with (?i) and literal braces,
  // globs (**, *, ?), a list of paths with and without the leading slash, an empty
  // item_name, an empty value, slices, int() in a filter, a mapping as a value, a binary
  // part, logical ids and the all-zero workspace id.
  const auto dir = std::filesystem::path(FABRIC_TESTDATA) / "workspace";
  auto prod = apply_sample("PROD", dir);
  EXPECT_EQ(digest(prod.items), "a74bb78c0b29c60ed66647f3f00f39c4a8cdda966fffe77a97f5dc345e8cd22a");
  EXPECT_EQ(digest(apply_sample("PPE", dir).items), "5d0b5f9330318d62b6a4d0c163013c4933510e8ccd258b8c119ccbd29e213931");
  EXPECT_THAT(prod.report.warnings,
              ElementsAre("parameter.yml:25: find_replace matched nothing in the items (find_value \"link\")",
                          // "42" was there, but the regex before it replaced it.
                          "parameter.yml:29: find_replace matched nothing in the items (find_value \"42\")",
                          "parameter.yml:32: find_replace matched nothing in the items (find_value "
                          "\"nowhere-to-be-found\")"));
}

TEST(FabricParameters, TheVariableLibraryGetsEachEnvironmentsValuesAsFabricCicdWritesThem) {
  auto ppe = apply_sample("PPE");
  EXPECT_EQ(
      part(ppe.items, "VariableLibrary/Vars", "variables.json"),
      R"({"$schema": "https://developer.microsoft.com/json-schemas/fabric/item/variableLibrary/definition/variables/1.0.0/schema.json", "variables": [{"name": "Environment", "note": "", "type": "String", "value": "PPE"}, {"name": "SQL_Server", "note": "", "type": "String", "value": "contoso-ppe.database.windows.net"}]})");
  auto prod = apply_sample("PROD");
  EXPECT_EQ(
      part(prod.items, "VariableLibrary/Vars", "variables.json"),
      R"({"$schema": "https://developer.microsoft.com/json-schemas/fabric/item/variableLibrary/definition/variables/1.0.0/schema.json", "variables": [{"name": "Environment", "note": "", "type": "String", "value": "PROD"}, {"name": "SQL_Server", "note": "", "type": "String", "value": "contoso-prod.database.windows.net"}]})");
  // The PROD-only entries with a file_path written without a leading slash.
  EXPECT_EQ(
      part(prod.items, "VariableLibrary/Vars", "valueSets/PROD.json"),
      R"({"$schema": "https://developer.microsoft.com/json-schemas/fabric/item/variableLibrary/definition/valueSet/1.0.0/schema.json", "name": "PROD", "variableOverrides": [{"name": "Environment", "value": "PROD_ENV"}, {"name": "SQL_Server", "value": "contoso-production-override.database.windows.net"}]})");
  // In PPE those entries are skipped, but the Vars-wide ones selected the file: its
  // values stay, rewritten through json.dumps as fabric-cicd rewrites it.
  EXPECT_THAT(part(ppe.items, "VariableLibrary/Vars", "valueSets/PROD.json"),
              HasSubstr(R"({"name": "Environment", "value": "Prod"})"));
}

TEST(FabricParameters, TheScheduleIsEnabledPerEnvironmentThroughARecursiveGlob) {
  const std::string off =
      R"({"$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/schedules/1.0.0/schema.json", "schedules": [{"enabled": false, "jobType": "Execute", "configuration": {"type": "Cron", "startDateTime": "2025-07-01T12:00:00", "endDateTime": "2029-07-01T12:00:00", "localTimeZoneId": "Pacific Standard Time", "interval": 15}}]})";
  auto ppe = apply_sample("PPE");
  EXPECT_EQ(part(ppe.items, "DataPipeline/Run Hello World", ".schedules"), off);
  auto prod = apply_sample("PROD");
  std::string on = off;
  on.replace(on.find("false"), 5, "true");
  EXPECT_EQ(part(prod.items, "DataPipeline/Run Hello World", ".schedules"), on);
}

TEST(FabricParameters, TheNotebooksLakehouseAndWorkspaceBecomeMarkersOfTheTargetWorkspace) {
  auto ppe = apply_sample("PPE");
  const std::string& nb = part(ppe.items, "Notebook/Example Notebook", "notebook-content.py");
  // The regex replaces its capturing group only (re.sub as fabric-cicd calls it).
  EXPECT_THAT(nb, HasSubstr("# META       \"default_lakehouse\": \"⟦$items.Lakehouse.WithoutSchema.id⟧\",\n"));
  EXPECT_THAT(nb, HasSubstr("# META       \"default_lakehouse_workspace_id\": \"⟦$workspace.id⟧\",\n"));
  // known_lakehouses keeps the id: the regex names default_lakehouse only.
  EXPECT_THAT(nb, HasSubstr("\"id\": \"f3b9c1e2-7d4a-4b3e-9f2a-1c6e8d9a7b3c\""));
  EXPECT_THAT(nb, HasSubstr("endpoint: ⟦$items.Lakehouse.WithoutSchema.sqlendpoint⟧\")"));
  EXPECT_THAT(nb, HasSubstr("query URI: ⟦$items.Eventhouse.SampleEventhouse.queryserviceuri⟧\")"));
  // The whole part equals what fabric-cicd's _replace_parameters makes of it (re.sub and
  // str.replace in Python, with the markers as the replacement values): SHA-256 of those bytes.
  EXPECT_EQ(sha256_hex(nb), "c7f1dcdf4fb40763b005700d98ae279cf0717ad2250dced3a393fa9b2567086b");
  EXPECT_THAT(markers_in(nb), ElementsAre("$items.Lakehouse.WithoutSchema.id", "$workspace.id",
                                          "$items.Lakehouse.WithoutSchema.sqlendpoint",
                                          "$items.Eventhouse.SampleEventhouse.queryserviceuri"));
}

TEST(FabricParameters, TheReportByConnectionGetsTheWorkspaceAndTheSemanticModel) {
  for (const char* env : {"PPE", "PROD"}) {
    auto applied = apply_sample(env);
    EXPECT_THAT(part(applied.items, "Report/ByConnection", "definition.pbir"),
                HasSubstr("\"connectionString\": \"Data Source=powerbi://api.powerbi.com/v1.0/myorg/⟦$workspace.id⟧;"
                          "initial catalog=ABC;access mode=readonly;integrated security=ClaimsToken;"
                          "semanticmodelid=⟦$items.SemanticModel.ABC.id⟧\""))
        << env;
    EXPECT_THAT(part(applied.items, "PaginatedReport/ABC Paginated", "ABC Paginated.rdl"),
                HasSubstr("⟦$items.SemanticModel.ABC.id⟧"));
    EXPECT_THAT(part(applied.items, "PaginatedReport/ABC Paginated", "ABC Paginated.rdl"),
                ::testing::Not(HasSubstr("4febdc09-e283-4a4f-9658-38bab81bab2d")));
  }
}

TEST(FabricParameters, EntriesTheSampleItemsCannotMatchAreWarningsWithTheirLines) {
  for (const char* env : {"PPE", "PROD"}) {
    auto applied = apply_sample(env);
    EXPECT_THAT(applied.report.warnings,
                ElementsAre("parameter.yml:3: find_replace matched nothing in the items (find_value "
                            "\"db52be81-c2b2-4261-84fa-840c67f4bbd0\")",
                            "parameter.yml:114: spark_pool matched nothing in the items (instance_pool_id "
                            "\"72c68dbc-0775-4d59-909d-a47896f4573b\")",
                            "parameter.yml:125: spark_pool matched nothing in the items (instance_pool_id "
                            "\"e7b8f1c4-4a6e-4b8b-9b2e-8f1e5d6a9c3d\")",
                            "parameter.yml:137: semantic_model_binding is not applied by converge's fabric provider"))
        << env;
  }
  // UAT has values for the two Vars-wide entries only: the others are skipped, not warned about.
  auto uat = apply_sample("UAT");
  EXPECT_THAT(
      part(uat.items, "VariableLibrary/Vars", "variables.json"),
      HasSubstr(
          R"({"name": "SQL_Server", "note": "", "type": "String", "value": "contoso-uat.database.windows.net"})"));
  EXPECT_THAT(part(uat.items, "VariableLibrary/Vars", "valueSets/PROD.json"), HasSubstr(R"("value": "Prod")"));
  EXPECT_THAT(part(uat.items, "Notebook/Example Notebook", "notebook-content.py"),
              HasSubstr("sqlserverconnectionstringinoriginlakehouse.com"));
  EXPECT_THAT(uat.report.warnings,
              ElementsAre("parameter.yml:137: semantic_model_binding is not applied by converge's fabric provider"));
}

TEST(FabricParameters, AnEnvironmentWithoutValuesChangesNoValueButRewritesTheSelectedJson) {
  auto p = load_parameters(kSample / "parameter.yml", "parameter.yml");
  ASSERT_TRUE(p);
  auto items = testing::read_items(kSample);
  const auto before = items;
  ASSERT_TRUE(apply_parameters(*p, "TEST", items));
  std::vector<std::string> rewritten;
  for (std::size_t i = 0; i < items.size(); ++i) {
    for (std::size_t j = 0; j < items[i].parts.size(); ++j) {
      const std::string& now = items[i].parts[j].bytes;
      const std::string& was = before[i].parts[j].bytes;
      if (now == was) continue;
      rewritten.push_back(items[i].dir + "/" + items[i].parts[j].path);
      EXPECT_EQ(nlohmann::ordered_json::parse(now), nlohmann::ordered_json::parse(was)) << rewritten.back();
      EXPECT_EQ(now, python_json_dumps(nlohmann::ordered_json::parse(was)));
    }
  }
  // The JSON parts the key_value_replace filters select, as fabric-cicd rewrites them.
  EXPECT_THAT(rewritten,
              ElementsAre("Run Hello World.DataPipeline/.schedules", "Vars.VariableLibrary/settings.json",
                          "Vars.VariableLibrary/valueSets/PPE.json", "Vars.VariableLibrary/valueSets/PROD.json",
                          "Vars.VariableLibrary/variables.json"));
}

TEST(FabricParameters, LogicalIdsOfOtherItemsBecomeItemMarkers) {
  auto items = testing::read_items(kSample);
  const Item& target = item(items, "Notebook/Hello World");
  ASSERT_FALSE(target.logical_id.empty());
  const std::string id = target.logical_id;
  std::size_t referencing = 0;
  for (const Item& i : items)
    for (const Part& p : i.parts) referencing += p.bytes.find(id) != std::string::npos;
  ASSERT_GT(referencing, 0u) << "the sample's pipeline runs Hello World by its logical id";
  mark_logical_ids(items);
  for (const Item& i : items)
    for (const Part& p : i.parts) EXPECT_EQ(p.bytes.find(id), std::string::npos) << i.dir << "/" << p.path;
  EXPECT_THAT(part(items, "DataPipeline/Run Hello World", "pipeline-content.json"),
              HasSubstr("⟦$items.Notebook.Hello World.id⟧"));
  // A KQL database inside its Eventhouse (.children/TaxiDB.KQLDatabase/.platform) is an
  // item to fabric-cicd too: the queryset and the eventstream reference it.
  const std::string taxi = "a51e98dd-5993-8e1c-443f-02aa53d4db74";
  EXPECT_THAT(part(items, "KQLQueryset/SampleKQLQueryset", "RealTimeQueryset.json"),
              HasSubstr("⟦$items.KQLDatabase.TaxiDB.id⟧"));
  EXPECT_THAT(part(items, "Eventstream/SampleEventstream", "eventstream.json"),
              HasSubstr("⟦$items.KQLDatabase.TaxiDB.id⟧"));
  // ... but no .platform part is changed.
  EXPECT_THAT(part(items, "Eventhouse/SampleEventhouse", ".children/TaxiDB.KQLDatabase/.platform"), HasSubstr(taxi));
}

TEST(FabricParameters, AllAppliesToEveryEnvironmentAndFiltersCombine) {
  std::vector<Item> items{
      {"Notebook", "A", "", "", "", "A.Notebook", {{"x.py", "server=dev"}}},
      {"Notebook", "B", "", "", "sub", "sub/B.Notebook", {{"x.py", "server=dev"}, {"y.py", "server=dev"}}},
      {"Lakehouse", "A", "", "", "", "A.Lakehouse", {{"x.py", "server=dev"}}},
  };
  auto p = parse_parameters(R"(find_replace:
  - find_value: "dev"
    replace_value:
      _all_: "prod"
    item_type: Notebook
    file_path: ["**/x.py", "/A.Notebook/x.py"]
)",
                            "parameter.yml");
  ASSERT_TRUE(p) << p.error().to_string();
  ASSERT_TRUE(apply_parameters(*p, "ANY", items));
  EXPECT_EQ(items[0].parts[0].bytes, "server=prod");
  EXPECT_EQ(items[1].parts[0].bytes, "server=prod");
  EXPECT_EQ(items[1].parts[1].bytes, "server=dev");  // y.py: not in file_path
  EXPECT_EQ(items[2].parts[0].bytes, "server=dev");  // a Lakehouse: not the item_type
}

TEST(FabricParameters, AnEmptyValueReplacesNothingAndAMissingOneStillRewritesTheJson) {
  auto p = parse_parameters(R"(find_replace:
  - find_value: "dev"
    replace_value: {E: ""}
key_value_replace:
  - find_key: $.a
    replace_value: {OTHER: 2}
)",
                            "parameter.yml");
  ASSERT_TRUE(p) << p.error().to_string();
  std::vector<Item> items{
      {"Notebook", "A", "", "", "", "A.Notebook", {{"a.py", "dev"}, {"b.json", "{\n  \"a\": 1\n}"}}}};
  auto report = apply_parameters(*p, "E", items);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->warnings.empty());  // find_value is there; key_value_replace has no value for E
  EXPECT_EQ(items[0].parts[0].bytes, "dev");
  EXPECT_EQ(items[0].parts[1].bytes, "{\"a\": 1}");
}

TEST(FabricParameters, FilePathGlobsFollowPathlib) {
  auto p = parse_parameters(R"(find_replace:
  - find_value: "v"
    replace_value: {E: "w"}
    file_path: ["*.Notebook/*.py", "f/**"]
)",
                            "parameter.yml");
  ASSERT_TRUE(p);
  std::vector<Item> items{{"Notebook", "A", "", "", "", "A.Notebook", {{"a.py", "v"}, {"d/b.py", "v"}}},
                          {"Notebook", "B", "", "", "f", "f/B.Notebook", {{"a.py", "v"}}}};
  ASSERT_TRUE(apply_parameters(*p, "E", items));
  EXPECT_EQ(items[0].parts[0].bytes, "w");
  EXPECT_EQ(items[0].parts[1].bytes, "v");  // * stays in one folder
  EXPECT_EQ(items[1].parts[0].bytes, "v");  // relative to the parameter file's folder; a final ** names folders only
}

TEST(FabricParameters, AnAbsoluteGlobMustLieInTheParameterFilesFolder) {
  // fabric-cicd: an absolute pattern is matched relative to repository_directory, one
  // outside it matches nothing; a plain path loses its leading slashes, so an absolute
  // one names a path under the folder that does not exist.
  testing::TempDir repo;
  const std::string root = repo.path().generic_string();
  repo.write("parameter.yml",
             "find_replace:\n"
             "  - find_value: a\n    replace_value: {E: b}\n    file_path: \"" +
                 root +
                 "/*.Notebook/x.py\"\n"
                 "  - find_value: c\n    replace_value: {E: d}\n    file_path: \"/elsewhere/*.Notebook/x.py\"\n"
                 "  - find_value: e\n    replace_value: {E: f}\n    file_path: \"" +
                 root + "/A.Notebook/x.py\"\n");
  auto p = load_parameters(repo / "parameter.yml", "parameter.yml");
  ASSERT_TRUE(p) << p.error().to_string();
  std::vector<Item> items{{"Notebook", "A", "", "", "", "A.Notebook", {{"x.py", "ace"}}}};
  auto report = apply_parameters(*p, "E", items);
  ASSERT_TRUE(report);
  EXPECT_EQ(items[0].parts[0].bytes, "bce");
  EXPECT_EQ(report->warnings.size(), 2u);
}

TEST(FabricParameters, KeyValuesKeepTheirYamlTypes) {
  auto p = parse_parameters(R"(key_value_replace:
  - find_key: $.a[*].n
    replace_value:
      E: 12
  - find_key: $..flag
    replace_value:
      E: yes
  - find_key: $.s
    replace_value:
      E: "$items.Lakehouse.L.$sqlEndpoint"
)",
                            "parameter.yml");
  ASSERT_TRUE(p) << p.error().to_string();
  std::vector<Item> items{{"Notebook",
                           "A",
                           "",
                           "",
                           "",
                           "A.Notebook",
                           {{"c.json", R"({"a": [{"n": "x"}, {"n": "y"}], "deep": {"flag": false}, "s": "é"})"}}}};
  auto report = apply_parameters(*p, "E", items);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->warnings.empty());
  EXPECT_EQ(items[0].parts[0].bytes,
            R"({"a": [{"n": 12}, {"n": 12}], "deep": {"flag": true}, "s": "⟦$items.Lakehouse.L.sqlendpoint⟧"})");
}

TEST(FabricParameters, PythonJsonDumpsEscapesAsPythonDoes) {
  // json.dumps({"a": "é😀\x7f\u27e6"}) == '{"a": "\u00e9\ud83d\ude00\u007f\u27e6"}', but the
  // marker brackets stay UTF-8 so that resolve_markers finds them.
  EXPECT_EQ(python_json_dumps(nlohmann::ordered_json::parse("{\"a\": \"é😀\\u007f\", \"b\": [1, 2.5, null, {}]}")),
            R"({"a": "\u00e9\ud83d\ude00\u007f", "b": [1, 2.5, null, {}]})");
}

TEST(FabricParameters, HostileOrWrongParameterFilesAreOneErrorLineAtTheirPlace) {
  EXPECT_EQ(error_of("find_replace:\n  - find_value: \"(abc\"\n    is_regex: \"true\"\n    replace_value: {E: x}\n"),
            "parameter.yml:2:17: regex does not compile: " +
                std::string(std::regex_error(std::regex_constants::error_paren).what()));
  EXPECT_THAT(error_of("find_replace:\n  - find_value: \"(a)(b)\"\n    is_regex: true\n    replace_value: {E: x}\n"),
              HasSubstr("parameter.yml:2:17: regex must have exactly one capturing group (it has 2)"));
  EXPECT_THAT(error_of("find_replace:\n  - find_value: \"(?<=a)(b)\"\n    is_regex: true\n    replace_value: {E: x}\n"),
              HasSubstr("parameter.yml:2:17: regex: the construct (?<= "));
  EXPECT_EQ(
      error_of("key_value_replace:\n  - find_key: \"$.a[?(@.b ~ 1)]\"\n    replace_value: {E: 1}\n"),
      "parameter.yml:2:15: find_key: expected ) closing the filter at column 11 of the JSONPath: $.a[?(@.b ~ 1)]");
  EXPECT_EQ(error_of("key_value_replace:\n  - find_key: \"a.b\"\n    replace_value: {E: 1}\n"),
            "parameter.yml:2:15: find_key: a JSONPath starts with $ at column 1 of the JSONPath: a.b");
  EXPECT_EQ(error_of("find_replace:\n  - find_value: x\n    replace_value: {E: x}\n    item_typ: Notebook\n"),
            "parameter.yml:4:5: find_replace: unknown key 'item_typ' (known: find_value, replace_value, is_regex, "
            "ignore_case, item_type, item_name, file_path)");
  EXPECT_EQ(error_of("find_replace:\n  - find_value: x\n    replace_value: {E: \"$items.Lakehouse\"}\n"),
            "parameter.yml:3:24: invalid dynamic value '$items.Lakehouse': expected $items.<type>.<name>.<attribute>");
  EXPECT_EQ(error_of("find_replace:\n  - find_value: x\n    replace_value: {E: \"$items.Lakehouse.L.guid\"}\n"),
            "parameter.yml:3:24: invalid dynamic value '$items.Lakehouse.L.guid': the attribute must be one of id, "
            "sqlendpoint, sqlendpointid, queryserviceuri");
  EXPECT_EQ(error_of("find_replace:\n  - find_value: x\n    replace_value: {E: \"$env.X\"}\n"),
            "parameter.yml:3:24: invalid dynamic value '$env.X': expected $items.<type>.<name>.$<attribute>, "
            "$workspace.$id, $workspace.$name, $workspace.$name_encoded or $workspace.<name>.$id");
  EXPECT_EQ(error_of("find_replace:\n  - find_value: x\n    replace_value: {E: 12}\n"),
            "parameter.yml:3:24: find_replace: replace_value.E must be a string (quote it)");
  EXPECT_EQ(
      error_of("find_replace:\n  x: {PPE: y}\n"),
      "parameter.yml:2:3: find_replace must be a list of entries (fabric-cicd's current structure: - find_value: …)");
  EXPECT_EQ(
      error_of("find_and_replace: []\n"),
      "parameter.yml:1:1: unknown section 'find_and_replace' (known: find_replace, key_value_replace, spark_pool, "
      "semantic_model_binding, gateway_binding)");
  EXPECT_EQ(error_of("find_replace:\n  - find_value: x\n    replace_value: {_ALL_: a, PROD: b}\n"),
            "parameter.yml:3:20: find_replace: replace_value has _ALL_ and other environments; _ALL_ must be alone");
  EXPECT_EQ(error_of("find_replace:\n  - find_value: x\n    replace_value: {E: y}\n    file_path: \"../**/x\"\n"),
            "parameter.yml:4:16: file_path: a pattern may not go up a folder (..): ../**/x");
  EXPECT_EQ(error_of("spark_pool:\n  - instance_pool_id: p\n    replace_value: {E: {type: Pool, name: n}}\n"),
            "parameter.yml:3:31: spark_pool: type must be Capacity or Workspace, not 'Pool'");
  // The YAML loader's budget: aliases that expand beyond a million nodes.
  const std::string bomb =
      error_of("find_replace:\n  - find_value: x\n    replace_value:\n" + testing::billion_laughs("      "));
  EXPECT_THAT(bomb, ::testing::StartsWith("parameter.yml:"));
  EXPECT_EQ(bomb.find('\n'), std::string::npos);
  // Deep nesting: one line, not a crash (the YAML loader's limit, then this reader's 64 levels).
  const std::string very_deep =
      error_of("key_value_replace:\n  - find_key: $.a\n    replace_value:\n      E: " + std::string(100000, '[') +
               std::string(100000, ']') + "\n");
  EXPECT_THAT(very_deep, ::testing::StartsWith("parameter.yml:"));
  EXPECT_EQ(very_deep.find('\n'), std::string::npos);
  std::string deep = "key_value_replace:\n  - find_key: $.a\n    replace_value:\n      E: ";
  for (int i = 0; i < 200; ++i) deep += "[";
  for (int i = 0; i < 200; ++i) deep += "]";
  const std::string deep_error = error_of(deep + "\n");
  EXPECT_THAT(deep_error, ::testing::StartsWith("parameter.yml:"));
  EXPECT_EQ(deep_error.find('\n'), std::string::npos);
}

TEST(FabricParameters, ARegexCapturingNothingIsAnErrorNamingThePart) {
  auto p =
      parse_parameters("find_replace:\n  - find_value: 'id=(\\d*);'\n    is_regex: 'true'\n    replace_value: {E: x}\n",
                       "parameter.yml");
  ASSERT_TRUE(p) << p.error().to_string();
  std::vector<Item> items{{"Notebook", "A", "", "", "", "A.Notebook", {{"a.py", "id=;"}}}};
  auto r = apply_parameters(*p, "E", items);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().to_string(), "parameter.yml:2: regex 'id=(\\d*);' captured an empty value in Notebook/A a.py");
}

TEST(FabricParameters, PythonRegexSyntaxIsConverted) {
  // (?P<name>…), \A, an escaped punctuation character and a leading (?i), as Python's re reads them:
  // re.sub(r'(?i)\Auser\=(?P<u>\w+)', ...) on "USER=dev; user=dev" replaces the first only.
  auto p = parse_parameters(R"(find_replace:
  - find_value: '(?i)\Auser\=(?P<u>\w+)'
    is_regex: "True"
    replace_value: {E: prod}
)",
                            "parameter.yml");
  ASSERT_TRUE(p) << p.error().to_string();
  std::vector<Item> items{{"Notebook", "A", "", "", "", "A.Notebook", {{"a.py", "USER=dev; user=dev"}}}};
  ASSERT_TRUE(apply_parameters(*p, "E", items));
  EXPECT_EQ(items[0].parts[0].bytes, "USER=prod; user=dev");
}

TEST(FabricParameters, ARegexRunsOverALongLineWithoutGrowingTheStack) {
  // The default std::regex executor recurses once per character of (.*) and overflows
  // an 8 MiB stack near 50,000 characters under ASan.
  auto p = parse_parameters(
      "find_replace:\n  - find_value: '\"c\": \"(.*)\"'\n    is_regex: 'true'\n    replace_value: {E: y}\n",
      "parameter.yml");
  ASSERT_TRUE(p) << p.error().to_string();
  std::vector<Item> items{
      {"Notebook", "A", "", "", "", "A.Notebook", {{"a.json", "{\"c\": \"" + std::string(120000, 'x') + "\"}"}}}};
  ASSERT_TRUE(apply_parameters(*p, "E", items));
  EXPECT_EQ(items[0].parts[0].bytes, "{\"c\": \"y\"}");
  EXPECT_THAT(error_of("find_replace:\n  - find_value: '(a)\\1'\n    is_regex: 'true'\n    replace_value: {E: y}\n"),
              HasSubstr("parameter.yml:2:17: regex: backreferences (\\1) are not supported"));
}

TEST(FabricParameters, PythonBracesThatAreNotQuantifiersAreText) {
  // Python's re.sub (as fabric-cicd calls it) gives the expected texts.
  const auto sub = [](std::string pattern, std::string text) {
    auto p = parse_parameters(
        "find_replace:\n  - find_value: '" + pattern + "'\n    is_regex: 'true'\n    replace_value: {E: N}\n",
        "parameter.yml");
    if (!p) return p.error().to_string();
    std::vector<Item> items{{"Notebook", "A", "", "", "", "A.Notebook", {{"a.py", text}}}};
    auto r = apply_parameters(*p, "E", items);
    return r ? items[0].parts[0].bytes : r.error().to_string();
  };
  EXPECT_EQ(sub("{name}: (\\d+)", "{name}: 12, {name}: 7"), "{name}: N, {name}: N");
  EXPECT_EQ(sub("x(a{,2})", "xaaa"), "xNa");
  EXPECT_EQ(sub("v(\\d{2,})}", "v123}"), "vN}");
}

TEST(FabricParameters, BinaryPartsAndVariableLibrariesAreLeftToTheirRules) {
  std::vector<Item> items{
      {"Notebook", "N", "", "11111111-2222-3333-4444-555555555555", "", "N.Notebook", {{"a.py", "x"}}},
      {"VariableLibrary",
       "V",
       "",
       "",
       "",
       "V.VariableLibrary",
       {{"v.json",
         "{\"id\": \"11111111-2222-3333-4444-555555555555\", \"workspaceId\": "
         "\"00000000-0000-0000-0000-000000000000\"}"}}},
      {"Environment",
       "E",
       "",
       "",
       "",
       "E.Environment",
       {{"lib.whl", std::string("\xff\xfe 11111111-2222-3333-4444-555555555555", 39)}}},
      {"Report",
       "R",
       "",
       "",
       "",
       "R.Report",
       {{"r.json",
         "{\"workspaceId\": \"00000000-0000-0000-0000-000000000000\", \"x\": "
         "\"11111111-2222-3333-4444-555555555555\"}"}}},
  };
  const auto before = items;
  mark_logical_ids(items);
  mark_default_workspace_ids(items);
  EXPECT_EQ(items[1].parts[0].bytes, before[1].parts[0].bytes);  // VariableLibrary: parameters only
  EXPECT_EQ(items[2].parts[0].bytes, before[2].parts[0].bytes);  // not UTF-8: binary
  EXPECT_EQ(items[3].parts[0].bytes, "{\"workspaceId\": \"⟦$workspace.id⟧\", \"x\": \"⟦$items.Notebook.N.id⟧\"}");
}

// Python's UTF-8 decoder refuses overlong forms (C0 AF is '/'), surrogates (ED A0 80)
// and code points beyond U+10FFFF: fabric-cicd cannot read such a file as text, so no
// entry changes it (fuzz/regressions/fabric_parameters/overlong-utf8).
TEST(FabricParameters, APartThatIsNotStrictUtf8IsLeftAsItIs) {
  auto p = parse_parameters("find_replace:\n  - find_value: dev\n    replace_value: {E: prod}\n", "parameter.yml");
  ASSERT_TRUE(p) << p.error().to_string();
  std::vector<Item> items{{"Notebook", "N", "", "", "", "N.Notebook",
                           {{"a.py", "dev \xc0\xaf"},
                            {"b.py", "dev \xed\xa0\x80"},
                            {"c.py", "dev \xf4\x90\x80\x80"},
                            {"d.py", "dev \xe0\x80\xaf"},
                            {"e.py", "dev \xf0\x9f\x98\x80"}}}};
  const auto before = items;
  ASSERT_TRUE(apply_parameters(*p, "E", items));
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(items[0].parts[i].bytes, before[0].parts[i].bytes) << i;
  EXPECT_EQ(items[0].parts[4].bytes, "prod \xf0\x9f\x98\x80");  // U+1F600 is text
}

TEST(FabricParameters, SparkPoolAnswersThePoolForAnEnvironment) {
  auto p = load_parameters(kSample / "parameter.yml", "parameter.yml");
  ASSERT_TRUE(p);
  auto large = spark_pool_for(*p, "PROD", "World", "72c68dbc-0775-4d59-909d-a47896f4573b");
  ASSERT_TRUE(large);
  EXPECT_EQ(large->type, "Capacity");
  EXPECT_EQ(large->name, "CapacityPool_Large_PROD");
  EXPECT_FALSE(spark_pool_for(*p, "PROD", "Other", "72c68dbc-0775-4d59-909d-a47896f4573b"));  // item_name: World
  auto medium = spark_pool_for(*p, "PPE", "Any", "e7b8f1c4-4a6e-4b8b-9b2e-8f1e5d6a9c3d");
  ASSERT_TRUE(medium);
  EXPECT_EQ(medium->name, "WorkspacePool_Medium");
  EXPECT_FALSE(spark_pool_for(*p, "UAT", "World", "72c68dbc-0775-4d59-909d-a47896f4573b"));
  auto last = parse_parameters(R"(spark_pool:
  - instance_pool_id: p
    replace_value: {E: {type: Capacity, name: first}}
  - instance_pool_id: p
    replace_value: {E: {type: Workspace, name: second}}
    item_name: ""
)",
                               "parameter.yml");
  ASSERT_TRUE(last) << last.error().to_string();
  EXPECT_EQ(spark_pool_for(*last, "E", "Any", "p")->name, "second");
}

}  // namespace
}  // namespace converge::providers::fabric
