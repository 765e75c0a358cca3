// SPDX-License-Identifier: MIT
// Contract test: every request the fabric provider makes, checked by Prism against
// Microsoft's Fabric REST API specification (../shared/testdata/fabric-api, Swagger 2.0).
// Prism runs as a validating proxy (proxy.js) in front of the local Fabric server
// (../server): the provider's api_url points at it, and the operations it starts are
// polled through it too. A recorder in front of Prism writes each exchange with Prism's
// `sl-violations` header (the header, not Prism's log: it is Prism's documented output
// and belongs to one exchange), and the test fails on every request violation and on
// every response violation except the ones where the specification and the recorded
// real service disagree (kRealServiceDisagrees: the local server answers as the real one
// does). The eventhouse's properties, which the specification folder lacks, are checked
// here (valid_eventhouse_read). Two invalid requests show that violations are seen.
//
// One test case on purpose: Prism takes several seconds to load the specification, so it
// is started once, and ctest runs each case in a process of its own.
// Packages come from package-lock.json via install.sh (npm ci, skipped when done).

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "converge/http/client.hpp"
#include "converge/providers/fabric/fabric_provider.hpp"
#include "providers/fabric/server/fabric_server.hpp"
#include "support/node_process.hpp"
#include "support/temp_dir.hpp"

namespace converge::providers::fabric {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::FabricServer;

const std::string kDir = std::string(CONVERGE_SOURCE_DIR) + "/tests/providers/fabric/contract";
const fs::path kSpecRoot = fs::path(CONVERGE_SHARED_TESTDATA) / "fabric-api";
const fs::path kSampleRoot = fs::path(CONVERGE_SHARED_TESTDATA) / "fabric-items/fabric-cicd/sample";

// proxy.js under Node: Prism serving platform/ (workspaces, folders, items, operations) and
// lakehouse/ (a lakehouse's properties) in front of `fabric`. Stopped by closing its stdin.
class ValidatingProxy {
 public:
  ValidatingProxy(const FabricServer& fabric, const fs::path& work) : work_(work) {
    std::vector<std::string> args = {kDir + "/proxy.js", kSpecRoot.string(), fabric.api_url(), fabric.ops_url(),
                                     work.string()};
    for (const auto& spec : specs()) args.push_back(spec);
    std::string line;
    try {
      line = node_.start("proxy.js", args, std::chrono::seconds(150));
    } catch (const Failure& e) {
      line = e.what();
    }
    if (std::sscanf(line.c_str(), "listening %d %d", &api_port_, &ops_port_) != 2) {
      stop();
      std::string log = testing::slurp(work / "prism.log");
      if (log.size() > 3000) log = "…" + log.substr(log.size() - 3000);
      throw Failure("proxy.js did not start (" + line + "); prism.log ends:\n" + log);
    }
  }
  ~ValidatingProxy() { stop(); }
  ValidatingProxy(const ValidatingProxy&) = delete;
  ValidatingProxy& operator=(const ValidatingProxy&) = delete;

  std::string api_url() const { return "http://127.0.0.1:" + std::to_string(api_port_); }

  // The specifications served: the items, folders, workspaces and operations, a
  // lakehouse's properties, and an eventhouse's when the specification folder has it.
  static std::vector<std::string> specs() {
    std::vector<std::string> out = {"platform/swagger.json", "lakehouse/swagger.json"};
    if (has_eventhouse()) out.push_back("eventhouse/swagger.json");
    return out;
  }
  static bool has_eventhouse() { return fs::exists(kSpecRoot / "eventhouse/swagger.json"); }

  // Every exchange so far, oldest first: {host, method, path, status, violations, body?}.
  std::vector<json> exchanges() const {
    std::vector<json> out;
    std::ifstream in(work_ / "exchanges.jsonl");
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) out.push_back(json::parse(line));
    return out;
  }

 private:
  void stop() { node_.stop(); }

  fs::path work_;
  testing::NodeProcess node_;
  int api_port_ = 0;
  int ops_port_ = 0;
};

// A string as it is, anything else (Prism's codes and array indices may be numbers) as JSON.
std::string text(const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

std::string joined(const json& location) {
  std::string out;
  for (const auto& part : location) out += (out.empty() ? "" : ".") + text(part);
  return out;
}

// "POST /v1/workspaces/{id}/items/{id}/getDefinition": the path with its ids and query
// taken out, to count which of the API's requests the scenarios made.
std::string shape(const json& exchange) {
  static const std::regex kGuid("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  std::string path = exchange["path"];
  path = path.substr(0, path.find('?'));
  return exchange["method"].get<std::string>() + " " + std::regex_replace(path, kGuid, "{id}");
}

// The specification folder has no eventhouse/ (microsoft/fabric-rest-api-specs has, and
// its Items_GetEventhouse is GET /workspaces/{workspaceId}/eventhouses/{eventhouseId}
// with both ids format uuid, no query and no body), so Prism finds no route for the
// eventhouse's properties and forwards the request unchecked; it is checked here against
// that operation instead. True when `exchange` is that request and it is valid.
bool valid_eventhouse_read(const json& exchange) {
  if (ValidatingProxy::has_eventhouse() || shape(exchange) != "GET /v1/workspaces/{id}/eventhouses/{id}") return false;
  const std::string path = exchange["path"];
  return path.find('?') == std::string::npos && exchange.value("body", "").empty();
}

// Where the specification and the real service disagree, and the local server answers
// as the real one did (http_trace.json.gz, or the specification's own examples): an operation's state has times with seven
// fraction digits and no zone ("2026-06-25T11:15:43.5469603", not the specification's
// RFC 3339 date-time), and percentComplete and error are null while it runs (the
// specification says integer and object). A response violation of that request, at
// that location, of that code is not a failure (it is counted in `tolerated`).
const std::set<std::tuple<std::string, std::string, std::string>> kRealServiceDisagrees = {
    {"GET /v1/operations/{id}", "response.body.createdTimeUtc", "format"},
    {"GET /v1/operations/{id}", "response.body.lastUpdatedTimeUtc", "format"},
    {"GET /v1/operations/{id}", "response.body.percentComplete", "type"},
    {"GET /v1/operations/{id}", "response.body.error", "type"},
    // A workspace not connected to Git: the specification's own example
    // (examples/gitIntegration/GetConnection_NotConnected.json) has null details, which its
    // schema types as objects.
    {"GET /v1/workspaces/{id}/git/connection", "response.body.gitProviderDetails", "type"},
    {"GET /v1/workspaces/{id}/git/connection", "response.body.gitSyncDetails", "type"},
    // Before the first sync the workspace has no head: null (UpdateFromGitRequest's
    // workspaceHead "may be null only after Initialize Connection").
    {"POST /v1/workspaces/{id}/git/initializeConnection", "response.body.workspaceHead", "type"},
};

// The violations of one exchange that are failures, one line each.
std::vector<std::string> failures(const json& exchange, std::map<std::string, int>* tolerated = nullptr) {
  std::vector<std::string> out;
  if (exchange.contains("error")) out.push_back("the proxy failed: " + exchange["error"].get<std::string>());
  if (!exchange["violations"].is_string()) return out;
  auto violations = json::parse(exchange["violations"].get<std::string>(), nullptr, false);
  if (!violations.is_array()) {
    out.push_back("unreadable sl-violations: " + exchange["violations"].get<std::string>());
    return out;
  }
  for (const auto& v : violations) {
    const std::string where = joined(v.value("location", json::array()));
    const std::string code = text(v.value("code", json(""))), message = text(v.value("message", json("")));
    if (kRealServiceDisagrees.contains({shape(exchange), where, code})) {
      if (tolerated) ++(*tolerated)[where + " " + code];
      continue;
    }
    if (where == "request" && message == "Selected route not found" && valid_eventhouse_read(exchange)) continue;
    out.push_back(where + " " + code + ": " + message);
  }
  return out;
}

struct Repo {
  testing::TempDir dir;
  Repo() {
    fs::copy(kSampleRoot, dir.path(), fs::copy_options::recursive);
    for (auto& entry : fs::recursive_directory_iterator(dir.path()))
      fs::permissions(entry.path(), fs::perms::owner_write, fs::perm_options::add);
  }
  void write(const std::string& relative, const std::string& text) const {
    std::ofstream(dir.path() / relative, std::ios::binary | std::ios::trunc) << text;
  }
  std::string read(const std::string& relative) const { return testing::slurp(dir.path() / relative); }
};

// The provider's settings, its requests sent to the proxy; `workspace` (an id) or, with
// by_name, the workspace's display name ("": neither, a feature workspace of `branch`).
std::unique_ptr<Provider> provider_for(const FabricServer& fabric, const ValidatingProxy& proxy,
                                       const fs::path& root, const std::string& workspace, bool by_name = false,
                                       const json& extra = json::object(), const std::string& branch = "") {
  config::Settings s(SourceLocation{"converge.yaml", 10, 5});
  json settings = {{"api_url", proxy.api_url()},
                   {"authority", fabric.authority()},
                   {"tenant_id", fabric.tenant()},
                   {"client_id", fabric.client_id()},
                   {"client_secret", fabric.client_secret()},
                   {"sources", "workspace"},
                   {"parameter_environment", "PPE"}};
  if (!workspace.empty()) settings[by_name ? "workspace" : "workspace_id"] = workspace;
  settings.update(extra);
  for (const auto& [key, value] : settings.items()) s.set(key, {value, {"converge.yaml", 12, 7}, false});
  auto made = make_provider(TargetSpec{"analytics", "dev", root, s, branch});
  if (!made) throw Failure(made.error().to_string());
  return std::move(*made);
}

// A feature environment's provider for `branch`: its workspace made on a capacity and
// connected to the branch through Fabric's Git integration.
std::unique_ptr<Provider> feature_provider_for(const FabricServer& fabric, const ValidatingProxy& proxy,
                                               const fs::path& root, const std::string& branch) {
  const json feature = {{"feature_workspace",
                         {{"name", "Contract [FEATURE-{branch_slug}]"},
                          {"capacity_id", "0f084df7-c13d-451b-af5f-ed0c466403b2"},
                          {"git",
                           {{"provider", "GitHub"},
                            {"owner", "octo-org"},
                            {"repository", "analytics"},
                            {"connection_id", "3c9b3d36-46d5-4b8e-9b8f-9c3a7f0e21d4"}}}}}};
  return provider_for(fabric, proxy, root, "", false, feature, branch);
}

// Compiles, plans and (unless the plan is empty) applies; returns the plan.
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

std::size_t count(const plan::TargetPlan& plan, plan::Action action) {
  return static_cast<std::size_t>(
      std::count_if(plan.changes.begin(), plan.changes.end(), [&](const plan::Change& c) { return c.action == action; }));
}

TEST(FabricContract, EveryRequestOfTheProviderIsValidAgainstTheFabricRestApiSpecification) {
  auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(std::system(("sh '" + kDir + "/install.sh'").c_str()), 0) << "npm install failed";
  auto installed = std::chrono::steady_clock::now();
  // Pages of 10, so the listings' continuationToken goes through Prism too.
  FabricServer fabric(FabricServer::Options{.page_size = 10});
  testing::TempDir work;
  ValidatingProxy proxy(fabric, work.path());
  auto ready = std::chrono::steady_clock::now();

  // Each scenario's exchanges, checked after it ran.
  std::size_t seen = 0, next_pages = 0;
  std::map<std::string, int> shapes, tolerated;
  auto check = [&](const std::string& scenario) {
    auto all = proxy.exchanges();
    EXPECT_GT(all.size(), seen) << scenario << ": no request went through the proxy";
    for (std::size_t i = seen; i < all.size(); ++i) {
      ++shapes[shape(all[i])];
      if (all[i]["path"].get<std::string>().find("?continuationToken=") != std::string::npos) ++next_pages;
      for (const auto& f : failures(all[i], &tolerated))
        ADD_FAILURE() << scenario << ": " << all[i]["method"].get<std::string>() << " "
                      << all[i]["path"].get<std::string>() << " (" << all[i]["status"] << "): " << f
                      << (all[i].value("body", "").empty() ? "" : "\n  request body: " + all[i]["body"].get<std::string>());
    }
    seen = all.size();
  };

  Repo repo;
  auto ids = fabric.seed({{"workspaces", {{{"displayName", "converge-contract"}, {"description", "Owned by the data team."}}}}});
  const std::string workspace = ids["workspaces"][0]["id"];
  PlanContext context;
  context.git_sha = "4f2a9c1e0b7d11112222333344445555aaaabbbb";
  context.git_tag = "v1.4.0";

  // The first deploy of the sample workspace: folders, every item type, the stamp.
  auto first = deploy(*provider_for(fabric, proxy, repo.dir.path(), workspace), context);
  EXPECT_EQ(count(first, plan::Action::create), 40u);
  check("the first deploy");

  // A second plan: reads every definition, and is empty.
  auto second = deploy(*provider_for(fabric, proxy, repo.dir.path(), workspace), context);
  EXPECT_TRUE(second.changes.empty());
  check("the second plan");

  // A changed notebook (its code, its description and its folder) in the next commit:
  // updateDefinition, the item's PATCH, a move, and the stamp's PATCH.
  const std::string notebook = "workspace/Hello World.Notebook";
  std::string code = repo.read(notebook + "/notebook-content.py");
  code.replace(code.find("print(\"Hello World\")"), 20, "print(\"Hello, converge\")");
  repo.write(notebook + "/notebook-content.py", code);
  std::string platform = repo.read(notebook + "/.platform");
  platform.replace(platform.find("Sample notebook"), 15, "The sample notebook, moved");
  repo.write(notebook + "/.platform", platform);
  fs::rename(repo.dir.path() / notebook, repo.dir.path() / "workspace/subfolder/Hello World.Notebook");
  context.git_sha = "9c0ffee0000000000000000000000000000000aa";
  context.git_tag = "v1.5.0";
  auto changed = deploy(*provider_for(fabric, proxy, repo.dir.path(), workspace), context);
  EXPECT_EQ(count(changed, plan::Action::update), 1u);
  check("a changed notebook");

  // An item removed from Git that converge manages: DELETE.
  PlanContext managed = context;
  managed.managed_known = true;
  for (const auto& c : first.changes) managed.managed_keys.insert(c.key);
  fs::remove_all(repo.dir.path() / "workspace/subfolder/Hello World Subfolder.Notebook");
  auto removed = deploy(*provider_for(fabric, proxy, repo.dir.path(), workspace), managed);
  EXPECT_EQ(count(removed, plan::Action::remove), 1u);
  check("an item deleted");

  // An edit in the portal, exported: the definitions read back.
  json state = fabric.state(workspace);
  std::string edited_id;
  for (const auto& item : state["workspaces"][0]["items"])
    if (item["type"] == "Notebook" && item["displayName"] == "Hello World") edited_id = item["id"];
  ASSERT_FALSE(edited_id.empty());
  fabric.portal_edit(workspace, edited_id,
                     {{"parts", {{{"path", "notebook-content.py"}, {"text", "# edited in the portal\n"}}}}});
  auto exported = provider_for(fabric, proxy, repo.dir.path(), workspace)->export_sources();
  ASSERT_TRUE(exported) << exported.error().to_string();
  EXPECT_EQ(exported->files.size(), 1u);
  check("export_sources");

  // The workspace named instead of its id: the workspaces listed, then planned.
  auto by_name = provider_for(fabric, proxy, repo.dir.path(), "converge-contract", /*by_name=*/true);
  auto bundle = by_name->compile();
  ASSERT_TRUE(bundle);
  auto planned = by_name->plan(*bundle, context);
  ASSERT_TRUE(planned) << planned.error().to_string();
  EXPECT_EQ(planned->changes.size(), 1u);  // the portal edit
  check("the workspace by name");

  // Promotion through a deployment pipeline: the first workspace's stage deployed to
  // the next stage's empty workspace by one deploy, followed to its end.
  auto target = fabric.seed({{"workspaces", {{{"displayName", "converge-contract-prod"}}}}});
  const std::string prod = target["workspaces"][0]["id"];
  auto pipeline = fabric.seed({{"pipelines", {{{"stages", {{{"workspace", workspace}}, {{"workspace", prod}}}}}}}});
  const json promotion = {{"promote_via", "deployment-pipeline"},
                          {"deployment_pipeline", pipeline["pipelines"][0]["id"]},
                          {"source_stage", pipeline["pipelines"][0]["stages"][0]},
                          {"target_stage", pipeline["pipelines"][0]["stages"][1]}};
  auto promoted = deploy(*provider_for(fabric, proxy, repo.dir.path(), prod, false, promotion), context);
  EXPECT_GT(count(promoted, plan::Action::create), 0u);
  check("a promotion through a deployment pipeline");

  // A feature workspace: made on the capacity, connected to its branch and updated from
  // it, deployed, then deleted by destroy.
  fabric.seed_git_remote({{"gitProviderType", "GitHub"},
                          {"owner", "octo-org"},
                          {"repositoryName", "analytics"},
                          {"branchName", "feature/contract"},
                          {"directoryName", "/workspace"},
                          {"commit", std::string(40, 'e')},
                          {"items",
                           {{{"type", "Notebook"},
                             {"displayName", "Hello World"},
                             {"parts", {{{"path", "notebook-content.py"}, {"text", "# Fabric notebook source\n"}}}}}}}});
  auto feature = feature_provider_for(fabric, proxy, repo.dir.path(), "feature/contract");
  auto made_feature = deploy(*feature, context);
  EXPECT_EQ(made_feature.changes.front().key, "Workspace/Contract [FEATURE-feature-contract]");
  auto destroyed = feature_provider_for(fabric, proxy, repo.dir.path(), "feature/contract")->destroy();
  ASSERT_TRUE(destroyed) << destroyed.error().to_string();
  EXPECT_FALSE(destroyed->empty());
  check("a feature workspace made, connected to its branch, deployed and destroyed");

  // Every kind of request api.cpp makes went through Prism.
  std::string made;
  for (const auto& [s, n] : shapes) made += "\n  " + s + " x" + std::to_string(n);
  for (const char* expected :
       {"GET /v1/workspaces", "GET /v1/workspaces/{id}", "PATCH /v1/workspaces/{id}", "GET /v1/workspaces/{id}/items",
        "GET /v1/workspaces/{id}/folders", "POST /v1/workspaces/{id}/folders", "POST /v1/workspaces/{id}/items",
        "POST /v1/workspaces/{id}/items/{id}/getDefinition", "POST /v1/workspaces/{id}/items/{id}/updateDefinition",
        "PATCH /v1/workspaces/{id}/items/{id}", "POST /v1/workspaces/{id}/items/{id}/move",
        "DELETE /v1/workspaces/{id}/items/{id}", "GET /v1/workspaces/{id}/lakehouses/{id}",
        "GET /v1/workspaces/{id}/eventhouses/{id}",
        "GET /v1/operations/{id}", "GET /v1/operations/{id}/result", "POST /v1/deploymentPipelines/{id}/deploy",
        "POST /v1/workspaces", "DELETE /v1/workspaces/{id}", "GET /v1/workspaces/{id}/git/connection",
        "POST /v1/workspaces/{id}/git/connect", "POST /v1/workspaces/{id}/git/initializeConnection",
        "POST /v1/workspaces/{id}/git/updateFromGit"})
    EXPECT_TRUE(shapes.contains(expected)) << expected << " was not made; the requests made:" << made;
  EXPECT_GT(next_pages, 0u) << "no listing's next page went through the proxy";

  // The check itself works: an item without its type is a request violation, seen
  // the same way.
  auto curl = http::make_curl_transport(std::chrono::seconds(30));
  http::Request invalid{.method = "POST",
                        .url = proxy.api_url() + "/v1/workspaces/" + workspace + "/items",
                        .headers = {{"Content-Type", "application/json"},
                                    {"Authorization", "Bearer " + fabric.access_token()}},
                        .body = R"({"displayName":"No type"})",
                        .label = {}};
  ASSERT_TRUE(curl->send(invalid).has_value());
  auto last = proxy.exchanges().back();
  auto found = failures(last);
  ASSERT_EQ(found.size(), 1u) << last.dump();
  EXPECT_EQ(found[0], "request.body required: Request body must have required property 'type'");
  // And updateDefinition's body is checked too (the bundle says it is JSON).
  invalid.url = proxy.api_url() + "/v1/workspaces/" + workspace + "/items/" + edited_id + "/updateDefinition";
  invalid.body = R"({"definition":{"parts":[{"path":"notebook-content.py","payloadType":"InlineBase64"}]}})";
  ASSERT_TRUE(curl->send(invalid).has_value());
  last = proxy.exchanges().back();
  found = failures(last);
  ASSERT_EQ(found.size(), 1u) << last.dump();
  EXPECT_EQ(found[0], "request.body.definition.parts.0 required: Request body property definition.parts.0 must have "
                      "required property 'payload'");

  auto seconds = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count() / 1000.0; };
  std::cout << "npm install: " << seconds(installed - started) << " s, prism start: " << seconds(ready - installed)
            << " s, scenarios: " << seconds(std::chrono::steady_clock::now() - ready) << " s, " << seen
            << " exchanges:" << made << "\nresponse violations where the real service disagrees with the specification:";
  for (const auto& [what, n] : tolerated) std::cout << "\n  " << what << " x" << n;
  std::cout << "\n";
}

}  // namespace
}  // namespace converge::providers::fabric
