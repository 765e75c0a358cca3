// converge-apply: flags → run_apply → exit code.
#include "step_mains.hpp"
#include "converge/steps/steps.hpp"

int converge::steps::main_apply(int argc, char** argv) {
  namespace s = converge::steps;
  cxxopts::Options cli("converge-apply", "Apply an environment's plan through its providers.");
  s::add_common_flags(cli);
  s::add_trusted_ref_flag(cli);
  cli.add_options()
    ("plan", "apply only if the plan made now equals this reviewed plan.json", cxxopts::value<std::string>())
    ("break-glass", "skip the approval gate (only), loudly, for this recorded reason", cxxopts::value<std::string>())
    ("dry-run", "show which gates pass or fail and why; apply nothing")
    ("rollback", "re-apply an older tag or commit: only bundles the environment ran before, approved by a second "
                 "person through the GitHub environment's required reviewers (or break glass)")
    ("github-environment", "with --rollback: the GitHub environment whose deployment approval counts (default --env)",
     cxxopts::value<std::string>())
    ("json", "print what was applied as one JSON document on standard output (the text goes to standard error)");
  return s::run_guarded(cli, argc, argv, [](const cxxopts::ParseResult& flags, s::StepIo io) {
    s::ApplyOptions o{s::common_options(flags), {}, {}, flags.count("dry-run") > 0, false, {}};
    o.common.trusted_ref = s::trusted_ref(flags);
    o.common.deploys = true;
    o.rollback = flags.count("rollback") > 0;
    o.json = flags.count("json") > 0;
    if (flags.count("github-environment")) o.github_environment = flags["github-environment"].as<std::string>();
    if (flags.count("plan")) o.pinned_plan = flags["plan"].as<std::string>();
    if (flags.count("break-glass")) {
      o.break_glass = flags["break-glass"].as<std::string>();
      if (o.break_glass.find_first_not_of(" \t") == std::string::npos)
        throw converge::Failure("--break-glass needs a reason", converge::ExitCode::usage);
    }
    return s::run_apply(o, io);
  });
}
