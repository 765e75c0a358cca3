// Issue 15's Fabric case: a no-change plan of a workspace of 10/100/1,000 notebooks
// against the local Fabric server (tests/providers/fabric/server), its requests per
// item counted by the server (the token's excepted) and its time. Each item's
// definition is read through a long-running operation (getDefinition, a poll, the
// result): the requests per item are what a real tenant's latency multiplies.
#include <chrono>
#include <fstream>

#include "converge/providers/fabric/fabric_provider.hpp"
#include "providers/fabric/server/fabric_server.hpp"
#include "support.hpp"

namespace converge::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string notebook(std::int64_t i) { return "# Fabric notebook source\n\nprint(" + std::to_string(i) + ")\n"; }

void BM_FabricNoChangePlan(benchmark::State& state) {
  const auto items = state.range(0);
  const fs::path dir = fresh_dir("fabric-" + std::to_string(items));
  testing::FabricServer::Options options;
  options.retry_after_s = 0;
  testing::FabricServer fabric(options);
  json seeded = json::array();
  for (std::int64_t i = 0; i < items; ++i) {
    const std::string name = "Notebook " + std::to_string(i);
    seeded.push_back({{"type", "Notebook"}, {"displayName", name},
                      {"parts", {{{"path", "notebook-content.py"}, {"text", notebook(i)}}}}});
    const fs::path folder = dir / "workspace" / (name + ".Notebook");
    fs::create_directories(folder);
    std::ofstream(folder / ".platform") << json{{"metadata", {{"type", "Notebook"}, {"displayName", name}}}}.dump();
    std::ofstream(folder / "notebook-content.py") << notebook(i);
  }
  auto ids = fabric.seed({{"workspaces", {{{"displayName", "bench"}, {"items", seeded}}}}});
  const std::string workspace = ids["workspaces"][0]["id"];
  config::Settings settings(SourceLocation{"converge.yaml", 1, 1});
  const json values = {{"api_url", fabric.api_url()},     {"authority", fabric.authority()},
                       {"tenant_id", fabric.tenant()},    {"client_id", fabric.client_id()},
                       {"client_secret", fabric.client_secret()}, {"workspace_id", workspace}};
  for (const auto& [key, value] : values.items()) settings.set(key, {value, {"converge.yaml", 1, 1}, false});
  int requests = 0;
  for (auto _ : state) {
    fabric.clear_log();
    const auto start = std::chrono::steady_clock::now();
    auto provider = providers::fabric::make_provider({"bench", "dev", dir, settings});
    if (!provider) return state.SkipWithError(provider.error().message.c_str());
    auto bundle = (*provider)->compile();
    if (!bundle) return state.SkipWithError(bundle.error().message.c_str());
    auto plan = (*provider)->plan(*bundle, {});
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (!plan) return state.SkipWithError(plan.error().message.c_str());
    if (!plan->changes.empty()) return state.SkipWithError("the plan of an unchanged workspace has changes");
    requests = 0;
    for (const auto& entry : fabric.log())
      if (entry["path"].get<std::string>().find("/oauth2/") == std::string::npos) ++requests;
  }
  state.counters["requests"] = requests;
  state.counters["requests_per_item"] = static_cast<double>(requests) / static_cast<double>(items);
  state.SetLabel("no-change plan, in process");
}
CONVERGE_BENCHMARK(BM_FabricNoChangePlan)
    ->Apply([](auto* b) { sized(b, {10, 100, 1000}, 10); })
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();

}  // namespace
}  // namespace converge::bench
