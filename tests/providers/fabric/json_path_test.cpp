// The JSONPath subset key_value_replace uses: what each form selects (the answers are
// jsonpath_ng.ext's on the same documents), and one error line for what it refuses.
#include "converge/providers/fabric/json_path.hpp"

#include <gtest/gtest.h>

namespace converge::providers::fabric {
namespace {

using Json = nlohmann::ordered_json;

// The selected values, dumped, joined by " | ".
std::string select(std::string_view path, const std::string& doc) {
  auto p = JsonPath::parse(path);
  if (!p) return "error: " + p.error().message;
  Json j = Json::parse(doc);
  std::string out;
  for (Json* n : p->find(j)) out += (out.empty() ? "" : " | ") + n->dump();
  return out;
}

const std::string kDoc = R"({"variables": [{"name": "A", "value": 1, "n": {"k": "x"}}, {"name": "B", "value": 2, "n": {"k": "y"}}],
  "schedules": [{"enabled": true, "jobType": "Execute"}, {"enabled": true, "jobType": "Other"}],
  "$schema": "s", "a b": {"c": [10, 20, 30]}})";

TEST(FabricJsonPath, MembersIndexesAndWildcards) {
  EXPECT_EQ(select("$.variables[0].name", kDoc), "\"A\"");
  EXPECT_EQ(select("$.variables[-1].name", kDoc), "\"B\"");
  EXPECT_EQ(select("$.variables[5].name", kDoc), "");
  EXPECT_EQ(select("$.variables[*].value", kDoc), "1 | 2");
  EXPECT_EQ(select("$.variables.*.name", kDoc), "\"A\" | \"B\"");
  EXPECT_EQ(select("$['a b'].c[1]", kDoc), "20");
  EXPECT_EQ(select("$[\"$schema\"]", kDoc), "\"s\"");
  EXPECT_EQ(select("$.$schema", kDoc), "\"s\"");
  EXPECT_EQ(select("$.nothing.here", kDoc), "");
}

TEST(FabricJsonPath, RecursiveDescent) {
  EXPECT_EQ(select("$..k", kDoc), "\"x\" | \"y\"");
  EXPECT_EQ(select("$..c[0]", kDoc), "10");
  EXPECT_EQ(select("$..[1].name", kDoc), "\"B\"");
}

TEST(FabricJsonPath, FiltersCompareAsPythonDoes) {
  EXPECT_EQ(select(R"($.variables[?(@.name=="B")].value)", kDoc), "2");
  EXPECT_EQ(select(R"($.variables[?(@.name == 'A')].value)", kDoc), "1");
  EXPECT_EQ(select(R"($.variables[?@.name!="A"].value)", kDoc), "2");
  EXPECT_EQ(select(R"($.variables[?(@.value > 1)].name)", kDoc), "\"B\"");
  EXPECT_EQ(select(R"($.variables[?(@.value >= 1 & @.name == "A")].name)", kDoc), "\"A\"");
  EXPECT_EQ(select(R"($.variables[?(@.n.k == "y")].name)", kDoc), "\"B\"");
  EXPECT_EQ(select(R"($.variables[?(@.value == "1")].name)", kDoc), "");  // "1" is not 1
  EXPECT_EQ(select(R"($.schedules[?(@.jobType=="Execute")].enabled)", kDoc), "true");
  EXPECT_EQ(select(R"($.schedules[?(@.missing)].enabled)", kDoc), "");
  EXPECT_EQ(select(R"($.schedules[?(@.jobType)].jobType)", kDoc), "\"Execute\" | \"Other\"");
}

TEST(FabricJsonPath, WhatItFindsCanBeOverwritten) {
  auto p = JsonPath::parse(R"($.variables[?(@.name=="A")].value)");
  ASSERT_TRUE(p);
  Json j = Json::parse(kDoc);
  for (Json* n : p->find(j)) *n = "new";
  EXPECT_EQ(j["variables"][0]["value"], "new");
  EXPECT_EQ(j["variables"][1]["value"], 2);
}

TEST(FabricJsonPath, GarbageIsOneErrorNamingTheColumn) {
  EXPECT_EQ(select("variables", kDoc), "error: a JSONPath starts with $ at column 1 of the JSONPath");
  EXPECT_EQ(select("$.variables[", kDoc), "error: expected an array index at column 13 of the JSONPath");
  EXPECT_EQ(select("$.variables[0:2]", kDoc), "error: expected ] at column 14 of the JSONPath");
  EXPECT_EQ(select("$.variables[?(@.name==)]", kDoc),
            "error: expected a value (\"text\", a number, true, false or null) at column 23 of the JSONPath");
  EXPECT_EQ(select("$.variables[?(name=='A')]", kDoc), "error: a filter condition starts with @ at column 15 of the JSONPath");
  EXPECT_EQ(select("$.variables[?(@.name=='A']", kDoc), "error: expected ) closing the filter at column 26 of the JSONPath");
  EXPECT_EQ(select("$['unterminated]", kDoc), "error: unterminated quoted name at column 17 of the JSONPath");
  EXPECT_EQ(select("$" + std::string(2000, '.'), kDoc), "error: a JSONPath longer than 1024 bytes");
  EXPECT_EQ(select("$.", kDoc), "error: expected a member name at column 3 of the JSONPath");
}

TEST(FabricJsonPath, ADeepDocumentDoesNotOverflowTheStack) {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "[";
  for (int i = 0; i < 5000; ++i) deep += "]";
  Json j = Json::parse(deep);
  auto p = JsonPath::parse("$..x");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->find(j).empty());
}

}  // namespace
}  // namespace converge::providers::fabric
