// converge-apply: flags → run_apply → exit code.
#include "converge/steps/steps.hpp"

int main(int argc, char** argv) {
  namespace s = converge::steps;
  cxxopts::Options cli("converge-apply", "Apply an environment's plan through its providers.");
  s::add_common_flags(cli);
  cli.add_options()("plan", "apply only if the plan made now equals this reviewed plan.json",
                    cxxopts::value<std::string>());
  return s::run_guarded(cli, argc, argv, [](const cxxopts::ParseResult& flags, s::StepIo io) {
    s::ApplyOptions o{s::common_options(flags), {}};
    if (flags.count("plan")) o.pinned_plan = flags["plan"].as<std::string>();
    return s::run_apply(o, io);
  });
}
