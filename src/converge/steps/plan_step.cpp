// converge plan: compile, read actual state, plan, report (the findings too), and
// with --detailed-exitcode say in the exit code whether anything would change.
// With --target, only those targets: a partial plan (plan.hpp), one job of a matrix
// whose plans plan-comment --from merges.
#include "converge/steps/findings_report.hpp"
#include "converge/steps/json_documents.hpp"
#include "converge/steps/steps.hpp"

namespace converge::steps {
namespace {

struct Planned {
  int code = 0;
  bool has_changes = false;
};

Planned plan_and_report(const PlanOptions& options, StepIo io) {
  auto session = open_session(options.common, io);
  if (!session) return {report_error(session.error(), io)};
  const size_t all = session->targets.size();
  if (!options.targets.empty())
    if (auto selected = select_targets(*session, options.targets); !selected) return {report_error(selected.error(), io)};
  if (options.write_snapshot) {
    auto written = write_snapshots(*session);
    if (!written) return {report_error(written.error(), io)};
    for (const auto& file : *written) io.console.info("Wrote " + file + ": review and commit it.");
  }
  auto plan = plan_environment(*session, PlanFor::preview);
  if (!plan) return {report_error(plan.error(), io)};
  plan->partial = session->targets.size() < all;
  if (auto written = report_plan(*plan, options.out, io); !written) return {report_error(written.error(), io)};
  if (auto written = report_findings(*plan, options.sarif, io); !written) return {report_error(written.error(), io)};
  if (options.json)
    if (auto written = io.data.write(plan_document(*plan)); !written) return {report_error(written.error(), io)};
  if (plan->has_errors()) {
    io.console.error(Error::refused("the plan for " + plan->environment + " has errors: it cannot be applied"));
    return {static_cast<int>(ExitCode::refused), plan->has_changes()};
  }
  return {0, plan->has_changes()};
}

}  // namespace

int run_plan(const PlanOptions& options, StepIo io) {
  const auto planned = plan_and_report(options, io);
  if (!options.detailed_exitcode) return planned.code;
  // As terraform's -detailed-exitcode: 2 means changes and nothing else.
  if (planned.code != 0) return kDetailedError;
  return planned.has_changes ? kDetailedChanges : 0;
}

}  // namespace converge::steps
