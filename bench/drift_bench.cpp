// Speed target of PostgreSQL drift: converge's drift check of a 1,000-table schema
// (pg_dump + normalisation + comparison, through the provider's plan as drift runs
// it) stays within 1.5x of `pg_dump --schema-only` alone on the same schema, timed
// in the same run; the catalog reader (the fallback without pg_dump) is timed too.
// Needs CONVERGE_BENCH_POSTGRES_URL (`make bench` starts a throwaway server) or
// CONVERGE_TEST_POSTGRES_URL (make test's smoke run).

#include <libpq-fe.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "converge/config/config.hpp"
#include "converge/providers/provider.hpp"
#include "converge/providers/sql/database.hpp"
#include "converge/providers/sql/pg_dump.hpp"
#include "converge/util/subprocess.hpp"
#include "support.hpp"

namespace converge::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kDatabase = "converge_bench_drift";

// A database of `tables` tables, each with an identity key, a foreign key to the one
// before, a default, a check, an index and a comment: five pg_dump entries a table.
std::string make_database(int tables) {
  std::string url = fresh_database(kDatabase);
  run_sql(url, "DO $$ BEGIN FOR i IN 1.." + std::to_string(tables) +
                   " LOOP EXECUTE format('CREATE TABLE t%s (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                   " parent_id bigint %s, name text NOT NULL CHECK (name <> ''''), created_at timestamptz NOT NULL"
                   " DEFAULT now())', i, CASE WHEN i > 1 THEN format('REFERENCES t%s', i - 1) ELSE '' END);"
                   " EXECUTE format('CREATE INDEX t%s_name ON t%s (name)', i, i);"
                   " EXECUTE format('COMMENT ON TABLE t%s IS ''table %s''', i, i); END LOOP; END $$");
  return url;
}

// A repository whose committed snapshot is the live schema (no drift), dumped as
// `pg_dump` says ("" finds one, "none" is the catalog reader).
std::unique_ptr<providers::Provider> provider_for(const std::string& url, const fs::path& repo,
                                                  const std::string& pg_dump) {
  fs::remove_all(repo);
  fs::create_directories(repo / "db/migrations");
  auto db = providers::sql::open_database(url, repo, providers::sql::OpenMode::read,
                                          providers::sql::DumpSettings{.pg_dump = pg_dump, .privileges = false});
  std::ofstream(repo / "db/schema.sql") << *(*db)->dump_schema();
  config::Settings settings({"bench", 1, 1});
  settings.set("url", {url, {"bench", 1, 1}});
  if (!pg_dump.empty()) settings.set("pg_dump", {pg_dump, {"bench", 2, 1}});
  return std::move(*(*providers::find("sql"))({"db", "dev", repo, settings}));
}

// One drift check as `converge drift` runs it; false when it fails or finds drift.
bool drift_check(providers::Provider& provider) {
  auto bundle = provider.compile();
  if (!bundle) return false;
  auto plan = provider.plan(*bundle, {});
  return plan && plan->changes.empty();
}

int server_major(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  int version = PQstatus(conn) == CONNECTION_OK ? PQserverVersion(conn) : 0;
  PQfinish(conn);
  return version / 10000;
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Each iteration times converge's drift check (the benchmark's time) and, right
// after it, `pg_dump --schema-only` of the same database; the counters give both
// and their ratio.
void BM_DriftVsPgDump(benchmark::State& state) {
  if (postgres_url().empty()) return state.SkipWithError("set CONVERGE_BENCH_POSTGRES_URL (make bench does)");
  std::string url = make_database(static_cast<int>(state.range(0)));
  auto repo = fs::temp_directory_path() / "converge-bench-drift";
  auto provider = provider_for(url, repo, "");
  auto tool = providers::sql::find_pg_dump(server_major(url), "");
  if (!tool || !tool->tool) return state.SkipWithError("no pg_dump found");
  std::vector<std::string> argv{tool->tool->path, "--schema-only", "--no-owner", "--no-privileges", "--dbname=" + url};
  double ours = 0, theirs = 0;
  for (auto _ : state) {
    auto start = Clock::now();
    if (!drift_check(*provider)) return state.SkipWithError("drift check failed or found drift");
    double took = ms_since(start);
    ours += took;
    state.SetIterationTime(took / 1000);
    start = Clock::now();
    auto dumped = util::run_process(argv, {}, {});
    if (!dumped || dumped->exit_code != 0) return state.SkipWithError("pg_dump failed");
    theirs += ms_since(start);
  }
  double n = static_cast<double>(state.iterations());
  state.counters["converge_ms"] = ours / n;
  state.counters["pg_dump_ms"] = theirs / n;
  state.counters["ratio"] = ours / theirs;
  fs::remove_all(repo);
}
CONVERGE_BENCHMARK(BM_DriftVsPgDump)
    ->Apply([](auto* b) { sized(b, {1000}, 20); })
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// The same drift check with the catalog reader (`pg_dump: none`).
void BM_DriftCatalogReader(benchmark::State& state) {
  if (postgres_url().empty()) return state.SkipWithError("set CONVERGE_BENCH_POSTGRES_URL (make bench does)");
  std::string url = make_database(static_cast<int>(state.range(0)));
  auto repo = fs::temp_directory_path() / "converge-bench-drift-catalog";
  auto provider = provider_for(url, repo, "none");
  for (auto _ : state)
    if (!drift_check(*provider)) return state.SkipWithError("drift check failed or found drift");
  fs::remove_all(repo);
}
CONVERGE_BENCHMARK(BM_DriftCatalogReader)->Apply([](auto* b) { sized(b, {1000}, 20); })->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace converge::bench
