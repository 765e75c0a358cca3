// converge drift-verify: is the runtime equal to Git? With --apply, make it so
// (Git wins) and verify again; never undo what no change in Git explains.
#include "converge/plan/render.hpp"
#include "converge/steps/steps.hpp"

namespace converge::steps {
namespace {

bool clean(const plan::Plan& plan) { return !plan.has_changes() && !plan.has_errors(); }

std::string drift_line(const plan::Plan& plan) {
  return "drift in " + plan.environment + ": " + plan::summary_line(plan::count(plan)) +
         (plan.has_errors() ? ", with errors" : "");
}

}  // namespace

int run_drift_verify(const DriftOptions& options, StepIo io) {
  auto session = open_session(options.common, io);
  if (!session) return report_error(session.error(), io);
  auto plan = plan_environment(*session);
  if (!plan) return report_error(plan.error(), io);
  io.console.set_output("drift", clean(*plan) ? "false" : "true");
  if (clean(*plan)) {
    io.console.info("No drift: " + plan->environment + " equals Git at " + session->git.sha.substr(0, 12) + ".");
    io.console.append_summary("No drift: `" + plan->environment + "` equals Git.\n");
    return 0;
  }
  report_plan(*plan, {}, io);
  if (!options.apply) {
    io.console.error(Error::refused(drift_line(*plan)));
    return static_cast<int>(ExitCode::refused);
  }
  if (plan->has_errors()) {
    io.console.error(Error::refused(drift_line(*plan) + "; the plan has errors, so nothing was applied"));
    return static_cast<int>(ExitCode::refused);
  }

  io.console.info("Reconciling " + plan->environment + " (Git wins).");
  auto result = apply_plan(*session, *plan, io);
  if (!result) return report_error(result.error(), io);
  if (auto written = write_result(result_path(*session), *result); !written) return report_error(written.error(), io);
  if (!result->ok()) return static_cast<int>(ExitCode::failure);

  auto after = plan_environment(*session);
  if (!after) return report_error(after.error(), io);
  if (clean(*after)) {
    io.console.info("Drift reconciled: " + plan->environment + " equals Git again.");
    io.console.set_output("drift", "false");
    return 0;
  }
  io.console.info(plan::render_text(*after));
  io.console.error(Error::refused(
      drift_line(*after) + " remains after apply. No change in Git explains it: write a migration (or change the "
                           "sources) that makes it part of Git, or stop changing the runtime by hand. converge never "
                           "drops or reverts objects on its own."));
  return static_cast<int>(ExitCode::refused);
}

}  // namespace converge::steps
