// converge-check-workflows: flags → run_check_workflows → exit code.
#include "step_mains.hpp"
#include "converge/steps/init.hpp"

int converge::steps::main_check_workflows(int argc, char** argv) {
  namespace s = converge::steps;
  cxxopts::Options cli("converge-check-workflows",
                       "Check that the starter workflows in .github/workflows/ say what converge.yaml says.");
  cli.add_options()
    ("c,config", "path of converge.yaml in the repository", cxxopts::value<std::string>()->default_value("converge.yaml"))
    ("root", "the repository to check", cxxopts::value<std::string>()->default_value("."))
    ("h,help", "show this help")
    ("version", "print the version and the commit it was built from");
  return s::run_guarded(cli, argc, argv, [](const cxxopts::ParseResult& flags, s::StepIo io) {
    s::CheckWorkflowsOptions o;
    o.config = flags["config"].as<std::string>();
    o.root = flags["root"].as<std::string>();
    return s::run_check_workflows(o, io);
  });
}
