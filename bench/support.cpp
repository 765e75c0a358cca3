// See support.hpp.
#include "support.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <random>

extern char** environ;

namespace converge::bench {

namespace fs = std::filesystem;

bool smoke() {
  const char* value = std::getenv("CONVERGE_BENCH_SMOKE");
  return value != nullptr && std::string(value) == "1";
}

void guarded(benchmark::State& state, void (*run)(benchmark::State&)) {
  try {
    run(state);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

benchmark::internal::Benchmark* sized(benchmark::internal::Benchmark* b, const std::vector<std::int64_t>& sizes,
                                      std::int64_t smoke_size) {
  if (smoke()) return b->Arg(smoke_size)->Iterations(1);
  for (auto size : sizes) b->Arg(size);
  return b->Repetitions(5)
      ->ReportAggregatesOnly(true)
      ->ComputeStatistics("min",
                          [](const std::vector<double>& v) { return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end()); })
      ->ComputeStatistics("max",
                          [](const std::vector<double>& v) { return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()); });
}

Ran run(const Process& process) {
  Ran ran;
  char out_path[] = "/tmp/converge-bench-out-XXXXXX";
  const int out = ::mkstemp(out_path);
  if (out < 0) {
    ran.output = "cannot create a temporary file";
    return ran;
  }
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const auto name = entry.substr(0, entry.find('='));
    if (!process.env.contains(name)) env_strings.push_back(entry);
  }
  for (const auto& [name, value] : process.env) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp, argv;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = process.argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t io;
  posix_spawn_file_actions_init(&io);
  posix_spawn_file_actions_adddup2(&io, out, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&io, out, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&io, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (!process.cwd.empty()) posix_spawn_file_actions_addchdir_np(&io, process.cwd.c_str());
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &io, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&io);
  if (spawned == 0) {
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    ran.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const auto ms = [](const timeval& t) { return t.tv_sec * 1000.0 + t.tv_usec / 1000.0; };
    ran.cpu_ms = ms(usage.ru_utime) + ms(usage.ru_stime);
    ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ::close(out);
  std::ifstream in(out_path);
  ran.output.assign(std::istreambuf_iterator<char>(in), {});
  ::unlink(out_path);
  if (spawned != 0) ran.output = "cannot start " + process.argv[0];
  return ran;
}

double peak_rss_mb(const Process& process) {
  if (::access("/usr/bin/time", X_OK) != 0) return 0;
  char report[] = "/tmp/converge-bench-rss-XXXXXX";
  const int fd = ::mkstemp(report);
  if (fd < 0) return 0;
  ::close(fd);
  Process timed = process;
  timed.argv.insert(timed.argv.begin(), {"/usr/bin/time", "-f", "%M", "-o", report});
  const Ran ran = run(timed);
  std::ifstream in(report);
  double kib = 0;
  in >> kib;
  ::unlink(report);
  return ran.exit_code == 0 ? kib / 1024.0 : 0;
}

void time_process(benchmark::State& state, const Process& process) {
  const auto failed = [&](const Ran& ran) {
    if (ran.exit_code == 0) return false;
    const std::string tail = ran.output.size() > 600 ? ran.output.substr(ran.output.size() - 600) : ran.output;
    state.SkipWithError((process.argv[0] + " exited " + std::to_string(ran.exit_code) + ": " + tail).c_str());
    return true;
  };
  if (failed(run(process))) return;  // the warm-up
  double cpu_ms = 0;
  for (auto _ : state) {
    const Ran ran = run(process);
    if (failed(ran)) return;
    state.SetIterationTime(ran.wall_ms / 1000.0);
    cpu_ms += ran.cpu_ms;
  }
  state.counters["cpu_ms"] = benchmark::Counter(cpu_ms, benchmark::Counter::kAvgIterations);
  state.counters["peak_rss_mb"] = peak_rss_mb(process);
}

std::string bin(const std::string& name) { return std::string(CONVERGE_BIN_DIR) + "/" + name; }

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("converge-bench-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

void commit_all(const fs::path& repo) {
  const std::string dir = repo.string();
  for (const std::vector<std::string>& git :
       {std::vector<std::string>{"git", "-C", dir, "init", "-q", "-b", "main"},
        {"git", "-C", dir, "add", "-A"},
        {"git", "-C", dir, "-c", "user.name=bench", "-c", "user.email=bench@example.test", "commit", "-q", "-m",
         "bench"}}) {
    std::vector<std::string> argv = git;
    argv[0] = "/usr/bin/git";
    if (const Ran ran = run({argv, {}, {}}); ran.exit_code != 0)
      throw std::runtime_error("git failed in " + dir + ": " + ran.output);
  }
}

namespace {

const char* const kRegions[] = {"eu", "us", "apac", "latam"};
const char* const kViz[] = {"big_number_total", "table", "line", "bar"};

}  // namespace

void write_sql_repo(const fs::path& repo, const std::string& environments, const std::string& ignored) {
  write_file(repo / "converge.yaml", environments +
                                         "targets:\n"
                                         "  - name: db\n"
                                         "    provider: sql\n"
                                         "    settings:\n"
                                         "      url: sqlite:///.converge/${CONVERGE_ENV}.db\n");
  write_file(repo / "db" / "migrations" / "20260101000000_create_t.sql",
             "-- migrate:up\ncreate table t (id integer primary key);\n\n-- migrate:down\ndrop table t;\n");
  write_file(repo / ".gitignore", ignored);
}

void write_asset_config(const fs::path& repo, const std::string& url) {
  write_file(repo / "converge.yaml",
             std::string(kDevEnvironment) +
             "targets:\n"
             "  - name: bi\n"
             "    provider: assets\n"
             "    settings:\n"
             "      url: " + url + "\n"
             "      page_size: 1000\n");
}

void make_asset_repo(const fs::path& repo, std::int64_t n, const std::string& url) {
  write_asset_config(repo, url);
  write_file(repo / "env" / "dev.yaml", "db_host: warehouse-dev.internal\n");
  std::mt19937 random(20261206);  // seeded: the same repository every run
  for (std::int64_t i = 1; i <= n; ++i) {
    char uuid[64];
    std::snprintf(uuid, sizeof uuid, "9c2b4e6f-3a1d-4b8c-a5e7-%012lld", static_cast<long long>(i));
    const char* region = kRegions[random() % 4];
    write_file(repo / "assets" / "charts" / ("c" + std::to_string(i) + ".yaml.j2"),
               std::string("dataset_name: none\n"
                           "params:\n"
                           "  metric: sum__amount_cents\n"
                           "  host: \"{{ db_host }}\"\n"
                           "  filters:\n"
                           "    - col: region\n"
                           "      op: in\n"
                           "      val: [") + region + ", us, apac]\n"
                   "slice_name: Chart " + std::to_string(i) + " for {{ db_host }}\n"
                   "uuid: " + uuid + "\n"
                   "viz_type: " + kViz[random() % 4] + "\n"
                   "description: \"A chart that shows the revenue of region " + std::to_string(i) +
                   ": summed, in cents\"\n");
  }
}

std::string postgres_url() {
  for (const char* name : {"CONVERGE_BENCH_POSTGRES_URL", "CONVERGE_TEST_POSTGRES_URL"})
    if (const char* url = std::getenv(name); url != nullptr && *url) return url;
  return "";
}

std::string with_database(const std::string& url, const std::string& db) {
  auto slash = url.find('/', url.find("://") + 3);
  auto query = url.find('?');
  return url.substr(0, slash) + "/" + db + (query == std::string::npos ? "" : url.substr(query));
}

bool run_sql(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  bool ok = PQstatus(conn) == CONNECTION_OK;
  if (ok) {
    PGresult* res = PQexec(conn, sql.c_str());
    ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
  }
  PQfinish(conn);
  return ok;
}

std::string fresh_database(const std::string& name) {
  const std::string admin = with_database(postgres_url(), "postgres");
  run_sql(admin, "DROP DATABASE IF EXISTS " + name);
  if (!run_sql(admin, "CREATE DATABASE " + name)) throw std::runtime_error("cannot create database " + name);
  return with_database(postgres_url(), name);
}

}  // namespace converge::bench
