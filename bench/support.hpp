// What every benchmark case shares: how a case is configured (full sizes for
// `make bench`, one tiny run for the smoke test in `make test`), running a whole
// process as a user would and timing it with its peak memory, and the seeded
// generators of the repositories the cases work on.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace converge::bench {

// CONVERGE_BENCH_SMOKE=1: every case once at its smallest size (`make test` runs
// the benchmarks so they never rot; the numbers mean nothing then).
bool smoke();

// Runs the case `run`; an exception it throws (a runtime that does not start, a
// repository that cannot be written) fails that case with its message, not the
// whole run: the cases after it still report.
void guarded(benchmark::State& state, void (*run)(benchmark::State&));

// BENCHMARK(fn) with its exceptions caught by guarded(); chains as BENCHMARK does.
#define CONVERGE_BENCHMARK(fn)                                        \
  static benchmark::internal::Benchmark* const converge_bench_##fn = \
      benchmark::RegisterBenchmark(#fn, [](benchmark::State& state) { ::converge::bench::guarded(state, fn); })

// Registers `sizes` (or, in a smoke run, `smoke_size` once, no repetitions); each
// case otherwise runs five repetitions (after the warm-up run it does itself),
// reported as median, min and max. Returns `b` for chaining.
benchmark::internal::Benchmark* sized(benchmark::internal::Benchmark* b, const std::vector<std::int64_t>& sizes,
                                      std::int64_t smoke_size);

// A whole process as the user starts it.
struct Process {
  std::vector<std::string> argv;        // argv[0] is the executable's path
  std::filesystem::path cwd;            // "" = this process's
  std::map<std::string, std::string> env;  // set on top of this process's environment
};

struct Ran {
  int exit_code = -1;
  double wall_ms = 0;
  double cpu_ms = 0;   // the process's own user + system time (not a server's it talked to)
  std::string output;  // standard output and error, for the error message
};

Ran run(const Process& process);

// The peak resident memory of one more run of `process`, in MiB, as /usr/bin/time
// reports it (GNU time, which starts it from its own small process: a process this
// one started directly would count this one's memory too, which it shares until its
// exec); 0 when /usr/bin/time is missing or the run failed.
double peak_rss_mb(const Process& process);

// Runs `process` once untimed (the warm-up), then once per iteration with manual
// timing, then once more for its peak memory (counter peak_rss_mb). Counter cpu_ms
// is the process's own CPU time per run: in a case against a local server it
// separates converge's share from the server's. A failed run stops the case with
// its output as the error.
void time_process(benchmark::State& state, const Process& process);

// A converge executable of this build (converge, converge-plan, ...).
std::string bin(const std::string& name);

// A fresh empty folder under the temporary folder, named after `name`.
std::filesystem::path fresh_dir(const std::string& name);

void write_file(const std::filesystem::path& path, const std::string& text);

// `git init`, add everything, commit (the steps read HEAD).
void commit_all(const std::filesystem::path& repo);

// An assets repository for environment dev: `n` templated chart files (~330 bytes,
// one variable each; seeded, so the same every run) under assets/charts, env/dev.yaml
// with the variable, and converge.yaml (write_asset_config) at `url`.
void make_asset_repo(const std::filesystem::path& repo, std::int64_t n, const std::string& url);
// converge.yaml's first lines for one environment, dev, deployed from dev/** branches.
inline constexpr const char* kDevEnvironment =
    "version: 1\n"
    "environments:\n"
    "  - name: dev\n"
    "    branch: \"dev/**\"\n";

// A repository of one sql target `db` (SQLite, .converge/<env>.db) with one migration:
// converge.yaml is `environments` (its first lines, as kDevEnvironment) and the target;
// `ignored` is the .gitignore. Not committed.
void write_sql_repo(const std::filesystem::path& repo, const std::string& environments, const std::string& ignored);

// converge.yaml of make_asset_repo: environment dev, target `bi` (provider assets) at `url`.
void write_asset_config(const std::filesystem::path& repo, const std::string& url);

// The PostgreSQL server of the run: $CONVERGE_BENCH_POSTGRES_URL (make bench starts
// one), else $CONVERGE_TEST_POSTGRES_URL (make test's); "" when neither is set.
std::string postgres_url();
// `url` naming database `db` instead.
std::string with_database(const std::string& url, const std::string& db);
// Runs `sql` on `url`; false when it fails.
bool run_sql(const std::string& url, const std::string& sql);
// Database `name` dropped and created again, empty; its URL.
std::string fresh_database(const std::string& name);

}  // namespace converge::bench
