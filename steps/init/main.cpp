// converge-init: flags → run_init → exit code.
#include "step_mains.hpp"
#include "converge/steps/init.hpp"

int converge::steps::main_init(int argc, char** argv) {
  namespace s = converge::steps;
  cxxopts::Options cli("converge-init",
                       "Set up a repository: converge.yaml from its layout, the starter workflows from converge.yaml.");
  cli.add_options()
    ("c,config", "path of converge.yaml in the repository", cxxopts::value<std::string>()->default_value("converge.yaml"))
    ("root", "the repository to set up", cxxopts::value<std::string>()->default_value("."))
    ("force", "rewrite starter workflows that differ from what converge.yaml gives")
    ("apply-settings", "make the repository settings through GitHub's API (a repository admin's token in GITHUB_TOKEN)")
    ("repository", "OWNER/NAME for --apply-settings (default: GITHUB_REPOSITORY)", cxxopts::value<std::string>())
    ("dry-run", "with --apply-settings: say what would change, change nothing")
    ("h,help", "show this help")
    ("version", "print the version and the commit it was built from");
  return s::run_guarded(cli, argc, argv, [](const cxxopts::ParseResult& flags, s::StepIo io) {
    s::InitOptions o;
    o.config = flags["config"].as<std::string>();
    o.root = flags["root"].as<std::string>();
    o.force = flags.count("force") > 0;
    o.apply_settings = flags.count("apply-settings") > 0;
    o.dry_run = flags.count("dry-run") > 0;
    if (flags.count("repository")) o.repository = flags["repository"].as<std::string>();
    return s::run_init(o, io);
  });
}
