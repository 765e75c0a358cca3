// Start-up of the executables as a runner starts them: a whole process, spawn to exit,
// for `--help` of the front and of every step (flag parsing only: what start-up costs
// before any work), and a plan with nothing to do on a tiny repository (one SQLite
// migration, applied). The front, converge, links no converge library; every step is
// converge-steps under its link name (issue 15: < 10 ms for --help, < 5 ms for the
// no-change plan).
#include <sstream>

#include "support.hpp"

namespace converge::bench {
namespace {

namespace fs = std::filesystem;

// "converge" and every step's executable, from the build's step list.
std::vector<std::string> programs() {
  std::vector<std::string> out = {"converge"};
  std::istringstream steps(CONVERGE_STEP_NAMES);
  for (std::string step; std::getline(steps, step, ',');) out.push_back("converge-" + step);
  return out;
}

void BM_StartUpHelp(benchmark::State& state) {
  const std::string program = programs().at(static_cast<std::size_t>(state.range(0)));
  state.SetLabel(program + " --help");
  time_process(state, {{bin(program), "--help"}, {}, {}});
}
CONVERGE_BENCHMARK(BM_StartUpHelp)
    ->Apply([](auto* b) {
      if (smoke()) return void(b->Arg(0)->Arg(1)->Iterations(1));
      std::vector<std::int64_t> all;
      for (std::size_t i = 0; i < programs().size(); ++i) all.push_back(static_cast<std::int64_t>(i));
      sized(b, all, 0);
    })
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();

// A repository whose one migration the dev database already has.
fs::path tiny_repo() {
  const fs::path repo = fresh_dir("tiny");
  write_sql_repo(repo, kDevEnvironment, ".converge/\n");
  commit_all(repo);
  const Ran applied = run({{bin("converge"), "apply", "--env", "dev"}, repo, {}});
  if (applied.exit_code != 0) throw std::runtime_error("the tiny repository's apply failed: " + applied.output);
  return repo;
}

void BM_NoChangePlanTinyRepo(benchmark::State& state) {
  const fs::path repo = tiny_repo();
  state.SetLabel("converge plan, nothing to do");
  time_process(state, {{bin("converge"), "plan", "--env", "dev", "--detailed-exitcode"}, repo, {}});
}
CONVERGE_BENCHMARK(BM_NoChangePlanTinyRepo)
    ->Apply([](auto* b) { sized(b, {1}, 1); })
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();

}  // namespace
}  // namespace converge::bench
