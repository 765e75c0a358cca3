// converge apply: plan, refuse what must not be applied, apply, hand the result to
// record-manifest.
#include "converge/plan/render.hpp"
#include "converge/steps/steps.hpp"
#include "converge/util/fs.hpp"
#include "converge/util/text_diff.hpp"

namespace converge::steps {
namespace {

// Plan pinning: the plan made now must be the plan that was reviewed. On a
// mismatch the difference is printed, and the error stays one line.
Expected<void> check_pinned(const plan::Plan& now, const std::filesystem::path& pinned_file, StepIo io) {
  auto text = util::read_file(pinned_file);
  if (!text) return fail(Error::usage(text.error().message));
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::parse_error& e) {
    return fail(Error::usage(pinned_file.string() + ": not valid JSON: " + e.what()));
  }
  auto reviewed = plan::from_json(json, pinned_file.string());
  if (!reviewed) return fail(reviewed.error());
  if (plan::hash(*reviewed) == plan::hash(now)) return {};
  io.console.info("What changed since the plan was reviewed:\n" +
                  util::unified_diff(plan::render_text(*reviewed), plan::render_text(now), "reviewed plan", "plan now"));
  return fail(Error::refused("the plan changed since it was reviewed (reviewed " + plan::hash(*reviewed).substr(0, 12) +
                             ", now " + plan::hash(now).substr(0, 12) + "); nothing was applied"));
}

// Approvals are facts of a pull request; without them a gated environment is
// never applied (the GitHub-aware gate replaces this refusal, not the rule).
Expected<void> check_approval_gate(const config::Environment& env) {
  if (env.gates.approvals == 0) return {};
  return fail(Error::refused("environment " + env.name + " requires " + std::to_string(env.gates.approvals) +
                             " approval(s) of its pull request, which cannot be verified here; nothing was applied"));
}

}  // namespace

int run_apply(const ApplyOptions& options, StepIo io) {
  auto session = open_session(options.common, io);
  if (!session) return report_error(session.error(), io);
  if (auto gate = check_approval_gate(session->environment()); !gate) return report_error(gate.error(), io);
  auto plan = plan_environment(*session);
  if (!plan) return report_error(plan.error(), io);
  report_plan(*plan, {}, io);
  if (plan->has_errors())
    return report_error(Error::refused("the plan has errors; nothing was applied"), io);
  if (!options.pinned_plan.empty()) {
    if (auto pinned = check_pinned(*plan, options.pinned_plan, io); !pinned) return report_error(pinned.error(), io);
    io.console.info("Plan pinning: the plan equals the reviewed plan " + plan::hash(*plan).substr(0, 12) + ".");
  }
  if (!plan->has_changes()) io.console.info("Nothing to apply: " + plan->environment + " already equals Git.");

  auto result = apply_plan(*session, *plan, io);
  if (!result) return report_error(result.error(), io);
  if (auto written = write_result(result_path(*session), *result); !written) return report_error(written.error(), io);
  io.console.set_output("status", result->ok() ? "success" : "failure");
  if (!result->ok()) {
    io.console.append_summary("\n**Apply failed**; see the log. Applied changes are recorded by record-manifest.\n");
    return static_cast<int>(ExitCode::failure);
  }
  io.console.info("Applied " + plan->environment + " at " + session->git.sha.substr(0, 12) + ".");
  return 0;
}

}  // namespace converge::steps
