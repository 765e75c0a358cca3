// converge apply: gate, plan, pin, apply, hand the result to record-manifest.
#include "converge/steps/apply_gates.hpp"
#include "converge/steps/github_link.hpp"
#include "converge/steps/json_documents.hpp"
#include "converge/steps/rollback_gate.hpp"
#include "converge/steps/steps.hpp"

namespace converge::steps {

int run_apply(const ApplyOptions& options, StepIo io) {
  auto session = open_session(options.common, io);
  if (!session) return report_error(session.error(), io);
  // Known before anything is applied: an apply whose result cannot be handed over is not started.
  auto path = result_path(session->config.file, session->environment().name, io.ctx);
  if (!path) return report_error(path.error(), io);
  auto link = connect_github(io.ctx);
  GateInput gate{session->environment(),
                 // What is checked out is what gets applied: a rollback's workflow_dispatch
                 // has GITHUB_SHA at the dispatch branch while the tag is checked out.
                 session->git.sha.empty() ? io.ctx.sha : session->git.sha,
                 link ? link->api.get() : nullptr,
                 options.break_glass,
                 options.pinned_plan,
                 options.dry_run};
  GateRecord record;
  auto refuse = [&](const Error& e) {
    if (options.dry_run) io.console.info("Dry run: apply would be refused: " + e.message);
    return report_error(e, io);
  };

  // A rollback has no pull request of its own: a second person approves the run's
  // deployment, and only bundles the environment ran before may come back.
  const std::string github_environment =
      options.github_environment.empty() ? session->environment().name : options.github_environment;
  const bool gated = session->environment().gates.approvals > 0 || session->environment().gates.plan_pinning;
  if (options.rollback) {
    if (!options.pinned_plan.empty()) return refuse(Error::usage("--rollback and --plan cannot be combined"));
    if (auto ok = check_rollback_approval(gate, github_environment, record, io); !ok) return refuse(ok.error());
  } else if (auto ok = check_approval_gate(gate, record, io); !ok) {
    return refuse(ok.error());
  }
  // Plan under the targets' locks: a second apply waits here, then plans what is left.
  if (!options.dry_run)
    if (auto locked = lock_targets(*session, io); !locked) return refuse(locked.error());
  auto plan = plan_environment(*session, PlanFor::apply);
  if (!plan) return report_error(plan.error(), io);
  report_plan(*plan, {}, io);
  if (plan->has_errors()) return refuse(Error::refused("the plan has errors; nothing was applied"));
  if (options.rollback) {
    if (gated)
      if (auto ok = check_rollback_bundles(*session, record, io); !ok) return refuse(ok.error());
  } else {
    if (auto ok = check_plan_pinning(*plan, gate, record, io); !ok) return refuse(ok.error());
    if (auto ok = check_promotion(*session, io, record); !ok) return refuse(ok.error());
  }
  for (const auto& line : record.log) io.console.info(line);
  if (options.dry_run) {
    io.console.info("Dry run: every gate passes; nothing was applied.");
    if (options.json)
      if (auto written = io.data.write(apply_document(*plan, nullptr, record.log)); !written)
        return report_error(written.error(), io);
    return 0;
  }
  if (!plan->has_changes()) io.console.info("Nothing to apply: " + plan->environment + " already equals Git.");

  auto result = apply_plan(*session, *plan, io);
  if (!result) return report_error(result.error(), io);
  if (record.pr) result->pr_number = record.pr->number;
  result->approvers = record.approvers;
  result->break_glass = record.break_glass;
  for (auto& outcome : result->targets)
    if (auto from = record.promoted_from.find(outcome.target); from != record.promoted_from.end())
      outcome.promoted_from = from->second;
  if (auto written = write_result(*path, *result, io.ctx); !written) return report_error(written.error(), io);
  mark_applied(gate, record, result->ok(), io);
  io.console.set_output("status", result->ok() ? "success" : "failure");
  if (options.json)
    if (auto written = io.data.write(apply_document(*plan, &*result, record.log)); !written)
      return report_error(written.error(), io);
  if (!result->ok()) {
    io.console.append_summary("\n**Apply failed**; see the log. Applied changes are recorded by record-manifest.\n");
    return static_cast<int>(ExitCode::failure);
  }
  io.console.info("Applied " + plan->environment + " at " + gate.sha.substr(0, 12) + ".");
  return 0;
}

}  // namespace converge::steps
