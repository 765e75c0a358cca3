// The JSONPath subset key_value_replace uses: what each form selects, and one error
// line for what it refuses. Every expected selection below is what jsonpath_ng.ext
// 1.8 (fabric-cicd's evaluator) answers for the same path on the same document,
// written with Python's json.dumps.
#include "converge/providers/fabric/json_path.hpp"

#include <gtest/gtest.h>

#include "converge/providers/fabric/parameters.hpp"

namespace converge::providers::fabric {
namespace {

using Json = nlohmann::ordered_json;

// The selected values, as json.dumps writes them, joined by " | ".
std::string select(std::string_view path, const std::string& doc) {
  auto p = JsonPath::parse(path);
  if (!p) return "error: " + p.error().message;
  Json j = Json::parse(doc);
  std::string out;
  for (Json* n : p->find(j)) out += (out.empty() ? "" : " | ") + python_json_dumps(*n);
  return out;
}

const std::string kDoc =
    R"({"variables": [{"name": "A", "value": 1, "n": {"k": "x"}}, {"name": "B", "value": 2, "n": {"k": "y"}}], "schedules": [{"enabled": true, "jobType": "Execute"}, {"enabled": true, "jobType": "Other"}], "$schema": "s", "a b": {"c": [10, 20, 30]}})";
const std::string kDoc2 =
    R"({"l": [{"x": true, "n": null, "s": " 3 ", "f": 2.7, "t": "2.5", "i": 3}, {"x": false, "n": "null"}, 5, 1], "o": {"a": 1, "b": 2}, "d": {"k": {"name": "A"}, "j": {"name": "B"}}})";

TEST(FabricJsonPath, EachFormSelectsWhatJsonpathNgSelects) {
  EXPECT_EQ(select("$.variables[0].name", kDoc), "\"A\"");
  EXPECT_EQ(select("$.variables[-1].name", kDoc), "\"B\"");
  EXPECT_EQ(select("$.variables[5].name", kDoc), "");
  EXPECT_EQ(select("$.variables[*].value", kDoc), "1 | 2");
  EXPECT_EQ(select("$.variables.*.name", kDoc), "");
  EXPECT_EQ(select("$['a b'].c[1]", kDoc), "20");
  EXPECT_EQ(select("$[\"$schema\"]", kDoc), "\"s\"");
  EXPECT_EQ(select("$.nothing.here", kDoc), "");
  EXPECT_EQ(select("$..k", kDoc), "\"x\" | \"y\"");
  EXPECT_EQ(select("$..c[0]", kDoc), "10");
  EXPECT_EQ(select("$..c[*]", kDoc), "10 | 20 | 30");
  EXPECT_EQ(select("$.variables[?(@.name==\"B\")].value", kDoc), "2");
  EXPECT_EQ(select("$.variables[?(@.name == 'A')].value", kDoc), "1");
  EXPECT_EQ(select("$.variables[?@.name!=\"A\"].value", kDoc), "2");
  EXPECT_EQ(select("$.variables[?(@.value > 1)].name", kDoc), "\"B\"");
  EXPECT_EQ(select("$.variables[?(@.value >= 1 & @.name == \"A\")].name", kDoc), "\"A\"");
  EXPECT_EQ(select("$.variables[?(@.n.k == \"y\")].name", kDoc), "\"B\"");
  EXPECT_EQ(select("$.variables[?(@.value == \"1\")].name", kDoc), "");
  EXPECT_EQ(select("$.schedules[?(@.jobType==\"Execute\")].enabled", kDoc), "true");
  EXPECT_EQ(select("$.schedules[?(@.missing)].enabled", kDoc), "");
  EXPECT_EQ(select("$.schedules[?(@.jobType)].jobType", kDoc), "\"Execute\" | \"Other\"");
  EXPECT_EQ(select("$.variables[?(@.name = \"A\")].value", kDoc), "1");
  EXPECT_EQ(select("$.o.*", kDoc2), "1 | 2");
  EXPECT_EQ(select("$.o[*]", kDoc2), "{\"a\": 1, \"b\": 2}");
  EXPECT_EQ(select("$.l.*", kDoc2), "");
  EXPECT_EQ(select("$.l[1:]", kDoc2), "{\"x\": false, \"n\": \"null\"} | 5 | 1");
  EXPECT_EQ(select("$.l[::-1]", kDoc2),
            "1 | 5 | {\"x\": false, \"n\": \"null\"} | {\"x\": true, \"n\": null, \"s\": \" 3 \", \"f\": 2.7, \"t\": "
            "\"2.5\", \"i\": 3}");
  EXPECT_EQ(select("$.l[-2:]", kDoc2), "5 | 1");
  EXPECT_EQ(select("$.l[0:4:2]", kDoc2),
            "{\"x\": true, \"n\": null, \"s\": \" 3 \", \"f\": 2.7, \"t\": \"2.5\", \"i\": 3} | 5");
  EXPECT_EQ(select("$.o['a','b','z']", kDoc2), "1 | 2");
  EXPECT_EQ(select("$.l[0,2]", kDoc2),
            "{\"x\": true, \"n\": null, \"s\": \" 3 \", \"f\": 2.7, \"t\": \"2.5\", \"i\": 3} | 5");
  EXPECT_EQ(select("$.l[?(@.s == 3)].t", kDoc2), "\"2.5\"");
  EXPECT_EQ(select("$.l[?(@.x == 1)].t", kDoc2), "\"2.5\"");
  EXPECT_EQ(select("$.l[?(@.f == 2)].t", kDoc2), "\"2.5\"");
  EXPECT_EQ(select("$.l[?(@.t == 2.5)].t", kDoc2), "");
  EXPECT_EQ(select("$.l[?(@.n == null)].x", kDoc2), "false");
  EXPECT_EQ(select("$.l[?(@.n != null)].x", kDoc2), "true");
  EXPECT_EQ(select("$.l[?(@.x == false)].n", kDoc2), "\"null\"");
  EXPECT_EQ(select("$.l[?(@.i < 4)].t", kDoc2), "\"2.5\"");
  EXPECT_EQ(select("$.d[?(@.name==\"A\")]", kDoc2), "{\"name\": \"A\"}");
  EXPECT_EQ(select("$..name", kDoc2), "\"A\" | \"B\"");
  EXPECT_EQ(select("$.l[?(@.x)].x", kDoc2), "true | false");
}

TEST(FabricJsonPath, WhatItFindsCanBeOverwritten) {
  auto p = JsonPath::parse(R"($.variables[?(@.name=="A")].value)");
  ASSERT_TRUE(p);
  Json j = Json::parse(kDoc);
  for (Json* n : p->find(j)) *n = "new";
  EXPECT_EQ(j["variables"][0]["value"], "new");
  EXPECT_EQ(j["variables"][1]["value"], 2);
}

TEST(FabricJsonPath, WhatJsonpathNgRefusesIsOneErrorNamingTheColumn) {
  EXPECT_EQ(select("variables", kDoc), "error: a JSONPath starts with $ at column 1 of the JSONPath");
  EXPECT_EQ(select("$.$schema", kDoc),
            "error: expected a member name (quote it: ['name']) at column 3 of the JSONPath");
  EXPECT_EQ(select("$.o.2x", kDoc), "error: expected a member name (quote it: ['name']) at column 5 of the JSONPath");
  EXPECT_EQ(select("$..[1].name", kDoc), "error: `..` must be followed by a name or * at column 4 of the JSONPath");
  EXPECT_EQ(select("$.l[?(@.x == 3 && @.x == 3)]", kDoc),
            "error: conditions are joined with a single & at column 17 of the JSONPath");
  EXPECT_EQ(select("$.l[?(@.x == 3e0)]", kDoc), "error: expected ) closing the filter at column 15 of the JSONPath");
  EXPECT_EQ(select("$.variables[", kDoc), "error: expected an array index at column 13 of the JSONPath");
  EXPECT_EQ(select("$.variables[::0]", kDoc), "error: a slice step cannot be zero at column 16 of the JSONPath");
  EXPECT_EQ(select("$.variables[?(@.name==)]", kDoc),
            "error: expected a value (\"text\", a number, true, false or null) at column 23 of the JSONPath");
  EXPECT_EQ(select("$.variables[?(name=='A')]", kDoc),
            "error: a filter condition starts with @ at column 15 of the JSONPath");
  EXPECT_EQ(select("$.variables[?(@.name=='A']", kDoc),
            "error: expected ) closing the filter at column 26 of the JSONPath");
  EXPECT_EQ(select("$['unterminated]", kDoc), "error: unterminated quoted name at column 17 of the JSONPath");
  EXPECT_EQ(select("$" + std::string(2000, '.'), kDoc), "error: a JSONPath longer than 1024 bytes");
  EXPECT_EQ(select("$.", kDoc), "error: expected a member name (quote it: ['name']) at column 3 of the JSONPath");
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
