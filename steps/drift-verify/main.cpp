// converge-drift-verify: flags → run_drift_verify → exit code.
#include "step_mains.hpp"
#include "converge/steps/steps.hpp"

int converge::steps::main_drift_verify(int argc, char** argv) {
  namespace s = converge::steps;
  cxxopts::Options cli("converge-drift-verify", "Check that the runtime equals Git; with --apply, reconcile it.");
  s::add_common_flags(cli);
  s::add_trusted_ref_flag(cli);
  cli.add_options()
    ("apply", "reconcile drift (Git wins), then verify again")
    ("issue", "keep one open GitHub issue per environment while drift remains; close it when drift is gone")
    ("json", "print the drift per target as one JSON document on standard output (the text goes to standard error)");
  return s::run_guarded(cli, argc, argv, [](const cxxopts::ParseResult& flags, s::StepIo io) {
    s::DriftOptions o{s::common_options(flags), flags.count("apply") > 0, flags.count("issue") > 0};
    o.common.trusted_ref = s::trusted_ref(flags);
    o.common.deploys = o.apply;
    o.json = flags.count("json") > 0;
    return s::run_drift_verify(o, io);
  });
}
