// The fabric provider's small pieces: part comparison and how parts show in a plan
// (compare.hpp), the deploy order (order.hpp), the workspace description's stamp
// (stamp.hpp) and the bundle's round trip (bundle.hpp).
#include <gtest/gtest.h>

#include "converge/providers/fabric/bundle.hpp"
#include "converge/providers/fabric/compare.hpp"
#include "converge/providers/fabric/order.hpp"
#include "converge/providers/fabric/stamp.hpp"

namespace converge::providers::fabric {
namespace {

TEST(FabricCompare, JsonPartsCompareAsValuesNotAsText) {
  EXPECT_TRUE(same_part("pipeline-content.json", R"({"a": 1, "b": [1, 2]})", "{\n  \"b\": [1,2],\n  \"a\": 1\n}"));
  EXPECT_FALSE(same_part("pipeline-content.json", R"({"a": 1})", R"({"a": 2})"));
  // A text part is compared byte for byte: whitespace in Python is meaning.
  EXPECT_FALSE(same_part("notebook-content.py", "print(1)\n", "print(1) \n"));
  // .schedules and .pbir are JSON too.
  EXPECT_TRUE(same_part(".schedules", R"({"schedules": []})", R"({ "schedules" : [ ] })"));
  EXPECT_TRUE(same_part("definition.pbir", R"({"version": "4.0"})", "{\"version\":\"4.0\"}"));
}

TEST(FabricCompare, ChangedPartsListsAddedRemovedAndChangedPaths) {
  std::vector<Part> desired = {{"a.py", "1"}, {"b.json", R"({"x": 1})"}, {"c.py", "new"}};
  std::vector<Part> actual = {{"a.py", "1"}, {"b.json", R"({ "x" : 1 })"}, {"d.py", "old"}};
  EXPECT_EQ(changed_parts(desired, actual), (std::vector<std::string>{"c.py", "d.py"}));
}

TEST(FabricCompare, PartsShowAsTextPrettyJsonOrABinarySummary) {
  EXPECT_EQ(shown_part("x.py", "print(1)"), "print(1)\n");
  EXPECT_EQ(shown_part("x.json", R"({"b":1,"a":2})"), "{\n  \"a\": 2,\n  \"b\": 1\n}\n");
  std::string binary("\x89PNG\0\x01\xff", 7);
  std::string shown = shown_part("logo.png", binary);
  EXPECT_EQ(shown.rfind("(binary, 7 bytes, sha256 ", 0), 0u) << shown;
  EXPECT_EQ(shown_parts({{"a.py", "1"}, {"b.py", "2"}}, {"b.py", "missing"}), "--- b.py\n2\n");
}

TEST(FabricCompare, AHostileDeeplyNestedJsonPartDoesNotCrashTheComparison) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  EXPECT_FALSE(same_part("x.json", deep, "[]"));
  EXPECT_FALSE(shown_part("x.json", deep).empty());
}

Item item(std::string type, std::string name, std::string text = "") {
  Item out;
  out.type = std::move(type);
  out.name = std::move(name);
  out.dir = "ws/" + out.name + "." + out.type;
  if (!text.empty()) out.parts.push_back({"content.json", std::move(text)});
  return out;
}

std::vector<std::string> keys(const std::vector<const Item*>& items) {
  std::vector<std::string> out;
  for (const Item* i : items) out.push_back(i->key());
  return out;
}

TEST(FabricOrder, TypesDeployInFabricCicdsOrderAndAPipelineAfterThePipelineItInvokes) {
  std::vector<Item> items = {item("DataPipeline", "A Outer", "run \u27e6$items.DataPipeline.Z Inner.id\u27e7"),
                             item("DataPipeline", "Z Inner"), item("Notebook", "N"), item("Lakehouse", "L"),
                             item("VariableLibrary", "V"), item("Report", "R"), item("SemanticModel", "M"),
                             item("SomethingNew", "S")};
  auto order = deploy_order(items);
  ASSERT_TRUE(order) << order.error().message;
  EXPECT_EQ(keys(*order), (std::vector<std::string>{"VariableLibrary/V", "Lakehouse/L", "Notebook/N",
                                                    "SemanticModel/M", "Report/R", "DataPipeline/Z Inner",
                                                    "DataPipeline/A Outer", "SomethingNew/S"}));
}

TEST(FabricOrder, AReferenceCycleWithinATypeIsAnErrorNamingAnItem) {
  std::vector<Item> items = {item("DataPipeline", "A", "\u27e6$items.DataPipeline.B.id\u27e7"),
                             item("DataPipeline", "B", "\u27e6$items.DataPipeline.A.id\u27e7")};
  auto order = deploy_order(items);
  ASSERT_FALSE(order);
  EXPECT_NE(order.error().message.find("reference cycle"), std::string::npos);
}

TEST(FabricStamp, TheStampIsTheLastLineAndKeepsWhatTheOwnersWrote) {
  std::string once = stamped("Sales team workspace.\nAsk #data.", "0123456789abcdef0123", "v1.2.0",
                             "2026-12-07T01:00:00Z");
  EXPECT_EQ(once, "Sales team workspace.\nAsk #data.\nDeployed by converge: 0123456789ab (v1.2.0) at "
                  "2026-12-07T01:00:00Z");
  std::string twice = stamped(once, "fedcba9876543210", "", "2026-12-08T01:00:00Z");
  EXPECT_EQ(twice, "Sales team workspace.\nAsk #data.\nDeployed by converge: fedcba987654 at 2026-12-08T01:00:00Z");
  EXPECT_EQ(stamp_of(twice), "Deployed by converge: fedcba987654 at 2026-12-08T01:00:00Z");
  EXPECT_EQ(stamped("", "abc", "", "t"), "Deployed by converge: abc at t");
  // A line that only mentions the lead in the middle is the owners' text.
  std::string mention = "Deployed by converge: someday\nmore text";
  EXPECT_EQ(stamp_of(mention), "");
}

TEST(FabricStamp, ALongDescriptionIsCutToFabricsLimitOnACharacterBoundary) {
  std::string owners;
  for (int i = 0; i < 3000; ++i) owners += "é";  // 2 bytes each
  std::string out = stamped(owners, "0123456789abcdef", "", "2026-12-07T01:00:00Z");
  EXPECT_LE(out.size(), 4000u);
  EXPECT_EQ(stamp_of(out), "Deployed by converge: 0123456789ab at 2026-12-07T01:00:00Z");
  std::string kept = out.substr(0, out.find("\nDeployed"));
  EXPECT_EQ(kept.size() % 2, 0u);  // whole characters only
}

TEST(FabricBundle, ItemsRoundTripThroughTheBundle) {
  Item a = item("Notebook", "A", "print(1)");
  a.parts.push_back({"bin.dat", std::string("\xff\x00\x01", 3)});
  a.folder = "x/y";
  a.logical_id = "lid";
  Bundle bundle = make_bundle({a}, {{"ws/parameter.yml", 3, "matched nothing"}}, code_hash({a}, ""));
  auto items = bundle_items(bundle);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].parts.size(), 2u);
  EXPECT_EQ(items[0].parts[1].bytes, std::string("\xff\x00\x01", 3));
  EXPECT_EQ(items[0].folder, "x/y");
  EXPECT_EQ(bundle_warnings(bundle)[0].line, 3);
  auto files = bundle_files(items);
  EXPECT_TRUE(files.contains("x/y/A.Notebook/.platform"));
  EXPECT_TRUE(files.contains("x/y/A.Notebook/content.json"));
}

// The hash is of the code, the same in every environment (promotion compares it):
// any byte of a part, the metadata or parameter.yml changes it; what parameters make
// of it for an environment does not.
TEST(FabricBundle, TheHashFollowsTheCodeAndTheParameterFile) {
  Item a = item("Notebook", "A", "print(1)");
  const std::string base = code_hash({a}, "find_replace: []\n");
  EXPECT_EQ(code_hash({a}, "find_replace: []\n"), base);
  Item b = a;
  b.parts[0].bytes = "print(2)";
  EXPECT_NE(code_hash({b}, "find_replace: []\n"), base);
  b = a;
  b.description = "now described";
  EXPECT_NE(code_hash({b}, "find_replace: []\n"), base);
  b = a;
  b.folder = "moved";
  EXPECT_NE(code_hash({b}, "find_replace: []\n"), base);
  EXPECT_NE(code_hash({a}, "find_replace: [x]\n"), base);
  EXPECT_NE(code_hash({a}, ""), base);
}

}  // namespace
}  // namespace converge::providers::fabric
