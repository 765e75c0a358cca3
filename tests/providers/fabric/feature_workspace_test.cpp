// Feature workspaces (docs/providers/fabric.md, Feature workspaces) against the local
// Fabric server: a branch's workspace is made on the capacity, connected to the
// branch through Fabric's Git integration and updated from it, deployed with the
// environment's parameters, planned again empty, and deleted by destroy(), which
// deletes nothing converge did not make for that branch.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "converge/providers/fabric/fabric_provider.hpp"
#include "converge/providers/fabric/options.hpp"
#include "providers/fabric/server/fabric_server.hpp"
#include "support/temp_dir.hpp"

namespace converge::providers::fabric {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::FabricServer;

constexpr const char* kCapacity = "0f084df7-c13d-451b-af5f-ed0c466403b2";
constexpr const char* kConnection = "3c9b3d36-46d5-4b8e-9b8f-9c3a7f0e21d4";
constexpr const char* kBranch = "feature/JIRA-12345";
constexpr const char* kNotebook = "# Fabric notebook source\nlakehouse = \"DEV_LH\"\nprint(lakehouse)\n";
constexpr const char* kPlatform =
    R"({"metadata": {"type": "Notebook", "displayName": "Hello World"},
        "config": {"version": "2.0", "logicalId": "99b570c5-0c79-4dc4-b1da-bbd8c4b95df5"}})";

// A repository with one notebook whose lakehouse name parameter.yml sets per environment.
struct FeatureRepo {
  ::converge::testing::TempDir dir;
  FeatureRepo() {
    fs::create_directories(dir.path() / "workspace/Hello World.Notebook");
    write("workspace/Hello World.Notebook/.platform", kPlatform);
    write("workspace/Hello World.Notebook/notebook-content.py", kNotebook);
    write("workspace/parameter.yml",
          "find_replace:\n  - find_value: \"DEV_LH\"\n    replace_value:\n      feature: \"FEATURE_LH\"\n");
  }
  void write(const std::string& relative, const std::string& text) const {
    std::ofstream(dir.path() / relative, std::ios::binary | std::ios::trunc) << text;
  }
};

class FabricFeatureWorkspaceTest : public ::testing::Test {
 protected:
  FabricServer fabric;
  FeatureRepo repo;

  void SetUp() override {
    fabric.seed({{"capacities", {{{"id", kCapacity}, {"displayName", "F2"}}}}});
    // The branch as GitHub holds it: the repository's notebook, not yet parameterised.
    fabric.seed_git_remote({{"gitProviderType", "GitHub"},
                            {"owner", "octo-org"},
                            {"repositoryName", "analytics"},
                            {"branchName", kBranch},
                            {"directoryName", "/workspace"},
                            {"commit", std::string(40, 'a')},
                            {"items",
                             {{{"type", "Notebook"},
                               {"displayName", "Hello World"},
                               {"parts", {{{"path", "notebook-content.py"}, {"text", kNotebook}}}}}}}});
  }

  std::unique_ptr<Provider> provider(const std::string& branch, json feature = nullptr) const {
    if (feature.is_null())
      feature = {{"name", "Analytics [FEATURE-{branch_slug}]"},
                 {"capacity_id", kCapacity},
                 {"description", "Feature work on analytics."},
                 {"git",
                  {{"provider", "GitHub"},
                   {"owner", "octo-org"},
                   {"repository", "analytics"},
                   {"connection_id", kConnection}}}};
    config::Settings s(SourceLocation{"converge.yaml", 10, 5});
    json settings = {{"api_url", fabric.api_url()},       {"authority", fabric.authority()},
                     {"tenant_id", fabric.tenant()},      {"client_id", fabric.client_id()},
                     {"client_secret", fabric.client_secret()}, {"sources", "workspace"},
                     {"feature_workspace", feature}};
    for (const auto& [key, value] : settings.items()) s.set(key, {value, {"converge.yaml", 12, 7}, false});
    auto made = make_provider(TargetSpec{"analytics", "feature", repo.dir.path(), s, branch});
    if (!made) throw Failure(made.error().to_string());
    return std::move(*made);
  }

  // The workspaces the server holds, by name.
  json workspace_named(const std::string& name) const {
    const json state = fabric.state();
    for (const auto& w : state["workspaces"])
      if (w["displayName"] == name) return w;
    return nullptr;
  }
};

TEST_F(FabricFeatureWorkspaceTest, ABranchGetsItsWorkspaceConnectedToItsBranchDeployedThenDestroyed) {
  auto p = provider(kBranch);
  auto bundle = p->compile();
  ASSERT_TRUE(bundle) << bundle.error().to_string();
  auto planned = p->plan(*bundle, {});
  ASSERT_TRUE(planned) << planned.error().to_string();
  ASSERT_EQ(planned->changes.size(), 2u);
  const auto& ws = planned->changes[0];
  EXPECT_EQ(ws.action, plan::Action::create);
  EXPECT_EQ(ws.key, "Workspace/Analytics [FEATURE-feature-JIRA-12345]");
  EXPECT_NE(ws.after.get<std::string>().find("capacity: " + std::string(kCapacity)), std::string::npos);
  EXPECT_NE(ws.after.get<std::string>().find("git: GitHub octo-org/analytics branch feature/JIRA-12345 directory "
                                             "/workspace"),
            std::string::npos)
      << ws.after;
  EXPECT_EQ(planned->changes[1].key, "Notebook/Hello World");
  EXPECT_TRUE(fabric.state()["workspaces"].empty()) << "a plan makes nothing";

  PlanContext context;
  context.git_sha = std::string(40, 'b');
  auto report = p->apply(*bundle, *planned);
  ASSERT_TRUE(report) << report.error().to_string();
  ASSERT_TRUE(report->ok()) << report->failed_key << ": " << report->error;

  const json made = workspace_named("Analytics [FEATURE-feature-JIRA-12345]");
  ASSERT_FALSE(made.is_null());
  EXPECT_EQ(made["capacityId"], kCapacity);
  EXPECT_NE(made["description"].get<std::string>().find("Feature work on analytics."), std::string::npos);
  EXPECT_NE(made["description"].get<std::string>().find("converge feature workspace of branch feature/JIRA-12345"),
            std::string::npos);
  const json git = fabric.git_connection(made["id"].get<std::string>());
  ASSERT_FALSE(git.is_null());
  EXPECT_EQ(git["gitConnectionState"], "ConnectedAndInitialized");
  EXPECT_EQ(git["gitProviderDetails"]["branchName"], kBranch);
  EXPECT_EQ(git["connectionId"], kConnection);
  // One notebook (the Git update's, then given this environment's parameters), not two.
  ASSERT_EQ(made["items"].size(), 1u);
  const std::string content = made["items"][0]["parts"][0].value("text", "");
  EXPECT_NE(content.find("FEATURE_LH"), std::string::npos) << content;
  EXPECT_EQ(content.find("DEV_LH"), std::string::npos) << content;

  // Used: a second run plans nothing.
  auto again = provider(kBranch);
  auto second = again->plan(*again->compile(), {});
  ASSERT_TRUE(second) << second.error().to_string();
  EXPECT_TRUE(second->changes.empty()) << second->changes.front().key;

  // Destroyed, once; a second destroy finds nothing to delete.
  auto gone = again->destroy();
  ASSERT_TRUE(gone) << gone.error().to_string();
  EXPECT_NE(gone->find("deleted workspace 'Analytics [FEATURE-feature-JIRA-12345]'"), std::string::npos) << *gone;
  EXPECT_TRUE(workspace_named("Analytics [FEATURE-feature-JIRA-12345]").is_null());
  auto none = provider(kBranch)->destroy();
  ASSERT_TRUE(none) << none.error().to_string();
  EXPECT_EQ(*none, "");
}

TEST_F(FabricFeatureWorkspaceTest, NeitherDestroyNorApplyTouchesAWorkspaceConvergeDidNotMakeForThatBranch) {
  // A branch named so that the pattern gives the name of a shared workspace.
  fabric.seed({{"workspaces", {{{"displayName", "Analytics [FEATURE-prod]"}, {"description", "Production."}}}}});
  auto gone = provider("prod")->destroy();
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ExitCode::refused);
  EXPECT_NE(gone.error().message.find("was not made by converge for branch prod"), std::string::npos)
      << gone.error().message;
  EXPECT_FALSE(workspace_named("Analytics [FEATURE-prod]").is_null());
  // Nor does an apply deploy into it: the plan is an error, and nothing is written.
  auto p = provider("prod");
  auto planned = p->plan(*p->compile(), {});
  ASSERT_TRUE(planned) << planned.error().to_string();
  ASSERT_EQ(planned->errors.size(), 1u);
  EXPECT_NE(planned->errors[0].find("was not made by converge for branch prod"), std::string::npos)
      << planned->errors[0];
  EXPECT_TRUE(planned->changes.empty());
  EXPECT_TRUE(workspace_named("Analytics [FEATURE-prod]")["items"].empty());
  // Another branch with the same slug (x- and x), whose mark begins with x's: not x's.
  fabric.seed({{"workspaces", {{{"displayName", "Analytics [FEATURE-x]"},
                                {"description", "converge feature workspace of branch x-"}}}}});
  EXPECT_FALSE(provider("x")->destroy());
  EXPECT_FALSE(workspace_named("Analytics [FEATURE-x]").is_null());
}

TEST_F(FabricFeatureWorkspaceTest, TheSettingsRefuseAPatternWithoutTheBranchAFixedWorkspaceOrANonFeatureEnvironment) {
  auto refused = [&](const json& feature, const std::string& branch, const std::string& expected) {
    try {
      provider(branch, feature);
      ADD_FAILURE() << "accepted " << feature.dump();
    } catch (const Failure& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("converge.yaml:12:7"), std::string::npos) << e.what();
    }
  };
  refused({{"name", "Analytics shared"}, {"capacity_id", kCapacity}}, kBranch, "must hold {branch_slug}");
  refused({{"name", "A {branch_slug} {user}"}, {"capacity_id", kCapacity}}, kBranch, "only the placeholders");
  refused({{"name", "A {branch_slug}"}, {"capacity_id", "F2"}}, kBranch, "'capacity_id' must be");
  refused({{"name", "A {branch_slug}"}, {"capacity_id", kCapacity}, {"git", {{"provider", "GitHub"}, {"repository", "r"}}}},
          kBranch, "'git.owner'");
  refused({{"name", "A {branch_slug}"}, {"capacity_id", kCapacity}}, "", "is for a feature environment");
  // A fixed workspace's target has nothing to destroy.
  config::Settings s(SourceLocation{"converge.yaml", 10, 5});
  json settings = {{"api_url", fabric.api_url()}, {"token", "t"}, {"auth", "token"},
                   {"workspace_id", "0f084df7-c13d-451b-af5f-ed0c466403b3"}};
  for (const auto& [key, value] : settings.items()) s.set(key, {value, {"converge.yaml", 12, 7}, false});
  auto fixed = make_provider(TargetSpec{"analytics", "prod", repo.dir.path(), s});
  ASSERT_TRUE(fixed) << fixed.error().to_string();
  auto gone = (*fixed)->destroy();
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ExitCode::usage);
}

TEST_F(FabricFeatureWorkspaceTest, AnotherEnvironmentsIdLeftInAPartIsAPlanFindingWithItsFileAndLine) {
  // parameter.yml replaces dev's lakehouse id in notebooks only; a pipeline holds it too.
  const std::string dev_lakehouse = "2f8a1c3e-5b7d-4e9f-a1b2-c3d4e5f60718";
  repo.write("workspace/parameter.yml", "find_replace:\n  - find_value: \"" + dev_lakehouse +
                                            "\"\n    replace_value:\n      feature: "
                                            "\"9e8d7c6b-5a49-4382-b1c0-d9e8f7a6b5c4\"\n    item_type: Notebook\n");
  fs::create_directories(repo.dir.path() / "workspace/Load.DataPipeline");
  repo.write("workspace/Load.DataPipeline/.platform",
             R"({"metadata": {"type": "DataPipeline", "displayName": "Load"}, "config": {"logicalId": "5d1e0c1a-7a3b-4c55-9d6e-0f1a2b3c4d5e"}})");
  repo.write("workspace/Load.DataPipeline/pipeline-content.json",
             "{\n  \"properties\": {\n    \"lakehouse\": \"" + dev_lakehouse + "\"\n  }\n}\n");
  auto p = provider(kBranch);
  auto bundle = p->compile();
  ASSERT_TRUE(bundle) << bundle.error().to_string();
  auto planned = p->plan(*bundle, {});
  ASSERT_TRUE(planned) << planned.error().to_string();
  const auto forgotten = std::find_if(planned->findings.begin(), planned->findings.end(),
                                      [](const auto& f) { return f.rule == "fabric/parameter-forgotten"; });
  ASSERT_NE(forgotten, planned->findings.end());
  EXPECT_EQ(forgotten->file, "workspace/Load.DataPipeline/pipeline-content.json");
  EXPECT_EQ(forgotten->line, 3);
  EXPECT_NE(forgotten->message.find("workspace/parameter.yml:2"), std::string::npos) << forgotten->message;
}

TEST(FabricFeatureWorkspaceName, TheBranchIsSanitisedAndLengthLimited) {
  EXPECT_EQ(feature_workspace_name("A [FEATURE-{branch_slug}]", "feature/JIRA-12345"), "A [FEATURE-feature-JIRA-12345]");
  EXPECT_EQ(feature_workspace_name("A {branch}", "x/y:z\"w\n"), "A x-y-z-w-");
  const auto long_name = feature_workspace_name("A {branch_slug}", std::string(300, 'q'));
  EXPECT_LE(long_name.size(), 2 + 48u);
}

}  // namespace
}  // namespace converge::providers::fabric
