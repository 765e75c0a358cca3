// converge-describe: flags → run_describe → exit code.
#include "step_mains.hpp"
#include "converge/steps/steps.hpp"

int converge::steps::main_describe(int argc, char** argv) {
  namespace s = converge::steps;
  cxxopts::Options cli("converge-describe", "What is each environment running? (from the manifest)");
  s::add_common_flags(cli, false);
  cli.add_options()("history", "list the last N deployments instead", cxxopts::value<int>())
                   ("json", "print one JSON document on standard output (the text goes to standard error)");
  return s::run_guarded(cli, argc, argv, [](const cxxopts::ParseResult& flags, s::StepIo io) {
    s::DescribeOptions o{s::common_options(flags, false), 0, flags.count("json") > 0};
    if (flags.count("history")) o.history = flags["history"].as<int>();
    return s::run_describe(o, io);
  });
}
