// converge plan-comment: plan the environment a pull request targets, keep ONE
// sticky comment per PR and environment up to date, and write converge's own
// record of the plan (a commit status on the head SHA) that apply cross-checks.
// Dispatched with --pr for a merged pull request, it re-plans its merge commit
// instead (replan_comment.hpp). With --from it merges a matrix's per-target plans
// instead of planning (plan_merge.hpp); --list-targets gives the matrix its targets.
#include "converge/github/approvals.hpp"
#include "converge/github/plan_comment.hpp"
#include "converge/github/plan_record.hpp"
#include "converge/git/changes.hpp"
#include "converge/plan/markdown.hpp"
#include "converge/plan/render.hpp"
#include "converge/steps/findings_report.hpp"
#include "converge/steps/github_link.hpp"
#include "converge/steps/next_steps.hpp"
#include "converge/steps/plan_merge.hpp"
#include "converge/steps/replan_comment.hpp"
#include "converge/steps/steps.hpp"
#include "converge/steps/trust.hpp"
#include "converge/util/short_sha.hpp"

namespace converge::steps {
namespace {

struct PullFacts {
  std::int64_t number = 0;
  std::string base;
  std::string head_sha;
};

// Flags win; the pull_request (or pull_request_review) event fills the rest (its
// fields were checked when it was read: a positive number, a base, a 40-digit SHA).
Expected<PullFacts> pull_facts(const PlanCommentOptions& o, StepIo io) {
  PullFacts f{o.pr, o.base, o.head_sha};
  if (!f.head_sha.empty() && !github::is_sha(f.head_sha))
    return fail(Error::usage("--head-sha: expected a 40-digit hexadecimal commit SHA, got \"" + f.head_sha + "\""));
  if (const auto& pr = io.ctx.event.pull_request) {
    if (f.number == 0) f.number = pr->number;
    if (f.base.empty()) f.base = pr->base_ref;
    if (f.head_sha.empty()) f.head_sha = pr->head_sha;
  }
  if (f.number <= 0) return fail(Error::usage("no pull request: run on a pull_request event or pass --pr"));
  if (f.base.empty() && o.common.environment.empty())
    return fail(Error::usage("no base branch: run on a pull_request event or pass --base or --env"));
  return f;
}

// The paths the pull request changes, when its base commit is known and in the clone;
// nullopt (every target is planned) otherwise.
std::optional<std::vector<std::string>> changed_in_pull_request(const Session& session, const std::string& head,
                                                                StepIo io) {
  const auto& pr = io.ctx.event.pull_request;
  if (!pr || pr->base_sha.empty() || head.empty()) return std::nullopt;
  auto paths = git::changed_paths(session.config.root, pr->base_sha, head);
  if (!paths) {
    io.console.warning("every target is planned: the files this pull request changes are not known (" +
                       paths.error().message + ")");
    return std::nullopt;
  }
  return std::move(*paths);
}

// The targets a pull request's plan left out, and why: a section after the plan (not
// compared by plan pinning, which re-renders only the plan).
std::string not_planned_section(const std::vector<std::pair<std::string, std::string>>& not_planned) {
  if (not_planned.empty()) return {};
  std::string out = "\n<!-- converge:not-planned -->\n**Not planned in this pull request** (shown above with no "
                    "changes; the deploy plans them, and with plan pinning applies only while they have none):\n";
  for (const auto& [target, why] : not_planned) out += "- " + plan::md_code(target) + ": " + plan::md_text(why) + "\n";
  return out;
}

// --list-targets: the targets this pull request plans (those it leaves out are named
// with why), as the output `targets` (a JSON list, a matrix's) beside `environment`.
int list_targets(const Session& session, StepIo io) {
  auto names = nlohmann::json::array();
  for (const auto& target : session.targets) {
    if (unchanged_in_pull_request(session, target))
      io.console.info("Not planned: " + target.name + " (none of its files changed in this pull request)");
    else
      names.push_back(target.name);
  }
  io.console.info("Targets to plan in " + session.environment().name + ": " + names.dump());
  io.console.set_output("environment", session.environment().name);
  io.console.set_output("targets", names.dump());
  return 0;
}

}  // namespace

int run_plan_comment(const PlanCommentOptions& options, StepIo io) {
  // A `workflow_dispatch` with --pr: a pull request that is no longer open is
  // re-planned at its merge commit, on a new comment (replan_comment.hpp).
  if (!io.ctx.event.pull_request && options.pr > 0) {
    if (auto link = connect_github(io.ctx)) {
      auto pr = link->api->pull_request(options.pr);
      if (!pr) return report_error(pr.error(), io);
      if (pr->state != "open" && (!options.from.empty() || options.list_targets))
        return report_error(Error::usage("--from and --list-targets are for an open pull request's plan; the re-plan "
                                         "of pull request #" + std::to_string(options.pr) + " runs in one job"), io);
      if (pr->state != "open") return run_replan_comment(options, *pr, *link->api, io);
    }
  }
  auto facts = pull_facts(options, io);
  if (!facts) return report_error(facts.error(), io);
  auto config = config::load(options.common.config);
  if (!config) return report_error(config.error(), io);
  auto trust = load_trust(*config, options.common.trusted_ref, io);
  if (!trust) return report_error(trust.error(), io);
  auto common = options.common;
  if (common.environment.empty()) {
    common.environment = environment_for_base(*config, *trust, facts->base);
    if (common.environment.empty()) {
      io.console.info("No environment deploys from " + facts->base + ": nothing to plan.");
      io.console.set_output("has-changes", "false");
      if (options.list_targets) io.console.set_output("targets", "[]");
      return 0;
    }
  }
  const std::string& environment = common.environment;
  const auto gate_changes = gate_change_section(*config, *trust);

  // Listing and merging reach no runtime: the runtimes' ${VAR}s may be unset (the merge
  // job of a matrix gets no secret).
  common.offline = options.list_targets || !options.from.empty();
  auto session = open_session(std::move(*config), *trust, common, io);
  if (!session) return report_error(session.error(), io);
  session->changed_paths = changed_in_pull_request(*session, facts->head_sha, io);
  if (options.list_targets) return list_targets(*session, io);
  auto plan = options.from.empty() ? plan_environment(*session, PlanFor::preview)
                                   : merge_target_plans(*session, options.from);
  if (!plan) return report_error(plan.error(), io);
  for (const auto& [target, why] : session->not_planned) io.console.info("Not planned: " + target + " (" + why + ")");
  const std::string head = facts->head_sha.empty() ? session->git.sha : facts->head_sha;
  if (!github::is_sha(head))  // it goes into the comment's marker and the commit status path
    return report_error(Error::usage("the pull request's head is not a 40-digit commit SHA (\"" + head + "\")"), io);
  plan->git_sha = head;
  if (auto written = report_plan(*plan, options.out, io); !written) return report_error(written.error(), io);
  if (auto written = report_findings(*plan, options.sarif, io); !written) return report_error(written.error(), io);

  // The PR schema diff is a section after the plan, like the gate change: apply's plan
  // pinning re-renders only the plan part (plan/schema_preview.hpp).
  // Last, what merging does and who must approve (next_steps.hpp): also not compared.
  // First, what the runtime was seen doing outside the plan: the merge's plan may see
  // otherwise without changing what it applies (plan.hpp, observations).
  const std::string base = facts->base.empty() ? session->environment().branch : facts->base;
  const auto appendix = plan::observations_section(*plan, github::kCommentLimit / 6) +
                        plan::schema_preview_section(*plan, github::kCommentLimit / 3) +
                        not_planned_section(session->not_planned) + gate_changes +
                        next_steps_section(session->environment(), base, plan::hash(*plan),
                                           !trust->trusted.find_environment(environment));
  const auto body = io.console.redact(
      github::comment_body(*plan, head, io.ctx.run_url(), github::kCommentLimit - appendix.size()) + appendix);
  auto link = options.dry_run ? nullptr : connect_github(io.ctx);
  if (!link) {
    io.console.info("Preview (no comment posted" + std::string(options.dry_run ? "" : ": no token or repository") +
                    ") of the comment for pull request #" + std::to_string(facts->number) + ":\n" + body);
  } else {
    // Where the comment was: converge's record on the previous head (a push's
    // synchronize event names it) or on this head (a re-run); only a hint.
    const std::string& before = io.ctx.event.before;
    const auto hint = github::remembered_comment(
        *link->api, github::is_sha(before) && before != std::string(40, '0') ? before : head, environment);
    auto kept = github::upsert_plan_comment(*link->api, facts->number, environment, body, hint);
    if (!kept) return report_error(kept.error(), io);
    const auto& comment = kept->comment;
    io.console.info("Plan comment: " + comment.html_url);
    io.console.set_output("comment-url", comment.html_url);
    auto record = github::record_plan(*link->api, *plan, head, io.ctx.run_url(), kept->place);
    if (!record) return report_error(record.error(), io);
    io.console.info("Plan record: status \"" + record->context + "\" on " + util::short_sha(head));
  }
  if (plan->has_errors()) {
    io.console.error(Error::refused("the plan for " + environment + " has errors: it cannot be applied"));
    return static_cast<int>(ExitCode::refused);
  }
  return 0;
}

}  // namespace converge::steps
