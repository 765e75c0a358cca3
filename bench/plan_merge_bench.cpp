// Issue 15, a matrix of targets: the merge job of a 100-target repository, whose
// per-target plan files (`converge plan --target T --out plans/plan-T.json`, one
// matrix job each, made here once) `converge-plan-comment --from 'plans/*.json'`
// merges into the sticky comment and plan record, against the local GitHub API server
// (tests/github/server/server.js, Node). Counters: `requests`, the GitHub API requests
// one merge makes (from the server's request log), and `targets`. Beside it, one job
// planning all 100 targets itself (BM_PlanCommentOneJob), the path the matrix replaces,
// and one matrix job (BM_MatrixPlanOneTarget).
// Skipped, with the reason, when node or git is missing.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

#include "support.hpp"

namespace {

namespace fs = std::filesystem;

// 100 targets; 3 in the smoke run of make test.
int targets() { return converge::bench::smoke() ? 3 : 100; }
constexpr const char* kToken = "ghs_000000000000000000000000000000benchtk";
constexpr const char* kRepository = "bench/matrix";
const std::string kHead = "b6a3f2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5";

// Runs argv in `cwd` with `env` added to this process's environment; its exit code
// (-1 when it could not start or was killed). Its output goes to /dev/null.
int run(const std::vector<std::string>& args, const fs::path& cwd, const std::vector<std::string>& env = {}) {
  std::vector<std::string> environment(env);
  for (char** e = environ; *e; ++e) environment.emplace_back(*e);
  std::vector<char*> argv, envp;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : environment) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  posix_spawn_file_actions_t io;
  posix_spawn_file_actions_init(&io);
  posix_spawn_file_actions_addchdir_np(&io, cwd.c_str());
  posix_spawn_file_actions_addopen(&io, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&io, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, argv[0], &io, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&io);
  if (spawned != 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Standard output of a shell command ("" when it fails).
std::string output_of(const std::string& command) {
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, p)) > 0;) out.append(buffer, n);
    if (::pclose(p) != 0) return "";
  }
  return out;
}

// The local GitHub API server, stopped (its standard input closed) when destroyed.
class Server {
 public:
  static std::unique_ptr<Server> start() {
    int in[2], out[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0) return nullptr;
    posix_spawn_file_actions_t io;
    posix_spawn_file_actions_init(&io);
    posix_spawn_file_actions_adddup2(&io, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&io, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&io, in[1]);
    posix_spawn_file_actions_addclose(&io, out[0]);
    const std::string script = std::string(CONVERGE_SOURCE_DIR) + "/tests/github/server/server.js";
    std::vector<std::string> args = {"node", script, "--token", kToken, "--repository", kRepository};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, "node", &io, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&io);
    ::close(in[0]);
    ::close(out[1]);
    if (spawned != 0) return nullptr;
    std::string line;
    for (char c; ::read(out[0], &c, 1) == 1 && c != '\n';) line += c;
    ::close(out[0]);
    auto server = std::unique_ptr<Server>(new Server(pid, in[1], "http://127.0.0.1:" + line.substr(10)));
    if (!line.starts_with("listening ")) return nullptr;  // (the destructor reaps it)
    return server;
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server() {
    ::close(stdin_);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  const std::string& url() const { return url_; }
  std::string control(const std::string& method, const std::string& what, const std::string& body = "") {
    return output_of("curl -sf -X " + method + " -H 'content-type: application/json' " +
                     (body.empty() ? "" : "--data-binary '" + body + "' ") + url_ + "/_control/" + what);
  }
  // The API requests logged since the last clear.
  int requests() {
    auto log = nlohmann::json::parse(control("GET", "requests"), nullptr, false);
    return log.is_array() ? static_cast<int>(log.size()) : -1;
  }

 private:
  Server(pid_t pid, int in, std::string url) : pid_(pid), stdin_(in), url_(std::move(url)) {}
  pid_t pid_;
  int stdin_;
  std::string url_;
};

std::string target_name(int i) {
  char name[16];
  std::snprintf(name, sizeof name, "t%03d", i);
  return name;
}

// A repository with targets() sql targets (SQLite, one pending migration each),
// committed, and every target's plan file made by its own `converge-plan --target`.
// "" when it could not be made.
fs::path make_matrix_repo() {
  const auto dir = fs::temp_directory_path() / "converge-bench-matrix";
  fs::remove_all(dir);
  fs::create_directories(dir / "plans");
  std::ofstream config(dir / "converge.yaml");
  config << "environments:\n  - name: prod\n    branch: main\n    gates: {plan_pinning: true}\ntargets:\n";
  for (int i = 0; i < targets(); ++i) {
    const auto t = target_name(i);
    config << "  - name: " << t << "\n    provider: sql\n    settings:\n      url: sqlite:///.converge/prod-" << t
           << ".db\n      migrations: db/" << t << "\n";
    fs::create_directories(dir / "db" / t);
    std::ofstream(dir / "db" / t / "20260101000000_items.sql")
        << "-- migrate:up\ncreate table items (id integer primary key, v text);\n-- migrate:down\ndrop table items;\n";
  }
  config.close();
  std::ofstream(dir / ".gitignore") << ".converge/\nplans/\nplan.json\n";
  const std::string git = "git -C " + dir.string() + " -c user.name=bench -c user.email=bench@example.com ";
  if (std::system((git + "init -q -b main && " + git + "add -A && " + git + "commit -qm bench").c_str()) != 0) return {};
  const std::string plan = std::string(CONVERGE_BIN_DIR) + "/converge-plan";
  for (int i = 0; i < targets(); ++i) {
    const auto t = target_name(i);
    if (run({plan, "--env", "prod", "--target", t, "--out", "plans/plan-" + t + ".json"}, dir, {"GITHUB_ACTIONS=false"}) != 0)
      return {};
  }
  // The pull request event: PR #7 from develop to main, the fields converge reads.
  const nlohmann::json event = {
      {"number", 7},
      {"pull_request", {{"number", 7}, {"base", {{"ref", "main"}}}, {"head", {{"ref", "develop"}, {"sha", kHead}}}}}};
  std::ofstream(dir / "event.json") << event.dump();
  return dir;
}

struct Fixture {
  fs::path repo;
  std::unique_ptr<Server> server;
  std::string error;
};

Fixture& fixture() {
  static Fixture f = [] {
    Fixture made;
    made.repo = make_matrix_repo();
    if (made.repo.empty()) {
      made.error = "could not make the 100-target repository (git, converge-plan)";
      return made;
    }
    made.server = Server::start();
    if (!made.server) {
      made.error = "the local GitHub server (node tests/github/server/server.js) did not start";
      return made;
    }
    made.server->control("POST", "seed",
                         R"({"pulls":[{"number":7,"user":"alice","head":{"ref":"develop","sha":")" + kHead +
                             R"("},"base":{"ref":"main"}}]})");
    return made;
  }();
  return f;
}

// One plan-comment run as a pull_request job runs it, each in a run of its own (the
// comment links its run, so every run edits it); its exit code.
int plan_comment(Fixture& f, const std::vector<std::string>& extra) {
  static int run_id = 0;
  std::vector<std::string> args = {std::string(CONVERGE_BIN_DIR) + "/converge-plan-comment"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto home = f.repo / ".converge/home";
  fs::create_directories(home);
  return run(args, f.repo,
             {"GITHUB_ACTIONS=true", std::string("GITHUB_TOKEN=") + kToken, std::string("GITHUB_REPOSITORY=") + kRepository,
              "GITHUB_API_URL=" + f.server->url(), "GITHUB_SERVER_URL=https://github.com",
              "GITHUB_RUN_ID=" + std::to_string(++run_id),
              "GITHUB_RUN_ATTEMPT=1", "GITHUB_JOB=merge", "GITHUB_WORKSPACE=" + f.repo.string(),
              "RUNNER_TEMP=" + (f.repo / ".converge/tmp").string(), "HOME=" + home.string(),
              "GITHUB_EVENT_NAME=pull_request", "GITHUB_EVENT_PATH=" + (f.repo / "event.json").string(),
              "GITHUB_OUTPUT=/dev/null", "GITHUB_STEP_SUMMARY=/dev/null"});
}

void measure(benchmark::State& state, const std::vector<std::string>& extra) {
  auto& f = fixture();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  if (plan_comment(f, extra) != 0) {  // the warm-up makes the comment; the runs edit it
    state.SkipWithError("converge-plan-comment failed");
    return;
  }
  int requests = 0;
  for (auto _ : state) {
    state.PauseTiming();
    f.server->control("DELETE", "requests");
    state.ResumeTiming();
    if (plan_comment(f, extra) != 0) {
      state.SkipWithError("converge-plan-comment failed");
      return;
    }
    state.PauseTiming();
    requests += f.server->requests();
    state.ResumeTiming();
  }
  state.counters["requests"] = benchmark::Counter(requests, benchmark::Counter::kAvgIterations);
  state.counters["targets"] = targets();
}

// The matrix's merge job: 100 per-target plan files → the comment and plan record.
void BM_MatrixMerge(benchmark::State& state) { measure(state, {"--from", "plans/*.json"}); }
CONVERGE_BENCHMARK(BM_MatrixMerge)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(converge::bench::smoke() ? 1 : 5);

// The same comment from one job planning all 100 targets itself.
void BM_PlanCommentOneJob(benchmark::State& state) { measure(state, {}); }
CONVERGE_BENCHMARK(BM_PlanCommentOneJob)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(converge::bench::smoke() ? 1 : 5);

// One job of the matrix: `converge-plan --target t000` of the 100-target repository.
void BM_MatrixPlanOneTarget(benchmark::State& state) {
  auto& f = fixture();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  const std::vector<std::string> args = {std::string(CONVERGE_BIN_DIR) + "/converge-plan", "--env", "prod", "--target",
                                         "t000", "--out", "plans/plan-t000.json"};
  for (auto _ : state)
    if (run(args, f.repo, {"GITHUB_ACTIONS=false"}) != 0) {
      state.SkipWithError("converge-plan --target failed");
      return;
    }
}
CONVERGE_BENCHMARK(BM_MatrixPlanOneTarget)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(converge::bench::smoke() ? 1 : 5);

}  // namespace
