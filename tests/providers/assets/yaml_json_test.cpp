// YAML ↔ JSON for asset files, and the templating of exported values.
#include "converge/providers/assets/yaml_json.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "converge/providers/assets/export.hpp"
#include "converge/template/render.hpp"
#include "converge/template/yaml.hpp"
#include "support/random_json.hpp"

namespace converge::providers::assets {
namespace {

using nlohmann::json;

json parse(std::string_view text) {
  auto item = parse_yaml_item(text, "item.yaml");
  EXPECT_TRUE(item) << item.error().to_string();
  return item.value_or(json());
}

TEST(AssetYaml, PlainScalarsAreTypedAsPyYamlTypesThem) {
  json item = parse(
      "a: yes\nb: off\nc: ~\nd:\ne: 0x1F\nf: 017\ng: 1_000\nh: 1:30\ni: 1.5\nj: 1e3\nk: '1.5'\n"
      "l: .5\nm: 2.0\nn: \"yes\"\no: 3DO\np: -7\n");
  EXPECT_EQ(item["a"], true);
  EXPECT_EQ(item["b"], false);
  EXPECT_TRUE(item["c"].is_null());
  EXPECT_TRUE(item["d"].is_null());
  EXPECT_EQ(item["e"], 31);
  EXPECT_EQ(item["f"], 15);
  EXPECT_EQ(item["g"], 1000);
  EXPECT_EQ(item["h"], 90);
  EXPECT_EQ(item["i"], 1.5);
  EXPECT_EQ(item["j"], "1e3");  // YAML 1.1 floats need a '.'
  EXPECT_EQ(item["k"], "1.5");
  EXPECT_EQ(item["l"], 0.5);
  EXPECT_TRUE(item["m"].is_number_integer());  // integral floats are normalised
  EXPECT_EQ(item["n"], "yes");
  EXPECT_EQ(item["o"], "3DO");
  EXPECT_EQ(item["p"], -7);
}

TEST(AssetYaml, ASyntaxErrorOrANonMappingNamesTheFileAndLine) {
  auto broken = parse_yaml_item("a: 1\nb: [1, 2\n", "assets/charts/x.yaml");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().where->file, "assets/charts/x.yaml");
  EXPECT_GE(broken.error().where->line, 2);
  auto list = parse_yaml_item("- 1\n", "assets/charts/y.yaml");
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().where->line, 1);
}

TEST(AssetYaml, WrittenYamlReadsBackToTheSameValue) {
  json value = {
      {"strings", {"yes", "No", "0123", "1.5", "", "null", "~", " lead", "trail ", "a: b", "#x", "- x", "{{ x }}",
                   "line1\nline2", "tab\there", "quote \" and \\ backslash", "ünïcödé", "1e3", "0x1F", "1:30",
                   "-", "@at", "`tick", "%pct", "*star", "&amp", "!bang", "|pipe", ">gt", "[x]", "{y}", "3DO"}},
      {"numbers", {0, -7, 42, 1.5, -0.25, 1e20, 1e-5, 1.618033988749895, 9007199254740993}},
      {"other", {true, false, nullptr}},
      {"nested", {{"list_of_maps", {{{"b", 1}, {"a", 2}}, {{"c", json::array()}}}}, {"empty", json::object()}}},
      {"0", "zero key"}, {"yes", "bool-looking key"}, {"key with: colon", 1}};
  std::string text = to_yaml(value);
  auto back = parse_yaml_item(text, "round-trip.yaml");
  ASSERT_TRUE(back) << back.error().to_string() << "\n" << text;
  json expected = value;
  normalise_numbers(expected);
  EXPECT_EQ(*back, expected) << text;
}

TEST(AssetYaml, WritingIsDeterministicWithSortedKeys) {
  json a = json::parse(R"({"z": 1, "a": {"y": [1, {"k": "v", "b": 2}], "c": "x"}})");
  std::string text = to_yaml(a);
  EXPECT_EQ(text, "a:\n  c: x\n  y:\n    - 1\n    - b: 2\n      k: v\nz: 1\n");
  EXPECT_EQ(to_yaml(json::parse(a.dump())), text);
}

TEST(AssetYaml, LocateFindsTheLineOfAValueOrOfACollectionsKey) {
  std::string text = "a: 1\nposition:\n  CHART-1:\n    meta:\n      uuid: abc\n";
  auto at = locate(text, "f.yaml", json::json_pointer("/position/CHART-1/meta/uuid"));
  ASSERT_TRUE(at);
  EXPECT_EQ(at->line, 5);
  EXPECT_EQ(locate(text, "f.yaml", json::json_pointer("/position/CHART-1"))->line, 3);
  EXPECT_FALSE(locate(text, "f.yaml", json::json_pointer("/missing")));
}

// --- templating of exported values -------------------------------------------

std::string render(const std::string& text, const nlohmann::ordered_json& vars) {
  auto out = tmpl::render(text, vars, "t");
  EXPECT_TRUE(out) << out.error().to_string();
  return out.value_or("");
}

TEST(AssetExportTemplates, EnvironmentValuesBecomeVariablesLongestFirstAndShortOnesNever) {
  nlohmann::ordered_json vars = {{"env", "prod"}, {"region", "eu"}, {"db_host", "db.prod.example.com"},
                                 {"domain", "prod.example.com"}, {"nested", {{"schema", "sales_prod"}}}};
  auto tv = template_vars(vars);
  ASSERT_EQ(tv.size(), 4u);  // "eu" is too short
  EXPECT_EQ(tv[0].name, "db_host");
  bool substituted = false;
  EXPECT_EQ(templated_string("db.prod.example.com", tv, &substituted), "{{ db_host }}");
  EXPECT_TRUE(substituted);
  EXPECT_EQ(templated_string("postgresql://u@db.prod.example.com:5432/x", tv, &substituted),
            "postgresql://u@{{ db_host }}:5432/x");
  EXPECT_EQ(templated_string("https://prod.example.com/a", tv, &substituted), "https://{{ domain }}/a");
  EXPECT_EQ(templated_string("select * from sales_prod.orders", tv, &substituted),
            "select * from {{ nested.schema }}.orders");
  EXPECT_EQ(templated_string("prod-reports", tv, &substituted), "{{ env }}-reports");
  substituted = false;
  for (std::string unrelated : {"production", "eu-west", "reprod", "prod_reports", "sales_prod2"}) {
    EXPECT_EQ(templated_string(unrelated, tv, &substituted), unrelated);
  }
  EXPECT_FALSE(substituted);
  EXPECT_EQ(templated_string("Sales (prod)", tv, &substituted), "Sales ({{ env }})");
  // db_host (longer) claims its text first; "prod.example.community" is no domain match.
  EXPECT_EQ(templated_string("db.prod.example.com and prod.example.community", tv, &substituted),
            "{{ db_host }} and {{ env }}.example.community");
}

TEST(AssetExportTemplates, LiteralTemplateSyntaxIsEscapedSoRenderingGivesTheTextBack) {
  nlohmann::ordered_json vars = {{"host", "db.prod"}};
  auto tv = template_vars(vars);
  for (std::string text : {"select {{ metric }} from t", "{% if x %}", "{# note #}", "{{{db.prod}}}", "{db.prod",
                           "a {{", "plain"}) {
    bool substituted = false;
    std::string templated = templated_string(text, tv, &substituted);
    EXPECT_EQ(render(templated, vars), text) << templated;
  }
}

TEST(AssetExportTemplates, ATemplatedItemRendersBackToTheSameItem) {
  nlohmann::ordered_json vars = {{"db_host", "db.stage.internal"}, {"owner", "team-bi"}};
  json item = {{"sqlalchemy_uri", "postgresql://u@db.stage.internal/sales"}, {"uuid", "x"},
               {"extra", {{"owner", "team-bi"}, {"sql", "select '{{ ds }}'"}}}, {"n", 5}};
  bool substituted = false;
  std::string text = templated_yaml(item, template_vars(vars), &substituted);
  EXPECT_TRUE(substituted);
  EXPECT_NE(text.find("{{ db_host }}"), std::string::npos) << text;
  EXPECT_NE(text.find("{{ owner }}"), std::string::npos) << text;
  auto back = parse_yaml_item(render(text, vars), "rendered");
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(*back, item);
}

}  // namespace
}  // namespace converge::providers::assets

namespace converge::providers::assets {
namespace {

// Superset and the Preset CLI read asset files with PyYAML, which keeps the last of
// two equal keys; yaml-cpp would keep the first. Neither is chosen: refused.
TEST(AssetYaml, ADuplicateKeyIsAnErrorWithFileAndLine) {
  auto item = parse_yaml_item("slice_name: Revenue\nparams:\n  viz_type: table\n  viz_type: pie\n", "assets/charts/r.yaml");
  ASSERT_FALSE(item);
  EXPECT_EQ(item.error().where->file, "assets/charts/r.yaml");
  EXPECT_EQ(item.error().where->line, 4);
  EXPECT_NE(item.error().message.find("duplicate key 'viz_type'"), std::string::npos) << item.error().message;
}

// How parse_yaml_item read an item before issue 15: the ordered value through JSON
// text into a sorted one. The reader now converts it directly; the results must not
// differ in anything (type of each number included: a hash or a comparison sees it).
Expected<json> item_through_text(std::string_view text, std::string_view file) {
  auto parsed = tmpl::parse_yaml(text, file);
  if (!parsed) return fail(parsed.error());
  if (!parsed->is_object()) return fail(Error::config("an asset file must hold one YAML mapping", {std::string(file), 1, 1}));
  json item = json::parse(parsed->dump(-1, ' ', false, json::error_handler_t::replace));
  normalise_numbers(item);
  return item;
}

// Same value and the same JSON type at every node (== treats 1 and 1u as equal).
bool identical(const json& a, const json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib)
      if (ia.key() != ib.key() || !identical(*ia, *ib)) return false;
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!identical(a[i], b[i])) return false;
    return true;
  }
  if (a.is_number_float()) return std::signbit(a.get<double>()) == std::signbit(b.get<double>()) && a == b;
  return a == b;
}

void expect_read_as_through_text(const std::string& text, const std::string& what) {
  auto expected = item_through_text(text, "item.yaml");
  auto actual = parse_yaml_item(text, "item.yaml");
  ASSERT_EQ(actual.has_value(), expected.has_value()) << what << "\n" << text;
  if (!expected) {
    EXPECT_EQ(actual.error().to_string(), expected.error().to_string()) << what;
  } else {
    EXPECT_TRUE(identical(*actual, *expected)) << what << "\n" << actual->dump() << "\n" << expected->dump();
  }
}

TEST(AssetYaml, AnItemReadsAsItDidThroughJsonTextOnSeededValuesAndTheSharedTestData) {
  converge::testing::RandomJson random(15);
  for (int i = 0; i < 2000 && !HasFailure(); ++i) {
    json item = json::object();
    for (int k = 0; k < 4; ++k) item["k" + std::to_string(k)] = random.value(3);
    expect_read_as_through_text(to_yaml(item), "value " + std::to_string(i));
  }
  expect_read_as_through_text("base: &b {x: 1, y: [2.0, -3, .inf, -.inf, .nan, 9223372036854775807]}\n"
                              "item:\n  <<: *b\n  y: 0\n  z: !!str 5\n", "merges");
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(CONVERGE_SHARED_TESTDATA)) {
    std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".yaml" && ext != ".yml")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    expect_read_as_through_text(text.str(), entry.path().string());
    ++files;
  }
  EXPECT_GT(files, 5);
}

}  // namespace
}  // namespace converge::providers::assets
