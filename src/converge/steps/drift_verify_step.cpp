// converge drift-verify: is the runtime equal to Git? With --apply, make it so
// (Git wins) and verify again; never undo what no change in Git explains. With
// --issue, one GitHub issue per environment tracks drift until it is gone.
#include "converge/github/drift_issue.hpp"
#include "converge/plan/markdown.hpp"
#include "converge/plan/render.hpp"
#include "converge/steps/github_link.hpp"
#include "converge/steps/steps.hpp"

namespace converge::steps {
namespace {

bool clean(const plan::Plan& plan) { return !plan.has_changes() && !plan.has_errors(); }

std::string drift_line(const plan::Plan& plan) {
  return "drift in " + plan.environment + ": " + plan::summary_line(plan::count(plan)) +
         (plan.has_errors() ? ", with errors" : "");
}

constexpr std::string_view kUnexplained =
    "No change in Git explains it: write a migration (or change the sources) that makes it part of Git, or stop "
    "changing the runtime by hand. converge never drops or reverts objects on its own.";

// Opens, updates or closes the environment's drift issue to match `final_plan`.
void track_drift_issue(const plan::Plan& final_plan, const std::string& sha, bool reconciled, StepIo io) {
  auto link = connect_github(io.ctx);
  if (!link) {
    io.console.warning("--issue: no GitHub token or repository, so no drift issue was kept");
    return;
  }
  const std::string run = io.ctx.run_url().empty() ? "" : " by " + io.ctx.run_url();
  if (clean(final_plan)) {
    auto closed = github::resolve_drift(*link->api, final_plan.environment,
                                        std::string(reconciled ? "Reconciled" : "No drift") + " at `" +
                                            sha.substr(0, 12) + "`" + run + ".");
    if (!closed) io.console.warning("could not close the drift issue: " + closed.error().message);
    else if (*closed) io.console.info("Closed drift issue " + (*closed)->html_url);
    return;
  }
  std::string body = "The runtime of " + plan::md_code(final_plan.environment) + " differs from Git at `" +
                     sha.substr(0, 12) + "`" + run + ".\n\n" + plan::render_markdown(final_plan, 60000) + "\n" +
                     std::string(kUnexplained) + "\n";
  auto issue = github::report_drift(*link->api, final_plan.environment, body);
  if (!issue) {
    io.console.warning("could not update the drift issue: " + issue.error().message);
    return;
  }
  io.console.info("Drift issue: " + issue->html_url);
  io.console.set_output("issue-url", issue->html_url);
}

}  // namespace

int run_drift_verify(const DriftOptions& options, StepIo io) {
  auto session = open_session(options.common, io);
  if (!session) return report_error(session.error(), io);
  auto plan = plan_environment(*session);
  if (!plan) return report_error(plan.error(), io);
  const std::string sha = session->git.sha;
  auto finish = [&](const plan::Plan& final_plan, bool reconciled, int code) {
    io.console.set_output("drift", clean(final_plan) ? "false" : "true");
    if (options.issue) track_drift_issue(final_plan, sha, reconciled, io);
    return code;
  };

  if (clean(*plan)) {
    io.console.info("No drift: " + plan->environment + " equals Git at " + sha.substr(0, 12) + ".");
    io.console.append_summary("No drift: " + plan::md_code(plan->environment) + " equals Git.\n");
    return finish(*plan, false, 0);
  }
  report_plan(*plan, {}, io);
  if (!options.apply) {
    io.console.error(Error::refused(drift_line(*plan)));
    return finish(*plan, false, static_cast<int>(ExitCode::refused));
  }
  if (plan->has_errors()) {
    io.console.error(Error::refused(drift_line(*plan) + "; the plan has errors, so nothing was applied"));
    return finish(*plan, false, static_cast<int>(ExitCode::refused));
  }

  io.console.info("Reconciling " + plan->environment + " (Git wins).");
  auto result = apply_plan(*session, *plan, io);
  if (!result) return report_error(result.error(), io);
  if (auto written = write_result(result_path(*session), *result); !written) return report_error(written.error(), io);
  if (!result->ok()) return finish(*plan, false, static_cast<int>(ExitCode::failure));

  auto after = plan_environment(*session);
  if (!after) return report_error(after.error(), io);
  if (clean(*after)) {
    io.console.info("Drift reconciled: " + plan->environment + " equals Git again.");
    return finish(*after, true, 0);
  }
  io.console.info(plan::render_text(*after));
  io.console.error(Error::refused(drift_line(*after) + " remains after apply. " + std::string(kUnexplained)));
  return finish(*after, false, static_cast<int>(ExitCode::refused));
}

}  // namespace converge::steps
