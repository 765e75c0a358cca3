// config/roots.hpp: `roots: infra/*/` becomes one terraform target per root folder, in
// name order, each with its `root`; patterns that match nothing, leave the repository
// or collide with a target are errors at the setting.
#include "converge/config/roots.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace converge::config {
namespace {

using converge::testing::TempDir;

class Roots : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* folder : {"infra/network", "infra/dns", "infra/.terraform", "infra/databases", "modules/vpc"})
      std::filesystem::create_directories(dir_ / folder);
    dir_.write("infra/README.md", "not a folder\n");
  }
  Expected<Config> load_with(const std::string& targets) {
    dir_.write("converge.yaml", "environments:\n  - name: dev\n    branch: \"dev/**\"\ntargets:\n" + targets);
    return load(dir_ / "converge.yaml");
  }
  TempDir dir_;
};

TEST_F(Roots, OneTargetPerFolderInNameOrderWithItsRoot) {
  auto config = load_with(
      "  - name: db\n    provider: sql\n    settings: {url: \"sqlite:///x.db\"}\n"
      "  - name: infra\n    provider: terraform\n    settings:\n      roots: infra/*/\n      workspace: w\n"
      "    overrides:\n      dev: {workspace: d}\n");
  ASSERT_TRUE(config) << config.error().to_string();
  ASSERT_EQ(config->targets.size(), 4u);
  EXPECT_EQ(config->targets[0].name, "db");
  EXPECT_EQ(config->targets[1].name, "infra-databases");
  EXPECT_EQ(config->targets[2].name, "infra-dns");
  EXPECT_EQ(config->targets[3].name, "infra-network");
  const auto& network = config->targets[3];
  EXPECT_EQ(network.settings.at("root").value, "infra/network");
  EXPECT_FALSE(network.settings.contains("roots"));
  EXPECT_EQ(network.settings.at("workspace").value, "w");
  EXPECT_EQ(network.settings_for("dev").at("workspace").value, "d") << "overrides carry over";
  EXPECT_EQ(network.settings.at("root").where.line, 11) << "errors about a root point at the roots line";
}

TEST_F(Roots, PatternsWithinAComponentAndWithoutWildcards) {
  auto config = load_with("  - name: t\n    provider: terraform\n    settings: {roots: \"infra/d*\"}\n");
  ASSERT_TRUE(config) << config.error().to_string();
  ASSERT_EQ(config->targets.size(), 2u);
  EXPECT_EQ(config->targets[0].settings.at("root").value, "infra/databases");
  auto plain = load_with("  - name: t\n    provider: terraform\n    settings: {roots: modules/vpc}\n");
  ASSERT_TRUE(plain) << plain.error().to_string();
  EXPECT_EQ(plain->targets[0].name, "t-vpc");
}

TEST_F(Roots, BadPatternsAreErrorsAtTheSetting) {
  for (const std::string& settings :
       {std::string("{roots: \"nothing/*\"}"), std::string("{roots: \"../*\"}"), std::string("{roots: \"/etc/*\"}"),
        std::string("{roots: \"infra/*\", root: infra/dns}"), std::string("{roots: [infra]}"),
        std::string("{roots: \"infra/*/../..\"}")}) {
    auto config = load_with("  - name: t\n    provider: terraform\n    settings: " + settings + "\n");
    ASSERT_FALSE(config) << settings;
    EXPECT_EQ(config.error().code, ExitCode::usage) << settings;
    EXPECT_NE(config.error().to_string().find("converge.yaml:7:"), std::string::npos) << config.error().to_string();
    EXPECT_NE(config.error().message.find("roots"), std::string::npos) << config.error().message;
  }
  auto sql = load_with("  - name: t\n    provider: sql\n    settings: {url: x, roots: \"infra/*\"}\n");
  ASSERT_FALSE(sql);
  EXPECT_NE(sql.error().message.find("only the terraform provider"), std::string::npos);
  auto clash = load_with("  - name: t-dns\n    provider: sql\n    settings: {url: x}\n"
                         "  - name: t\n    provider: terraform\n    settings: {roots: \"infra/*\"}\n");
  ASSERT_FALSE(clash);
  EXPECT_NE(clash.error().message.find("already a target"), std::string::npos) << clash.error().message;
}

}  // namespace
}  // namespace converge::config
