// converge-plan: flags → run_plan → exit code.
#include "converge/steps/steps.hpp"

int main(int argc, char** argv) {
  namespace s = converge::steps;
  cxxopts::Options cli("converge-plan", "Plan an environment: what apply would change, target by target.");
  s::add_common_flags(cli);
  cli.add_options()("out", "write the plan as JSON to this file (plan.json; - for standard output)",
                    cxxopts::value<std::string>())(
      "sarif", "write the migration lint's findings as SARIF 2.1.0 to this file (for GitHub code scanning)",
      cxxopts::value<std::string>())(
      "write-snapshot", "first rewrite each sql target's schema snapshot from all its migrations, replayed on a "
                        "scratch database (\"true\")");
  return s::run_guarded(cli, argc, argv, [](const cxxopts::ParseResult& flags, s::StepIo io) {
    s::PlanOptions o{s::common_options(flags), {}, {}};
    if (flags.count("out")) o.out = flags["out"].as<std::string>();
    if (flags.count("sarif")) o.sarif = flags["sarif"].as<std::string>();
    o.write_snapshot = flags.count("write-snapshot") > 0;
    return s::run_plan(o, io);
  });
}
