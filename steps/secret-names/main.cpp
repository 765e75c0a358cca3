// converge-secret-names: flags → run_secret_names → exit code.
#include "step_mains.hpp"
#include "converge/steps/steps.hpp"

int converge::steps::main_secret_names(int argc, char** argv) {
  namespace s = converge::steps;
  cxxopts::Options cli("converge-secret-names",
                       "Print the secrets an environment may use, from the trusted converge.yaml.");
  s::add_common_flags(cli);
  s::add_trusted_ref_flag(cli);
  return s::run_guarded(cli, argc, argv, [](const cxxopts::ParseResult& flags, s::StepIo io) {
    s::SecretNamesOptions o{s::common_options(flags)};
    o.common.trusted_ref = s::trusted_ref(flags);
    return s::run_secret_names(o, io);
  });
}
