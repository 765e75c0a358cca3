// converge-compile: flags → run_compile → exit code.
#include "step_mains.hpp"
#include "converge/steps/steps.hpp"

int converge::steps::main_compile(int argc, char** argv) {
  namespace s = converge::steps;
  cxxopts::Options cli("converge-compile", "Write every target's compiled bundle for an environment.");
  s::add_common_flags(cli);
  cli.add_options()("out", "output directory (default: bundles/<env> beside converge.yaml), or the bundles as one "
                           "JSON document" + std::string(s::kDashIsStdout),
                    cxxopts::value<std::string>());
  return s::run_guarded(cli, argc, argv, [](const cxxopts::ParseResult& flags, s::StepIo io) {
    s::CompileOptions o{s::common_options(flags), {}};
    if (flags.count("out")) o.out = flags["out"].as<std::string>();
    return s::run_compile(o, io);
  });
}
