// Duplicate and complex keys in the PyYAML-typed reader (variables files and asset
// sources): refused with file:line, never resolved to one of the values.
#include <gtest/gtest.h>

#include <chrono>

#include "converge/template/render.hpp"
#include "converge/template/yaml.hpp"
#include "converge/util/yaml_keys.hpp"
#include "support/temp_dir.hpp"
#include "support/yaml_bomb.hpp"

namespace converge::tmpl {
namespace {

TEST(YamlKeys, ADuplicateKeyInAVariablesFileIsAnErrorAtItsSecondLine) {
  testing::TempDir dir;
  dir.write("vars/prod.yaml", "region: eu\nnested:\n  host: a\n  port: 1\n  host: b\n");
  auto vars = load_yaml_variables(dir / "vars/prod.yaml");
  ASSERT_FALSE(vars);
  EXPECT_EQ(vars.error().where->file, (dir / "vars/prod.yaml").string());
  EXPECT_EQ(vars.error().where->line, 5);
  EXPECT_NE(vars.error().message.find("duplicate key 'host' (first at line 3)"), std::string::npos)
      << vars.error().message;
}

TEST(YamlKeys, KeysCollideAsWrittenAndAMergeKeyIsNoDuplicate) {
  auto quoted = parse_yaml("1: a\n\"1\": b\n", "x.yaml");
  ASSERT_FALSE(quoted) << "both become the key \"1\"";
  EXPECT_EQ(quoted.error().where->line, 2);
  auto merged = parse_yaml("base: &b {k: 1, j: 2}\nitem:\n  <<: *b\n  k: 3\n", "x.yaml");
  ASSERT_TRUE(merged) << merged.error().to_string();
  EXPECT_EQ((*merged)["item"]["k"], 3);
  EXPECT_EQ((*merged)["item"]["j"], 2);
}

TEST(YamlKeys, AComplexKeyIsAnErrorWithItsLine) {
  auto e = parse_yaml("a: 1\n? {x: 1}\n: 2\n", "assets/charts/c.yaml");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().where->file, "assets/charts/c.yaml");
  EXPECT_EQ(e.error().where->line, 2);
}

TEST(YamlKeys, ManyAliasesOfOneMappingAreCheckedOnce) {
  // "Billion laughs": nine levels of ten aliases each would be 10^9 visits.
  std::string text = "a0: &a0 {k: v}\n";
  for (int i = 1; i < 9; ++i) {
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) text += std::string(j ? ", " : "") + "*a" + std::to_string(i - 1);
    text += "]\n";
  }
  auto start = std::chrono::steady_clock::now();
  // The conversion itself expands aliases; only the key check is under test here.
  auto node = YAML::Load(text);
  EXPECT_TRUE(converge::util::check_mapping_keys(node, "x.yaml"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(YamlKeys, AnAliasBombInAVariablesFileIsAnErrorAtItsLine) {
  const std::string text = testing::billion_laughs();
  testing::TempDir dir;
  dir.write("env/prod.yaml", text);
  auto vars = load_yaml_variables(dir / "env/prod.yaml");
  ASSERT_FALSE(vars) << "converted to " << vars->dump().size() << " bytes";
  EXPECT_EQ(vars.error().where->file, (dir / "env/prod.yaml").string());
  EXPECT_EQ(vars.error().where->line, 7);
  EXPECT_NE(vars.error().message.find("once its aliases are expanded"), std::string::npos) << vars.error().message;
  auto asset = parse_yaml(text, "assets/charts/c.yaml");
  ASSERT_FALSE(asset);
  EXPECT_EQ(asset.error().where->line, 7);
}

TEST(YamlKeys, SexagesimalNumbersBeyondSixtyFourBitsAreAnErrorNotAnException) {
  auto big = parse_yaml("a: 99999999999999999999999:00\n", "v.yaml");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().where->line, 1);
  EXPECT_NE(big.error().message.find("too large"), std::string::npos) << big.error().message;
  auto huge_float = parse_yaml("a: " + std::string(400, '9') + ":00.5\n", "v.yaml");
  ASSERT_TRUE(huge_float) << huge_float.error().to_string();
  EXPECT_TRUE((*huge_float)["a"].is_number_float());  // inf, as PyYAML's float() gives
}

}  // namespace
}  // namespace converge::tmpl
