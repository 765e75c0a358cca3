// converge-export-to-pr: flags → run_export_to_pr → exit code.
#include "step_mains.hpp"
#include "converge/steps/steps.hpp"

int converge::steps::main_export_to_pr(int argc, char** argv) {
  namespace s = converge::steps;
  cxxopts::Options cli("converge-export-to-pr",
                       "Bring edits made in a runtime's UI back to Git as one pull request per environment.");
  s::add_common_flags(cli);
  cli.add_options()
    ("target", "the target whose runtime is exported (required)", cxxopts::value<std::string>())
    ("branch", "branch to commit to (default: converge/export/<env>)", cxxopts::value<std::string>())
    ("base", "base branch of the pull request (default: the repository's default branch)", cxxopts::value<std::string>())
    ("author-name", "commit author name", cxxopts::value<std::string>()->default_value("converge"))
    ("author-email", "commit author email", cxxopts::value<std::string>()->default_value("converge@users.noreply.github.com"))
    ("dry-run", "commit locally, push nothing, open no pull request");
  return s::run_guarded(cli, argc, argv, [](const cxxopts::ParseResult& flags, s::StepIo io) {
    s::ExportOptions o;
    o.common = s::common_options(flags);
    if (!flags.count("target")) throw converge::Failure("--target is required (see --help)", converge::ExitCode::usage);
    o.target = flags["target"].as<std::string>();
    if (flags.count("branch")) o.branch = flags["branch"].as<std::string>();
    if (flags.count("base")) o.base = flags["base"].as<std::string>();
    o.author_name = flags["author-name"].as<std::string>();
    o.author_email = flags["author-email"].as<std::string>();
    o.dry_run = flags.count("dry-run") > 0;
    return s::run_export_to_pr(o, io);
  });
}
