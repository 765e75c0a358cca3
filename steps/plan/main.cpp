// converge-plan: flags → run_plan → exit code.
#include "step_mains.hpp"
#include "converge/steps/steps.hpp"

int converge::steps::main_plan(int argc, char** argv) {
  namespace s = converge::steps;
  cxxopts::Options cli("converge-plan", "Plan an environment: what apply would change, target by target.");
  s::add_common_flags(cli);
  cli.add_options()("out", "write the plan as JSON to this file (plan.json)" + std::string(s::kDashIsStdout),
                    cxxopts::value<std::string>())(
      "sarif", "write the migration lint's findings as SARIF 2.1.0 to this file (for GitHub code scanning)" +
                   std::string(s::kDashIsStdout),
      cxxopts::value<std::string>())(
      "json", "print the plan as one JSON document on standard output (the text goes to standard error)")(
      "detailed-exitcode", "exit 0 when nothing would change, 2 when something would, 1 on any error")(
      "target", "plan only this target (repeatable, or a comma-separated list): a partial plan, one job of a matrix "
                "that plan-comment --from merges",
      cxxopts::value<std::vector<std::string>>())(
      "write-snapshot", "first rewrite each sql target's schema snapshot from all its migrations, replayed on a "
                        "scratch database (\"true\")");
  return s::run_guarded(cli, argc, argv, [](const cxxopts::ParseResult& flags, s::StepIo io) {
    s::PlanOptions o;
    o.common = s::common_options(flags);
    o.json = flags.count("json") > 0;
    o.detailed_exitcode = flags.count("detailed-exitcode") > 0;
    if (flags.count("out")) o.out = flags["out"].as<std::string>();
    if (flags.count("sarif")) o.sarif = flags["sarif"].as<std::string>();
    o.write_snapshot = flags.count("write-snapshot") > 0;
    if (flags.count("target")) o.targets = flags["target"].as<std::vector<std::string>>();
    return s::run_plan(o, io);
  });
}
