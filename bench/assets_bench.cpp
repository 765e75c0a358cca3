// Issue 15's asset cases, whole processes as a user runs them: `converge compile` of
// 1k/10k/100k templated charts, `converge plan` of them against a REST runtime
// (json-server) holding them with 1 % changed, and the peer measured in the same
// run: python3-jinja2 + PyYAML rendering the same templates and writing the same
// items (bench/peers/jinja2_compile.py).
#include <nlohmann/json.hpp>

#include "converge/config/settings.hpp"
#include "converge/providers/provider.hpp"
#include "providers/assets/json_server.hpp"
#include "support.hpp"

namespace converge::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<std::int64_t> kSizes = {1000, 10000, 100000};

// The repository for `n` charts, made once per size and kept for every case.
fs::path asset_repo(std::int64_t n) {
  const fs::path repo = fs::temp_directory_path() / ("converge-bench-charts-" + std::to_string(n));
  if (fs::exists(repo / ".git")) return repo;
  fs::remove_all(repo);
  make_asset_repo(repo, n, "http://127.0.0.1:9");
  commit_all(repo);
  return repo;
}

void BM_CompileAssets(benchmark::State& state) {
  const fs::path repo = asset_repo(state.range(0));
  state.SetLabel("converge compile");
  time_process(state, {{bin("converge"), "compile", "--env", "dev", "--out", (repo / ".bundles").string()}, repo, {}});
}

void BM_PeerJinja2Compile(benchmark::State& state) {
  const fs::path repo = asset_repo(state.range(0));
  state.SetLabel("peer: python3-jinja2 + PyYAML");
  time_process(state, {{"/usr/bin/python3", std::string(CONVERGE_BENCH_DIR) + "/peers/jinja2_compile.py",
                        (repo / "assets" / "charts").string(), (repo / "env" / "dev.yaml").string(),
                        (repo / ".peer").string()},
                       repo,
                       {}});
}

// The charts as the runtime holds them after an apply: the compiled items, one in a
// hundred edited in the runtime since.
json runtime_holding(const fs::path& repo) {
  config::Settings settings({"bench", 1, 1});
  settings.set("url", {"http://127.0.0.1:9", {"bench", 1, 1}});
  auto provider = (*providers::find("assets"))({"bi", "dev", repo, settings});
  if (!provider) throw std::runtime_error(provider.error().to_string());
  auto bundle = (*provider)->compile();
  if (!bundle) throw std::runtime_error(bundle.error().to_string());
  json db = testing::JsonServer::empty_bi();
  std::size_t i = 0;
  for (const auto& [id, item] : bundle->content["items"]["charts"].items()) {
    json held = item;
    if (i++ % 100 == 0) held["viz_type"] = "pie";
    db["charts"].push_back(std::move(held));
  }
  return db;
}

void BM_PlanAssets(benchmark::State& state) {
  const fs::path repo = asset_repo(state.range(0));
  testing::JsonServer server(runtime_holding(repo));
  write_asset_config(repo, server.url());
  state.SetLabel("converge plan, 1 % changed");
  time_process(state, {{bin("converge"), "plan", "--env", "dev"}, repo, {}});
  write_asset_config(repo, "http://127.0.0.1:9");
}

CONVERGE_BENCHMARK(BM_CompileAssets)->Apply([](auto* b) { sized(b, kSizes, 20); })->Unit(benchmark::kMillisecond)->UseManualTime();
// The peer at 1,000 and 10,000 only (issue 15 compares at 10,000): at 100,000 it
// took ~4 minutes a run, six runs, most of a whole `make bench`.
CONVERGE_BENCHMARK(BM_PeerJinja2Compile)
    ->Apply([](auto* b) { sized(b, {1000, 10000}, 20); })
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();
CONVERGE_BENCHMARK(BM_PlanAssets)->Apply([](auto* b) { sized(b, kSizes, 20); })->Unit(benchmark::kMillisecond)->UseManualTime();

}  // namespace
}  // namespace converge::bench
