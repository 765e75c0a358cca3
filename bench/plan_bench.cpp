// Speed targets: planning thousands of migrations on a 2-core runner stays well
// under a second (SQLite, and PostgreSQL on the run's server); hashing and rendering
// a 10,000-change plan is cheap.

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "converge/config/config.hpp"
#include "converge/plan/render.hpp"
#include "converge/providers/provider.hpp"
#include "support.hpp"

namespace converge::bench {
namespace {

namespace fs = std::filesystem;

// A repo with `n` small migrations, none applied yet.
fs::path make_repo(int n) {
  auto dir = fs::temp_directory_path() / ("converge-bench-" + std::to_string(n));
  fs::remove_all(dir);
  fs::create_directories(dir / "db/migrations");
  for (int i = 0; i < n; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "%014lld_table_%d.sql", 20000000000000LL + i, i);
    std::ofstream(dir / "db/migrations" / name) << "-- migrate:up\ncreate table t" << i
                                                 << " (id integer primary key, v text);\n\n-- migrate:down\ndrop table t"
                                                 << i << ";\n";
  }
  return dir;
}

std::unique_ptr<providers::Provider> sql_provider(const fs::path& repo, const std::string& url) {
  config::Settings settings({"bench", 1, 1});
  settings.set("url", {url, {"bench", 1, 1}});
  return std::move(*(*providers::find("sql"))({"db", "dev", repo, settings}));
}

void plan_pending(benchmark::State& state, const std::string& url) {
  auto repo = make_repo(static_cast<int>(state.range(0)));
  auto provider = sql_provider(repo, url);
  for (auto _ : state) {
    auto bundle = provider->compile();
    auto plan = provider->plan(*bundle, {});
    if (!plan) return state.SkipWithError(plan.error().to_string().c_str());
    benchmark::DoNotOptimize(plan->changes.size());
  }
  fs::remove_all(repo);
}

void BM_PlanPendingMigrationsOnSqlite(benchmark::State& state) { plan_pending(state, "sqlite:///bench.db"); }
CONVERGE_BENCHMARK(BM_PlanPendingMigrationsOnSqlite)
    ->Apply([](auto* b) { sized(b, {1000, 2000, 5000, 10000}, 20); })
    ->Unit(benchmark::kMillisecond);

void BM_PlanPendingMigrationsOnPostgres(benchmark::State& state) {
  if (postgres_url().empty()) return state.SkipWithError("set CONVERGE_BENCH_POSTGRES_URL (make bench does)");
  plan_pending(state, fresh_database("converge_bench_plan"));
}
CONVERGE_BENCHMARK(BM_PlanPendingMigrationsOnPostgres)
    ->Apply([](auto* b) { sized(b, {2000, 10000}, 20); })
    ->Unit(benchmark::kMillisecond);

plan::Plan big_plan(int n) {
  plan::Plan p{"prod", "abc", {}};
  plan::TargetPlan t;
  t.target = "assets";
  t.provider = "assets";
  t.bundle_hash = "h";
  for (int i = 0; i < n; ++i)
    t.changes.push_back({plan::Action::update, "chart", "chart-" + std::to_string(i),
                         {{"name", "Chart " + std::to_string(i)}, {"viz", "table"}},
                         {{"name", "Chart " + std::to_string(i) + "!"}, {"viz", "table"}}});
  p.targets.push_back(std::move(t));
  return p;
}

void BM_HashPlan(benchmark::State& state) {
  auto p = big_plan(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(plan::hash(p));
}
CONVERGE_BENCHMARK(BM_HashPlan)->Apply([](auto* b) { sized(b, {10000}, 20); })->Unit(benchmark::kMillisecond);

void BM_RenderPlanMarkdown(benchmark::State& state) {
  auto p = big_plan(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(plan::render_markdown(p).size());
}
CONVERGE_BENCHMARK(BM_RenderPlanMarkdown)->Apply([](auto* b) { sized(b, {10000}, 20); })->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace converge::bench
