// converge-plan-comment: flags → run_plan_comment → exit code.
#include "step_mains.hpp"
#include "converge/steps/steps.hpp"

int converge::steps::main_plan_comment(int argc, char** argv) {
  namespace s = converge::steps;
  cxxopts::Options cli("converge-plan-comment",
                       "Plan the environment a pull request targets and keep one sticky plan comment on it.");
  s::add_common_flags(cli, false);
  s::add_trusted_ref_flag(cli);
  cli.add_options()
    ("pr", "pull request number (default: from the pull_request event)", cxxopts::value<std::int64_t>())
    ("base", "base branch (default: from the event); picks the environment", cxxopts::value<std::string>())
    ("head-sha", "the PR's head commit (default: from the event, else HEAD)", cxxopts::value<std::string>())
    ("out", "write the plan as JSON to this file" + std::string(s::kDashIsStdout),
     cxxopts::value<std::string>()->default_value("plan.json"))
    ("sarif", "write the migration lint's findings as SARIF 2.1.0 to this file (for GitHub code scanning)" +
                  std::string(s::kDashIsStdout),
     cxxopts::value<std::string>())
    ("dry-run", "print the comment instead of posting it")
    ("from", "merge these per-target plan files of a matrix (plan --target T --out plan-T.json; a glob or a path, "
             "repeatable or comma-separated) instead of planning",
     cxxopts::value<std::vector<std::string>>())
    ("list-targets", "only list the targets this pull request plans (output targets, a JSON list for a matrix); "
                     "plan and post nothing");
  return s::run_guarded(cli, argc, argv, [](const cxxopts::ParseResult& flags, s::StepIo io) {
    s::PlanCommentOptions o;
    o.common = s::common_options(flags, false);
    o.common.trusted_ref = s::trusted_ref(flags);
    if (flags.count("pr")) o.pr = flags["pr"].as<std::int64_t>();
    if (flags.count("base")) o.base = flags["base"].as<std::string>();
    if (flags.count("head-sha")) o.head_sha = flags["head-sha"].as<std::string>();
    o.out = flags["out"].as<std::string>();
    if (flags.count("sarif")) o.sarif = flags["sarif"].as<std::string>();
    o.dry_run = flags.count("dry-run") > 0;
    if (flags.count("from")) o.from = flags["from"].as<std::vector<std::string>>();
    o.list_targets = flags.count("list-targets") > 0;
    return s::run_plan_comment(o, io);
  });
}
