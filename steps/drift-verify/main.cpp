// converge-drift-verify: flags → run_drift_verify → exit code.
#include "converge/steps/steps.hpp"

int main(int argc, char** argv) {
  namespace s = converge::steps;
  cxxopts::Options cli("converge-drift-verify", "Check that the runtime equals Git; with --apply, reconcile it.");
  s::add_common_flags(cli);
  s::add_trusted_ref_flag(cli);
  cli.add_options()
    ("apply", "reconcile drift (Git wins), then verify again")
    ("issue", "keep one open GitHub issue per environment while drift remains; close it when drift is gone");
  return s::run_guarded(cli, argc, argv, [](const cxxopts::ParseResult& flags, s::StepIo io) {
    s::DriftOptions o{s::common_options(flags), flags.count("apply") > 0, flags.count("issue") > 0};
    o.common.trusted_ref = s::trusted_ref(flags);
    o.common.deploys = o.apply;
    return s::run_drift_verify(o, io);
  });
}
