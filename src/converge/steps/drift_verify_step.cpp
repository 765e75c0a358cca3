// converge drift-verify: is the runtime equal to Git? With --apply, make it so
// (Git wins) and verify again; never undo what no change in Git explains. With
// --issue, one GitHub issue per environment tracks drift until it is gone.
//
// --apply has no gates of its own (no pull request, no approvals, often no token),
// so it only ever puts the runtime back to what the manifest says the environment
// runs: the checked-out commit must be the recorded one and every target's bundle
// must hash equal to the recorded bundle; anything else is refused, so nothing that
// did not pass apply's gates is applied at 1 AM.
#include <algorithm>

#include "converge/github/drift_issue.hpp"
#include "converge/manifest/store.hpp"
#include "converge/plan/markdown.hpp"
#include "converge/plan/render.hpp"
#include "converge/steps/github_link.hpp"
#include "converge/steps/json_documents.hpp"
#include "converge/steps/manifest_store.hpp"
#include "converge/steps/plan_log.hpp"
#include "converge/steps/steps.hpp"

namespace converge::steps {
namespace {

std::string drift_line(const plan::Plan& plan) {
  return "drift in " + plan.environment + ": " + plan::summary_line(plan::count(plan)) +
         (plan.has_errors() ? ", with errors" : "");
}

constexpr std::string_view kUnexplained =
    "No change in Git explains it: write a migration (or change the sources) that makes it part of Git, or stop "
    "changing the runtime by hand. converge never drops or reverts objects on its own.";

// Opens, updates or closes one drift issue to match `drift` (the plan of its subject's
// targets); the issue's address while drift remains, else "".
std::string track_drift_issue(github::Api& api, const github::DriftSubject& subject, const plan::Plan& drift,
                       const std::string& sha, bool reconciled, StepIo io) {
  const std::string run = io.ctx.run_url().empty() ? "" : " by " + io.ctx.run_url();
  const std::string what = subject.target.empty() ? "drift issue" : "drift issue of target " + subject.target;
  if (drift.clean()) {
    auto closed = github::resolve_drift(
        api, subject, std::string(reconciled ? "Reconciled" : "No drift") + " at `" + sha.substr(0, 12) + "`" + run + ".");
    if (!closed) io.console.warning("could not close the " + what + ": " + closed.error().message);
    else if (*closed) io.console.info("Closed " + what + " " + (*closed)->html_url);
    return "";
  }
  const std::string whose = plan::md_code(drift.environment) +
                            (subject.target.empty() ? "" : " target " + plan::md_code(subject.target));
  std::string body = "The runtime of " + whose + " differs from Git at `" + sha.substr(0, 12) + "`" + run + ".\n\n" +
                     plan::render_markdown(drift, 60000, plan::Medium::issue) + "\n" + std::string(kUnexplained) + "\n";
  // Posted through the API, not the console: redacted here like every output.
  auto issue = github::report_drift(api, subject, io.console.redact(body));
  if (!issue) {
    io.console.warning("could not update the " + what + ": " + issue.error().message);
    return "";
  }
  io.console.info("Drift issue: " + issue->html_url);
  return issue->html_url;
}

// The environment's drift issues to match `final_plan`: one for the targets reported
// together, one for each target reported alone (a Terraform root). Output issue-url:
// the first of them that remains open.
void track_drift_issues(const Session& session, const plan::Plan& final_plan, const std::string& sha, bool reconciled,
                        StepIo io) {
  auto link = connect_github(io.ctx);
  if (!link) {
    io.console.warning("--issue: no GitHub token or repository, so no drift issue was kept");
    return;
  }
  plan::Plan together = final_plan;
  together.targets.clear();
  std::vector<std::pair<github::DriftSubject, plan::Plan>> alone;
  for (std::size_t i = 0; i < final_plan.targets.size(); ++i) {
    const auto& target = final_plan.targets[i];
    if (i < session.targets.size() && session.targets[i].impl->drift_reported_alone()) {
      plan::Plan one = final_plan;
      one.targets = {target};
      alone.emplace_back(github::DriftSubject{final_plan.environment, target.target}, std::move(one));
    } else {
      together.targets.push_back(target);
    }
  }
  std::string first;
  auto track = [&](const github::DriftSubject& subject, const plan::Plan& drift) {
    auto url = track_drift_issue(*link->api, subject, drift, sha, reconciled, io);
    if (first.empty()) first = std::move(url);
  };
  if (!together.targets.empty() || alone.empty()) track({final_plan.environment, ""}, together);
  for (const auto& [subject, drift] : alone) track(subject, drift);
  if (!first.empty()) io.console.set_output("issue-url", first);
}

// Error (refused) unless HEAD and every target's bundle are what the manifest
// recorded as the environment's last successful deploy.
Expected<void> check_restores_recorded_deploy(const Session& session, StepIo io) {
  const auto& env = session.runtime;
  const std::string nothing = "; drift --apply only puts the runtime back to the last deploy recorded in the manifest "
                              "(deploy changes through apply and its gates); nothing was applied";
  auto store = open_manifest(session, io);
  if (!store) return fail(store.error());
  auto rows = (*store)->current(env);
  if (!rows) return fail(rows.error());
  if (rows->empty()) return fail(Error::refused("nothing is recorded as running in " + env + nothing));
  const std::string head = session.git.sha;
  for (const auto& target : session.targets) {
    auto row = std::find_if(rows->begin(), rows->end(), [&](const auto& r) { return r.target == target.name; });
    if (row == rows->end())
      return fail(Error::refused("nothing is recorded as running in " + env + " for target " + target.name + nothing));
    if (head.empty() || row->git_sha != head)
      return fail(Error::refused(env + " runs " + row->git_sha.substr(0, 12) + " (target " + target.name +
                                 ", recorded), but the checkout is " + (head.empty() ? "unknown" : head.substr(0, 12)) +
                                 nothing));
    if (row->bundle_hash != target.bundle.hash)
      return fail(Error::refused("target " + target.name + "'s bundle (" + target.bundle.hash.substr(0, 12) +
                                 ") is not the one recorded for " + env + " at " + row->git_sha.substr(0, 12) + " (" +
                                 row->bundle_hash.substr(0, 12) + ")" + nothing));
  }
  io.console.info("drift --apply: " + env + " runs " + head.substr(0, 12) +
                  " as recorded, with every target's recorded bundle; restoring it.");
  return {};
}

}  // namespace

int run_drift_verify(const DriftOptions& options, StepIo io) {
  auto session = open_session(options.common, io);
  if (!session) return report_error(session.error(), io);
  Expected<std::filesystem::path> result_file = std::filesystem::path();
  if (options.apply) {
    result_file = result_path(session->config.file, session->environment().name, io.ctx);
    if (!result_file) return report_error(result_file.error(), io);
    // Plan under the targets' locks, like apply: never two reconciles (or an apply) at once.
    if (auto locked = lock_targets(*session, io); !locked) return report_error(locked.error(), io);
  }
  auto plan = plan_environment(*session, PlanFor::drift);
  if (!plan) return report_error(plan.error(), io);
  const std::string sha = session->git.sha;
  // --json: the drift document, written once, before any error of a later check.
  auto document = [&](const ApplyResult* result, const plan::Plan* after) {
    if (!options.json) return;
    if (auto written = io.data.write(drift_document(*plan, result, after)); !written) report_error(written.error(), io);
  };
  auto finish = [&](const plan::Plan& final_plan, bool reconciled, int code) {
    io.console.set_output("drift", final_plan.clean() ? "false" : "true");
    if (options.issue) track_drift_issues(*session, final_plan, sha, reconciled, io);
    return code;
  };

  if (plan->clean()) {
    io.console.info("No drift: " + plan->environment + " equals Git at " + sha.substr(0, 12) + ".");
    io.console.append_summary("No drift: " + plan::md_code(plan->environment) + " equals Git.\n");
    document(nullptr, nullptr);
    return finish(*plan, false, 0);
  }
  report_plan(*plan, {}, io);
  if (!options.apply || plan->has_errors()) document(nullptr, nullptr);
  if (!options.apply) {
    io.console.error(Error::refused(drift_line(*plan)));
    return finish(*plan, false, static_cast<int>(ExitCode::refused));
  }
  if (plan->has_errors()) {
    io.console.error(Error::refused(drift_line(*plan) + "; the plan has errors, so nothing was applied"));
    return finish(*plan, false, static_cast<int>(ExitCode::refused));
  }

  // Refused: the drift stays reported (and its issue updated).
  if (auto ok = check_restores_recorded_deploy(*session, io); !ok) {
    document(nullptr, nullptr);
    return finish(*plan, false, report_error(ok.error(), io));
  }

  io.console.info("Reconciling " + plan->environment + " (Git wins).");
  auto result = apply_plan(*session, *plan, io);
  if (!result) return report_error(result.error(), io);
  if (auto written = write_result(*result_file, *result, io.ctx); !written) return report_error(written.error(), io);
  // record-manifest runs only after this: a result was written by this job.
  io.console.set_output("applied", "true");
  if (!result->ok()) {
    document(&*result, nullptr);
    return finish(*plan, false, static_cast<int>(ExitCode::failure));
  }

  auto after = plan_environment(*session, PlanFor::drift);
  if (!after) {
    document(&*result, nullptr);
    return report_error(after.error(), io);
  }
  document(&*result, &*after);
  if (after->clean()) {
    io.console.info("Drift reconciled: " + plan->environment + " equals Git again.");
    return finish(*after, true, 0);
  }
  print_plan(*after, io.console);
  io.console.error(Error::refused(drift_line(*after) + " remains after apply. " + std::string(kUnexplained)));
  return finish(*after, false, static_cast<int>(ExitCode::refused));
}

}  // namespace converge::steps
