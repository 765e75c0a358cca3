// Start-up of the executables as a runner starts them: a whole process, fork/exec to
// exit, for `--help` (flag parsing only: what start-up costs before any work). The
// front, converge, links no converge library; every step is converge-steps under its
// link name, loading every library the steps link (issue 15: < 10 ms is the target).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <string>
#include <vector>

extern char** environ;

namespace {

constexpr std::array<const char*, 3> kPrograms = {"converge", "converge-plan-comment", "converge-render"};

// Runs `program --help` from the build's steps directory once; false when it failed.
bool run_help(const std::string& path) {
  posix_spawn_file_actions_t io;
  posix_spawn_file_actions_init(&io);
  posix_spawn_file_actions_addopen(&io, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&io, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv{const_cast<char*>(path.c_str()), const_cast<char*>("--help"), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, path.c_str(), &io, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&io);
  if (spawned != 0) return false;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void BM_StartUpHelp(benchmark::State& state) {
  const std::string program = kPrograms.at(static_cast<size_t>(state.range(0)));
  const std::string path = std::string(CONVERGE_BIN_DIR) + "/" + program;
  state.SetLabel(program + " --help");
  for (auto _ : state)
    if (!run_help(path)) {
      state.SkipWithError((path + " --help failed").c_str());
      break;
    }
}
BENCHMARK(BM_StartUpHelp)->DenseRange(0, kPrograms.size() - 1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
