// The fabric provider against the local Fabric server (server/): fabric-cicd's sample
// workspace as the consumer repository, deployed to an empty workspace, planned again,
// changed in Git and in the portal, with faults on the way. Each scenario asserts the
// workspace as the server holds it, the plan and what apply reports.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "converge/providers/fabric/fabric_provider.hpp"
#include "converge/providers/fabric/markers.hpp"
#include "converge/plan/render.hpp"
#include "providers/fabric/server/fabric_server.hpp"
#include "support/temp_dir.hpp"

namespace converge::providers::fabric {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::FabricFault;
using testing::FabricFaultKind;
using testing::FabricServer;

const fs::path kSampleRoot = fs::path(CONVERGE_SHARED_TESTDATA) / "fabric-items/fabric-cicd/sample";

// The sample repository, copied so a test may change it.
struct Repo {
  testing::TempDir dir;
  Repo() {
    fs::copy(kSampleRoot, dir.path(), fs::copy_options::recursive);
    for (auto& entry : fs::recursive_directory_iterator(dir.path()))
      fs::permissions(entry.path(), fs::perms::owner_write, fs::perm_options::add);
  }
  fs::path root() const { return dir.path(); }
  void write(const std::string& relative, const std::string& text) const {
    std::ofstream(dir.path() / relative, std::ios::binary | std::ios::trunc) << text;
  }
  std::string read(const std::string& relative) const {
    std::ifstream in(dir.path() / relative, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }
};

struct Deployment {
  FabricServer& fabric;
  std::string workspace;
  fs::path root;
  std::string environment = "PPE";
  json extra = json::object();

  std::unique_ptr<Provider> provider() const {
    config::Settings s(SourceLocation{"converge.yaml", 10, 5});
    json settings = {{"api_url", fabric.api_url()},       {"authority", fabric.authority()},
                     {"tenant_id", fabric.tenant()},      {"client_id", fabric.client_id()},
                     {"client_secret", fabric.client_secret()}, {"workspace_id", workspace},
                     {"sources", "workspace"},             {"parameter_environment", environment}};
    settings.update(extra);
    for (const auto& [key, value] : settings.items()) s.set(key, {value, {"converge.yaml", 12, 7}, false});
    auto made = make_provider(TargetSpec{"analytics", "dev", root, s});
    if (!made) throw Failure(made.error().to_string());
    return std::move(*made);
  }
};

std::string new_workspace(FabricServer& fabric, const std::string& description = "") {
  auto ids = fabric.seed({{"workspaces", {{{"displayName", "converge-test"}, {"description", description}}}}});
  return ids["workspaces"][0]["id"].get<std::string>();
}

std::vector<std::string> keys_of(const plan::TargetPlan& plan, plan::Action action) {
  std::vector<std::string> out;
  for (const auto& c : plan.changes)
    if (c.action == action) out.push_back(c.key);
  return out;
}

int writes_in(const json& log) {
  int n = 0;
  for (const auto& entry : log) {
    const std::string method = entry.value("method", "");
    const std::string path = entry.value("path", "");
    if (method == "GET" || path.ends_with("/getDefinition") || path.find("/oauth2/") != std::string::npos) continue;
    ++n;
  }
  return n;
}

const json* item_named(const json& state, const std::string& type, const std::string& name) {
  for (const auto& item : state["workspaces"][0]["items"])
    if (item["type"] == type && item["displayName"] == name) return &item;
  return nullptr;
}

std::string part_text(const json& item, const std::string& path) {
  for (const auto& part : item["parts"])
    if (part["path"] == path) return part.value("text", "");
  return "";
}

// Plans and applies; the plan must have no errors and the apply must succeed.
plan::TargetPlan deploy(Provider& provider, const PlanContext& context = {}) {
  auto bundle = provider.compile();
  if (!bundle) throw Failure(bundle.error().to_string());
  auto planned = provider.plan(*bundle, context);
  if (!planned) throw Failure(planned.error().to_string());
  EXPECT_TRUE(planned->errors.empty()) << planned->errors.front();
  auto report = provider.apply(*bundle, *planned);
  if (!report) throw Failure(report.error().to_string());
  EXPECT_TRUE(report->ok()) << report->failed_key << ": " << report->error;
  return *planned;
}

plan::TargetPlan plan_of(Provider& provider, const PlanContext& context = {}) {
  auto bundle = provider.compile();
  if (!bundle) throw Failure(bundle.error().to_string());
  auto planned = provider.plan(*bundle, context);
  if (!planned) throw Failure(planned.error().to_string());
  return *planned;
}

class FabricProviderTest : public ::testing::Test {
 protected:
  FabricServer fabric;
  Repo repo;
};

TEST_F(FabricProviderTest, TheSampleWorkspaceDeploysInDependencyOrderAndASecondPlanIsEmpty) {
  Deployment d{fabric, new_workspace(fabric), repo.root()};
  auto provider = d.provider();
  fabric.clear_log();
  auto first = deploy(*provider);
  auto creates = keys_of(first, plan::Action::create);
  EXPECT_EQ(creates.size(), 40u);
  EXPECT_EQ(first.changes.size(), 40u);
  // Dependency order: the variable library first, lakehouses before notebooks, the
  // semantic model before the reports on it, pipelines late.
  auto at = [&](const std::string& key) { return std::find(creates.begin(), creates.end(), key) - creates.begin(); };
  EXPECT_EQ(at("VariableLibrary/Vars"), 0);
  EXPECT_LT(at("Lakehouse/WithoutSchema"), at("Notebook/Hello World"));
  EXPECT_LT(at("Eventhouse/SampleEventhouse"), at("KQLDatabase/TaxiDB"));
  EXPECT_LT(at("SemanticModel/ABC"), at("Report/ABC"));
  EXPECT_LT(at("Notebook/Hello World"), at("DataPipeline/Run Hello World"));
  // Warnings: the sample's parameters for "Example Notebook", which it does not have.
  ASSERT_FALSE(first.findings.empty());
  for (const auto& f : first.findings) {
    EXPECT_EQ(f.file, "workspace/parameter.yml");
    EXPECT_GT(f.line, 0);
  }

  // The workspace holds every item, in its folder, with the parameters of PPE applied
  // and the runtime values resolved.
  json state = fabric.state(d.workspace);
  const json* vars = item_named(state, "VariableLibrary", "Vars");
  ASSERT_NE(vars, nullptr);
  EXPECT_NE(part_text(*vars, "variables.json").find("contoso-ppe.database.windows.net"), std::string::npos);
  const json* nested = item_named(state, "Notebook", "Hello World SubfolderSubfolder");
  ASSERT_NE(nested, nullptr);
  bool in_folder = false;
  for (const auto& folder : state["workspaces"][0]["folders"])
    if (folder["id"] == (*nested)["folderId"]) in_folder = folder["path"] == "subfolder/subfolder";
  EXPECT_TRUE(in_folder) << nested->dump();
  const json* report = item_named(state, "Report", "ByConnection");
  const json* model = item_named(state, "SemanticModel", "ABC");
  ASSERT_NE(report, nullptr);
  ASSERT_NE(model, nullptr);
  const std::string pbir = part_text(*report, "definition.pbir");
  EXPECT_NE(pbir.find((*model)["id"].get<std::string>()), std::string::npos) << pbir;
  EXPECT_NE(pbir.find(d.workspace), std::string::npos) << pbir;
  for (const auto& item : state["workspaces"][0]["items"])
    for (const auto& part : item["parts"])
      EXPECT_TRUE(markers_in(part.value("text", "")).empty()) << item["displayName"] << "/" << part["path"];
  // The description carries no stamp: this apply had no commit to name.
  EXPECT_EQ(state["workspaces"][0]["description"], "");

  // A second plan is empty, and its apply writes nothing.
  auto again = d.provider();
  fabric.clear_log();
  auto second = deploy(*again);
  EXPECT_TRUE(second.changes.empty()) << plan::change_diff(second.changes.front());
  EXPECT_EQ(writes_in(fabric.log()), 0) << fabric.log().dump();
}

TEST_F(FabricProviderTest, AChangedNotebookIsOneUpdateWithTheDiffOfThatCellAndTheStampNamesTheCommit) {
  Deployment d{fabric, new_workspace(fabric, "Owned by the data team."), repo.root()};
  PlanContext context;
  context.git_sha = "4f2a9c1e0b7d11112222333344445555aaaabbbb";
  context.git_tag = "v1.4.0";
  deploy(*d.provider(), context);
  const std::string file = "workspace/Hello World.Notebook/notebook-content.py";
  std::string text = repo.read(file);
  auto cell = text.find("print(\"Hello World\")");
  ASSERT_NE(cell, std::string::npos);
  repo.write(file, text.replace(cell, 20, "print(\"Hello, converge\")"));

  // The next commit.
  context.git_sha = "9c0ffee0000000000000000000000000000000aa";
  context.git_tag = "v1.5.0";
  auto provider = d.provider();
  auto bundle = provider->compile();
  ASSERT_TRUE(bundle);
  auto planned = provider->plan(*bundle, context);
  ASSERT_TRUE(planned) << planned.error().to_string();
  ASSERT_EQ(planned->changes.size(), 1u);
  const auto& change = planned->changes[0];
  EXPECT_EQ(change.action, plan::Action::update);
  EXPECT_EQ(change.key, "Notebook/Hello World");
  std::string diff = plan::change_diff(change);
  EXPECT_NE(diff.find("-print(\"Hello World\")"), std::string::npos) << diff;
  EXPECT_NE(diff.find("+print(\"Hello, converge\")"), std::string::npos) << diff;
  fabric.clear_log();
  auto report = provider->apply(*bundle, *planned);
  ASSERT_TRUE(report && report->ok());
  // One definition update, and the stamp.
  int updates = 0, patches = 0;
  for (const auto& entry : fabric.log()) {
    if (entry["path"].get<std::string>().ends_with("/updateDefinition")) ++updates;
    if (entry["method"] == "PATCH") ++patches;
  }
  EXPECT_EQ(updates, 1);
  EXPECT_EQ(patches, 1);
  json state = fabric.state(d.workspace);
  EXPECT_NE(part_text(*item_named(state, "Notebook", "Hello World"), "notebook-content.py").find("Hello, converge"),
            std::string::npos);
  std::string description = state["workspaces"][0]["description"];
  EXPECT_EQ(description.rfind("Owned by the data team.\nDeployed by converge: 9c0ffee00000 (v1.5.0) at ", 0), 0u)
      << description;
}

TEST_F(FabricProviderTest, APortalEditIsDriftAndExportsAsExactlyThatEdit) {
  Deployment d{fabric, new_workspace(fabric), repo.root()};
  deploy(*d.provider());
  json state = fabric.state(d.workspace);
  const json* notebook = item_named(state, "Notebook", "Hello World");
  ASSERT_NE(notebook, nullptr);
  std::string deployed = part_text(*notebook, "notebook-content.py");
  std::string edited = deployed;
  edited.replace(edited.find("print(\"Hello World\")"), 20, "print(\"edited in the portal\")");
  fabric.portal_edit(d.workspace, (*notebook)["id"], {{"parts", {{{"path", "notebook-content.py"}, {"text", edited}}}}});

  auto provider = d.provider();
  auto drift = plan_of(*provider);
  ASSERT_EQ(drift.changes.size(), 1u);
  EXPECT_EQ(drift.changes[0].key, "Notebook/Hello World");

  auto exported = provider->export_sources();
  ASSERT_TRUE(exported) << exported.error().to_string();
  EXPECT_TRUE(exported->removed.empty());
  std::string written;
  for (const auto& [path, bytes] : exported->files) written += path + "\n";
  ASSERT_EQ(exported->files.size(), 1u) << written;
  const std::string file = "workspace/Hello World.Notebook/notebook-content.py";
  ASSERT_TRUE(exported->files.contains(file));
  // The repository's file with that one line changed: the lines nobody edited keep
  // the repository's values (the source's workspace and environment ids).
  std::string expected = repo.read(file);
  expected.replace(expected.find("print(\"Hello World\")"), 20, "print(\"edited in the portal\")");
  EXPECT_EQ(exported->files.at(file), expected);
}

TEST_F(FabricProviderTest, AnItemMovedToAnotherFolderInThePortalIsDriftAndExportsAsThatMove) {
  Deployment d{fabric, new_workspace(fabric), repo.root()};
  deploy(*d.provider());
  json state = fabric.state(d.workspace);
  const json* notebook = item_named(state, "Notebook", "Hello World");
  ASSERT_NE(notebook, nullptr);
  fabric.portal_edit(d.workspace, (*notebook)["id"], {{"folder", "Archive/2026"}});

  auto provider = d.provider();
  auto drift = plan_of(*provider);
  ASSERT_EQ(drift.changes.size(), 1u);
  EXPECT_EQ(drift.changes[0].key, "Notebook/Hello World");
  EXPECT_EQ(drift.changes[0].before.get<std::string>(), "folder: Archive/2026\n");
  EXPECT_EQ(drift.changes[0].after.get<std::string>(), "folder: /\n");

  auto exported = provider->export_sources();
  ASSERT_TRUE(exported) << exported.error().to_string();
  // Every file of the item's folder leaves it, and arrives byte for byte in the new one.
  const std::string from = "workspace/Hello World.Notebook/", to = "workspace/Archive/2026/Hello World.Notebook/";
  std::set<std::string> removed(exported->removed.begin(), exported->removed.end());
  std::set<std::string> expected_removed;
  for (const auto& entry : fs::directory_iterator(repo.root() / from))
    expected_removed.insert(from + entry.path().filename().string());
  EXPECT_EQ(removed, expected_removed);
  ASSERT_EQ(exported->files.size(), expected_removed.size());
  for (const auto& old_path : expected_removed) {
    const std::string moved = to + old_path.substr(from.size());
    ASSERT_TRUE(exported->files.contains(moved)) << moved;
    EXPECT_EQ(exported->files.at(moved), repo.read(old_path)) << moved;
  }
}

TEST_F(FabricProviderTest, AFailedOperationStopsTheApplyWithItsMessageAndReportsWhatWasApplied) {
  Deployment d{fabric, new_workspace(fabric), repo.root()};
  auto provider = d.provider();
  auto bundle = provider->compile();
  ASSERT_TRUE(bundle);
  auto planned = provider->plan(*bundle, {});
  ASSERT_TRUE(planned);
  // The third create's operation ends Failed.
  fabric.inject({.method = "POST", .path = "/items$", .kind = FabricFaultKind::operation_failed, .count = 1,
                 .skip = 2, .error_code = "InvalidDefinition", .message = "The definition part is invalid"});
  auto report = provider->apply(*bundle, *planned);
  ASSERT_TRUE(report) << report.error().to_string();
  EXPECT_FALSE(report->ok());
  EXPECT_EQ(report->applied.size(), 2u);
  EXPECT_EQ(report->failed_key, planned->changes[2].key);
  EXPECT_NE(report->error.find("InvalidDefinition: The definition part is invalid"), std::string::npos)
      << report->error;
  ASSERT_TRUE(report->managed_keys);
  EXPECT_EQ(report->managed_keys->size(), 2u);
  // A re-run converges: what was applied is not created again.
  auto rerun = d.provider();
  auto second = deploy(*rerun);
  EXPECT_EQ(keys_of(second, plan::Action::create).size(), 38u);
  EXPECT_TRUE(plan_of(*d.provider()).changes.empty());
}

TEST_F(FabricProviderTest, ThrottlingIsWaitedOutAndAnExpiredTokenIsRenewedOnce) {
  Deployment d{fabric, new_workspace(fabric), repo.root()};
  // The notebooks and what they refer to.
  d.extra = {{"item_types", {"Notebook", "Lakehouse", "Eventhouse"}}};
  fabric.inject({.method = "GET", .path = "/items$", .kind = FabricFaultKind::throttle, .count = 1,
                 .retry_after_s = 1});
  fabric.inject({.method = "POST", .path = "/items$", .kind = FabricFaultKind::token_expired, .count = 1});
  auto provider = d.provider();
  auto planned = deploy(*provider);
  const std::size_t created = planned.changes.size();
  EXPECT_EQ(keys_of(planned, plan::Action::create).size(), created);
  EXPECT_GE(created, 10u);
  int throttled = 0, expired = 0, tokens = 0;
  for (const auto& entry : fabric.log()) {
    const std::string fault = entry["fault"].is_string() ? entry["fault"].get<std::string>() : "";
    if (fault == "throttle") ++throttled;
    if (fault == "token_expired") ++expired;
    if (entry["path"].get<std::string>().find("/oauth2/") != std::string::npos) ++tokens;
  }
  EXPECT_EQ(throttled, 1);
  EXPECT_EQ(expired, 1);
  EXPECT_EQ(tokens, 2);  // the first sign-in and one renewal
  std::size_t in_scope = 0;
  const json state = fabric.state(d.workspace);
  for (const auto& item : state["workspaces"][0]["items"])
    if (item["type"] == "Notebook" || item["type"] == "Lakehouse" || item["type"] == "Eventhouse") ++in_scope;
  EXPECT_EQ(in_scope, created);
}

TEST_F(FabricProviderTest, ALakehouseRemovedFromGitIsNotDeletedWithoutTheOptIn) {
  Deployment d{fabric, new_workspace(fabric), repo.root()};
  d.extra = {{"item_types", {"Lakehouse", "Notebook", "Eventhouse"}}};
  auto first = deploy(*d.provider());
  PlanContext context;
  context.managed_known = true;
  for (const auto& c : first.changes) context.managed_keys.insert(c.key);
  fs::remove_all(repo.root() / "workspace/WithSchema.Lakehouse");
  fs::remove_all(repo.root() / "workspace/subfolder/Hello World Subfolder.Notebook");

  auto kept = plan_of(*d.provider(), context);
  EXPECT_EQ(keys_of(kept, plan::Action::remove), (std::vector<std::string>{"Notebook/Hello World Subfolder"}));
  bool said = std::any_of(kept.notes.begin(), kept.notes.end(), [](const std::string& n) {
    return n.find("Lakehouse/WithSchema is not in Git but holds data") != std::string::npos &&
           n.find("delete_data: [Lakehouse]") != std::string::npos;
  });
  EXPECT_TRUE(said) << (kept.notes.empty() ? "" : kept.notes.front());

  d.extra["delete_data"] = {"Lakehouse"};
  auto opted = plan_of(*d.provider(), context);
  EXPECT_EQ(keys_of(opted, plan::Action::remove),
            (std::vector<std::string>{"Notebook/Hello World Subfolder", "Lakehouse/WithSchema"}));
  // Not converge's (no manifest row): left alone, and the plan says so.
  auto unknown = plan_of(*d.provider());
  EXPECT_TRUE(keys_of(unknown, plan::Action::remove).empty());
  EXPECT_FALSE(unknown.notes.empty());
}

TEST_F(FabricProviderTest, AReferenceToAnItemNeitherSideHasIsAPlanErrorNamingThePart) {
  Deployment d{fabric, new_workspace(fabric), repo.root()};
  d.extra = {{"item_types", {"Notebook", "Lakehouse", "Eventhouse"}}};
  // A parameter whose value names a lakehouse that neither Git nor the workspace has.
  std::string params = repo.read("workspace/parameter.yml");
  params.replace(params.find("find_replace:\n"), 14,
                 "find_replace:\n    - find_value: \"print(\\\"Hello World\\\")\"\n      replace_value:\n"
                 "        PPE: \"$items.Lakehouse.Nowhere.id\"\n      file_path: \"/Hello World.Notebook/notebook-content.py\"\n");
  repo.write("workspace/parameter.yml", params);
  auto planned = plan_of(*d.provider());
  ASSERT_EQ(planned.errors.size(), 1u);
  EXPECT_NE(planned.errors[0].find("workspace/Hello World.Notebook/notebook-content.py"), std::string::npos)
      << planned.errors[0];
  EXPECT_NE(planned.errors[0].find("Lakehouse.Nowhere"), std::string::npos) << planned.errors[0];
}

// ⟦ and ⟧ mark the workspace's values: a repository file holding them is refused by
// name rather than read as naming an item.
TEST_F(FabricProviderTest, AFileHoldingTheMarkerBracketsIsRefusedByName) {
  Deployment d{fabric, new_workspace(fabric), repo.root()};
  repo.write("workspace/Hello World.Notebook/notebook-content.py", "x = \"\u27e6$items.Lakehouse.Sales.id\u27e7\"\n");
  auto bundle = d.provider()->compile();
  ASSERT_FALSE(bundle);
  EXPECT_NE(bundle.error().to_string().find("workspace/Hello World.Notebook/notebook-content.py"), std::string::npos)
      << bundle.error().to_string();
  EXPECT_NE(bundle.error().message.find("U+27E6"), std::string::npos) << bundle.error().message;
}

// promote_via: deployment-pipeline. Stage (the pipeline's first stage) is deployed
// from Git; prod (its second) gets stage's content through ONE deploy of the pipeline,
// followed as a long-running operation, and plans empty afterwards. Both environments
// render with the same parameter values here: Fabric's deploy copies the source's
// content, so what parameter.yml would change per environment is not applied by it.
struct Pipeline {
  std::string id, stage, prod, stage_workspace, prod_workspace;
  json settings() const {
    return {{"promote_via", "deployment-pipeline"}, {"deployment_pipeline", id}, {"source_stage", stage},
            {"target_stage", prod}};
  }
};

Pipeline new_pipeline(FabricServer& fabric) {
  Pipeline p;
  p.stage_workspace = new_workspace(fabric);
  p.prod_workspace = new_workspace(fabric);
  auto ids = fabric.seed({{"pipelines",
                           {{{"displayName", "analytics"},
                             {"stages", {{{"displayName", "Stage"}, {"workspace", p.stage_workspace}},
                                         {{"displayName", "Production"}, {"workspace", p.prod_workspace}}}}}}}});
  p.id = ids["pipelines"][0]["id"].get<std::string>();
  p.stage = ids["pipelines"][0]["stages"][0].get<std::string>();
  p.prod = ids["pipelines"][0]["stages"][1].get<std::string>();
  return p;
}

std::size_t count_of(const json& log, const std::string& method, const std::string& path_part) {
  return static_cast<std::size_t>(std::count_if(log.begin(), log.end(), [&](const json& e) {
    return e.value("method", "") == method && e.value("path", "").find(path_part) != std::string::npos;
  }));
}

TEST_F(FabricProviderTest, PromotionThroughTheDeploymentPipelineCopiesTheSourceStageAndTheTargetThenPlansEmpty) {
  Pipeline p = new_pipeline(fabric);
  Deployment stage{fabric, p.stage_workspace, repo.root()};
  deploy(*stage.provider());
  // Prod was deployed from Git before (an older commit): one notebook differs, which the
  // promotion must update rather than create.
  Deployment prod{fabric, p.prod_workspace, repo.root(), "PPE", p.settings()};
  const std::string file = "workspace/Hello World.Notebook/notebook-content.py";
  const std::string current = repo.read(file);
  repo.write(file, current + "\n# an older cell\n");
  {
    Deployment from_git{fabric, p.prod_workspace, repo.root()};
    deploy(*from_git.provider());
  }
  repo.write(file, current);
  const std::string notebook_id = (*item_named(fabric.state(p.prod_workspace), "Notebook", "Hello World"))["id"];

  PlanContext context;
  context.git_sha = "4f2a9c1e0b7d11112222333344445555aaaabbbb";
  auto provider = prod.provider();
  auto bundle = provider->compile();
  ASSERT_TRUE(bundle);
  auto planned = provider->plan(*bundle, context);
  ASSERT_TRUE(planned) << planned.error().to_string();
  ASSERT_EQ(planned->changes.size(), 1u);
  EXPECT_EQ(planned->changes[0].key, "Notebook/Hello World");
  fabric.clear_log();
  auto report = provider->apply(*bundle, *planned);
  ASSERT_TRUE(report) << report.error().to_string();
  ASSERT_TRUE(report->ok()) << report->failed_key << ": " << report->error;
  EXPECT_EQ(report->applied, std::vector<std::string>{"Notebook/Hello World"});

  // One deploy of the pipeline, followed to its end; no item written from Git.
  const json log = fabric.log();
  EXPECT_EQ(count_of(log, "POST", "/v1/deploymentPipelines/" + p.id + "/deploy"), 1u);
  EXPECT_EQ(count_of(log, "POST", "/updateDefinition"), 0u);
  EXPECT_EQ(count_of(log, "POST", "/items"), 0u);
  EXPECT_GE(count_of(log, "GET", "/v1/operations/"), 1u);
  const json state = fabric.state();
  ASSERT_EQ(state["pipelines"].size(), 1u);
  ASSERT_EQ(state["pipelines"][0]["deployments"].size(), 1u);
  const json& deployment = state["pipelines"][0]["deployments"][0];
  EXPECT_EQ(deployment["sourceStageId"], p.stage);
  EXPECT_EQ(deployment["targetStageId"], p.prod);
  EXPECT_NE(deployment["note"].get<std::string>().find(context.git_sha), std::string::npos);

  // Prod runs stage's notebook, in the same item (paired by type and name).
  const json prod_state = fabric.state(p.prod_workspace), stage_state = fabric.state(p.stage_workspace);
  const json* promoted = item_named(prod_state, "Notebook", "Hello World");
  ASSERT_TRUE(promoted);
  EXPECT_EQ((*promoted)["id"], notebook_id);
  // Stage's text, with stage's ids turned into prod's (Fabric's autobinding).
  const std::string text = part_text(*promoted, "notebook-content.py");
  std::string expected = part_text(*item_named(stage_state, "Notebook", "Hello World"), "notebook-content.py");
  for (std::size_t at; (at = expected.find(p.stage_workspace)) != std::string::npos;)
    expected.replace(at, p.stage_workspace.size(), p.prod_workspace);
  for (const auto& item : stage_state["workspaces"][0]["items"]) {
    const json* twin = item_named(prod_state, item["type"], item["displayName"]);
    if (!twin) continue;
    const std::string from = item["id"], to = (*twin)["id"];
    for (std::size_t at; (at = expected.find(from)) != std::string::npos;) expected.replace(at, from.size(), to);
  }
  EXPECT_EQ(text, expected);
  EXPECT_NE(text.find(p.prod_workspace), std::string::npos);
  EXPECT_EQ(text.find("an older cell"), std::string::npos);
  EXPECT_EQ(prod_state["workspaces"][0]["items"].size(), stage_state["workspaces"][0]["items"].size());
  EXPECT_TRUE(plan_of(*prod.provider()).changes.empty());
}

TEST_F(FabricProviderTest, APromotionIntoAnEmptyWorkspaceCreatesEverythingThroughOneDeploy) {
  Pipeline p = new_pipeline(fabric);
  Deployment stage{fabric, p.stage_workspace, repo.root()};
  deploy(*stage.provider());
  Deployment prod{fabric, p.prod_workspace, repo.root(), "PPE", p.settings()};
  fabric.clear_log();
  auto planned = deploy(*prod.provider());
  EXPECT_EQ(keys_of(planned, plan::Action::create).size(), 40u);
  EXPECT_EQ(count_of(fabric.log(), "POST", "/deploy"), 1u);
  EXPECT_EQ(count_of(fabric.log(), "POST", "/items"), 0u);
  // References between items point at prod's own items (Fabric's autobinding).
  const json prod_state = fabric.state(p.prod_workspace);
  for (const auto& item : prod_state["workspaces"][0]["items"])
    for (const auto& part : item["parts"])
      EXPECT_EQ(part.value("text", "").find(p.stage_workspace), std::string::npos)
          << item["displayName"] << "/" << part["path"];
  EXPECT_TRUE(plan_of(*prod.provider()).changes.empty());
}

TEST_F(FabricProviderTest, AFailedDeployOperationStopsThePromotionWithItsMessage) {
  Pipeline p = new_pipeline(fabric);
  Deployment stage{fabric, p.stage_workspace, repo.root()};
  deploy(*stage.provider());
  Deployment prod{fabric, p.prod_workspace, repo.root(), "PPE", p.settings()};
  auto provider = prod.provider();
  auto bundle = provider->compile();
  ASSERT_TRUE(bundle);
  auto planned = provider->plan(*bundle, {});
  ASSERT_TRUE(planned);
  fabric.inject({.method = "POST", .path = "/deploy$", .kind = FabricFaultKind::operation_failed, .count = 1,
                 .error_code = "DeploymentFailed", .message = "Items in the target stage are locked"});
  auto report = provider->apply(*bundle, *planned);
  ASSERT_TRUE(report) << report.error().to_string();
  EXPECT_FALSE(report->ok());
  EXPECT_TRUE(report->applied.empty());
  EXPECT_EQ(report->failed_key, planned->changes[0].key);
  EXPECT_NE(report->error.find("DeploymentFailed: Items in the target stage are locked"), std::string::npos)
      << report->error;
  EXPECT_NE(report->error.find(p.id), std::string::npos) << report->error;
  EXPECT_TRUE(fabric.state(p.prod_workspace)["workspaces"][0]["items"].empty());
}

TEST_F(FabricProviderTest, PromotionSettingsAreCheckedWhereTheyAreWritten) {
  Pipeline p = new_pipeline(fabric);
  const auto refused = [&](json extra, const std::string& says) {
    Deployment d{fabric, p.prod_workspace, repo.root(), "PPE", std::move(extra)};
    try {
      d.provider();
      ADD_FAILURE() << "accepted: " << says;
    } catch (const Failure& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  json no_target = p.settings();
  no_target.erase("target_stage");
  refused(no_target, "needs the setting 'target_stage'");
  json not_guid = p.settings();
  not_guid["deployment_pipeline"] = "analytics";
  refused(not_guid, "'deployment_pipeline' must be an id");
  refused({{"source_stage", p.stage}}, "only with promote_via: deployment-pipeline");
  refused({{"promote_via", "copy"}}, "must be git or deployment-pipeline");
  json same = p.settings();
  same["target_stage"] = p.stage;
  refused(same, "name the same stage");
}

}  // namespace
}  // namespace converge::providers::fabric
