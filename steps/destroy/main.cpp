// converge-destroy: flags → run_destroy → exit code.
#include "step_mains.hpp"
#include "converge/steps/steps.hpp"

int converge::steps::main_destroy(int argc, char** argv) {
  namespace s = converge::steps;
  cxxopts::Options cli("converge-destroy",
                       "Delete a feature environment's runtimes of one branch (when its pull request closes).");
  s::add_common_flags(cli);
  cli.add_options()("branch", "the branch whose runtimes are deleted (default: the pull request's head branch, "
                              "else the pushed or checked-out branch)",
                    cxxopts::value<std::string>());
  return s::run_guarded(cli, argc, argv, [](const cxxopts::ParseResult& flags, s::StepIo io) {
    s::DestroyOptions o{s::common_options(flags)};
    if (flags.count("branch")) o.common.branch = flags["branch"].as<std::string>();
    return s::run_destroy(o, io);
  });
}
