// plan-comment's re-plan of a merged pull request (see replan_comment.hpp).
#include "converge/steps/replan_comment.hpp"

#include "converge/github/approvals.hpp"
#include "converge/github/plan_record.hpp"
#include "converge/github/replan.hpp"
#include "converge/steps/findings_report.hpp"
#include "converge/steps/trust.hpp"
#include "converge/util/short_sha.hpp"

namespace converge::steps {
namespace {

using util::short_sha;

int refuse(const std::string& why, StepIo io) {
  return report_error(Error::refused(why + "; nothing was posted"), io);
}

}  // namespace

int run_replan_comment(const PlanCommentOptions& options, const github::PullRequest& pr, github::Api& api,
                       StepIo io) {
  const std::string ref = "pull request #" + std::to_string(pr.number);
  if (auto ok = github::validate_pull_request(pr); !ok) return report_error(ok.error(), io);
  if (!pr.merged) return refuse(ref + " is " + pr.state + " and not merged: only a merged pull request is re-planned", io);
  const std::string& merge = pr.merge_commit_sha;
  if (!options.base.empty() && options.base != pr.base_ref)
    return refuse(ref + " was merged into " + pr.base_ref + ", not " + options.base, io);
  if (!options.head_sha.empty() && options.head_sha != merge)
    return refuse(ref + " was merged as " + short_sha(merge) + ", not " + short_sha(options.head_sha), io);

  auto config = config::load(options.common.config);
  if (!config) return report_error(config.error(), io);
  auto trust = load_trust(*config, options.common.trusted_ref, io);
  if (!trust) return report_error(trust.error(), io);
  // Only the trusted rules say where a merge deploys: a re-plan never invents a route.
  const auto* routed = trust->trusted.environment_for_branch(pr.base_ref);
  if (!routed) return refuse(ref + " was merged into " + pr.base_ref + ", from which no environment deploys", io);
  if (!options.common.environment.empty() && options.common.environment != routed->name)
    return refuse(ref + " was merged into " + pr.base_ref + ", which deploys to " + routed->name + ", not " +
                      options.common.environment, io);
  auto common = options.common;
  common.environment = routed->name;

  auto session = open_session(std::move(*config), *trust, common, io);
  if (!session) return report_error(session.error(), io);
  if (session->git.sha != merge)
    return refuse("the checked-out commit is " + short_sha(session->git.sha) + ", not " + short_sha(merge) +
                      ", the merge commit of " + ref + " (check it out: the plan workflow's `sha` input)", io);
  auto plan = plan_environment(*session, PlanFor::preview);
  if (!plan) return report_error(plan.error(), io);
  plan->git_sha = merge;
  if (auto written = report_plan(*plan, options.out, io); !written) return report_error(written.error(), io);
  if (auto written = report_findings(*plan, options.sarif, io); !written) return report_error(written.error(), io);

  const auto body = io.console.redact(github::replan_body(*plan, merge, io.ctx.run_url(), pr.number, io.ctx.actor));
  if (options.dry_run) {
    io.console.info("Preview (no comment posted) of the re-plan comment for " + ref + ":\n" + body);
  } else {
    // A NEW comment every time: an approval given to an earlier plan never carries over.
    auto comment = api.create_comment(pr.number, body);
    if (!comment) return report_error(comment.error(), io);
    io.console.info("Re-plan comment: " + comment->html_url);
    io.console.set_output("comment-url", comment->html_url);
    auto record = github::record_plan(api, *plan, merge, io.ctx.run_url());
    if (!record) return report_error(record.error(), io);
    io.console.info("Plan record: status \"" + record->context + "\" on " + short_sha(merge) +
                    "; a 👍 on the re-plan comment by someone with write access (not " +
                    (io.ctx.actor.empty() ? std::string("the dispatcher") : io.ctx.actor) +
                    ", not the author of " + ref + ") approves it; then re-run the deploy");
  }
  if (plan->has_errors()) {
    io.console.error(Error::refused("the plan for " + routed->name + " has errors: it cannot be applied"));
    return static_cast<int>(ExitCode::refused);
  }
  return 0;
}

}  // namespace converge::steps
