// converge plan: compile, read actual state, plan, report (the findings too).
#include "converge/steps/findings_report.hpp"
#include "converge/steps/steps.hpp"

namespace converge::steps {

int run_plan(const PlanOptions& options, StepIo io) {
  auto session = open_session(options.common, io);
  if (!session) return report_error(session.error(), io);
  if (options.write_snapshot) {
    auto written = write_snapshots(*session);
    if (!written) return report_error(written.error(), io);
    for (const auto& file : *written) io.console.info("Wrote " + file + ": review and commit it.");
  }
  auto plan = plan_environment(*session, /*preview=*/true);
  if (!plan) return report_error(plan.error(), io);
  if (auto written = report_plan(*plan, options.out, io); !written) return report_error(written.error(), io);
  if (auto written = report_findings(*plan, options.sarif, io); !written) return report_error(written.error(), io);
  if (plan->has_errors()) {
    io.console.error(Error::refused("the plan for " + plan->environment + " has errors: it cannot be applied"));
    return static_cast<int>(ExitCode::refused);
  }
  return 0;
}

}  // namespace converge::steps
