// Forgotten parameters (providers/fabric/forgotten.hpp): another environment's GUID
// left in a rendered part is found with the part's file and line; this environment's
// own values and everything parameter.yml does not name are not.
#include <gtest/gtest.h>

#include "converge/providers/fabric/forgotten.hpp"

namespace converge::providers::fabric {
namespace {

constexpr const char* kDevLakehouse = "2f8a1c3e-5b7d-4e9f-a1b2-c3d4e5f60718";
constexpr const char* kProdLakehouse = "9e8d7c6b-5a49-4382-b1c0-d9e8f7a6b5c4";

Parameters lakehouse_parameter() {
  auto p = parse_parameters(std::string("find_replace:\n  - find_value: \"") + kDevLakehouse +
                                "\"\n    replace_value:\n      PROD: \"" + kProdLakehouse +
                                "\"\n    item_type: \"Notebook\"\n",
                            "ws/parameter.yml");
  if (!p) throw std::runtime_error(p.error().to_string());
  return *p;
}

Item rendered_item(std::string type, std::string name, std::string text) {
  return Item{type, name, "", "", "", "ws/" + name + "." + type, {{"content.json", std::move(text)}}};
}

TEST(FabricForgottenParameters, ADevIdThatNoFilterReachedIsFoundWithItsFileAndLine) {
  const auto parameters = lakehouse_parameter();
  std::vector<Item> items = {rendered_item("DataPipeline", "Load", std::string("{\n  \"a\": 1,\n  \"lakehouse\": \"") +
                                                            kDevLakehouse + "\"\n}\n"),
                             rendered_item("Notebook", "Clean", std::string("lh = \"") + kProdLakehouse + "\"\n")};
  auto found = forgotten_values(parameters, "PROD", items);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].file, "ws/Load.DataPipeline/content.json");
  EXPECT_EQ(found[0].line, 3);
  EXPECT_EQ(found[0].rule, "fabric/parameter-forgotten");
  EXPECT_NE(found[0].message.find(kDevLakehouse), std::string::npos) << found[0].message;
  EXPECT_NE(found[0].message.find("ws/parameter.yml:2"), std::string::npos) << found[0].message;
}

TEST(FabricForgottenParameters, AnotherEnvironmentsValueInThisOnesRenderIsFoundInAnyCase) {
  const auto parameters = lakehouse_parameter();
  std::string upper(kProdLakehouse);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  // Rendered for DEV (parameter.yml has no DEV value): prod's id there is wrong, dev's is its own.
  std::vector<Item> items = {rendered_item("Notebook", "Clean", std::string("lh = \"") + kDevLakehouse + "\"\nx = \"" + upper + "\"\n")};
  auto found = forgotten_values(parameters, "DEV", items);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].line, 2);
  EXPECT_NE(found[0].message.find("PROD's value"), std::string::npos) << found[0].message;
}

TEST(FabricForgottenParameters, NothingIsReportedWhereEveryValueIsThisEnvironmentsOwnOrUnnamed) {
  const auto parameters = lakehouse_parameter();
  std::vector<Item> items = {rendered_item("Notebook", "Clean", std::string("lh = \"") + kProdLakehouse +
                                                           "\"\nother = \"11111111-2222-4333-8444-555555555555\"\n"
                                                           "zero = \"00000000-0000-0000-0000-000000000000\"\n"),
                             Item{"Report", "Bin", "", "", "", "ws/Bin.Report", {{"x.bin", std::string("\xff\xfe", 2) + kDevLakehouse}}}};
  EXPECT_TRUE(forgotten_values(parameters, "PROD", items).empty());
}

}  // namespace
}  // namespace converge::providers::fabric
