// The gates of a rollback (see rollback_gate.hpp).
#include "converge/steps/rollback_gate.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>

#include "converge/manifest/store.hpp"
#include "converge/steps/manifest_store.hpp"
#include "converge/util/join.hpp"

namespace converge::steps {
namespace {

std::string join(const std::vector<std::string>& items) { return util::join(items, ", "); }

// GITHUB_RUN_ID as a number; 0 when absent or malformed.
std::int64_t run_number(std::string_view text) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return 0;
  return id;
}

}  // namespace

github::ApprovalDecision evaluate_rollback_approvals(const std::vector<DeploymentReview>& reviews,
                                                     const std::vector<std::string>& dispatchers,
                                                     std::string_view github_environment, int required) {
  github::ApprovalDecision d;
  std::map<std::string, const DeploymentReview*> latest;  // reviews arrive oldest first
  for (const auto& r : reviews) {
    if (r.login.empty()) continue;
    if (std::find(r.environments.begin(), r.environments.end(), github_environment) == r.environments.end()) continue;
    if (r.state == "pending") continue;
    latest[r.login] = &r;
  }
  for (const auto& [login, review] : latest) {
    std::string why;
    if (review->state != "approved") why = "latest review is " + review->state;
    else if (review->bot) why = "bots do not count";
    else if (std::find(dispatchers.begin(), dispatchers.end(), login) != dispatchers.end())
      why = "dispatched the rollback, so cannot approve it";
    if (why.empty()) d.approvers.push_back(login);
    else d.ignored.push_back(login + ": " + why);
  }
  std::sort(d.approvers.begin(), d.approvers.end());
  const int have = static_cast<int>(d.approvers.size());
  d.satisfied = have >= required;
  d.reason = "the rollback's deployment to the GitHub environment " + std::string(github_environment) + " has " +
             std::to_string(have) + " qualifying approval" + (have == 1 ? "" : "s") + ", " + std::to_string(required) +
             " required (a second person approves the run in the environment's required reviewers)";
  if (!d.satisfied && !d.ignored.empty()) d.reason += " (not counted: " + join(d.ignored) + ")";
  return d;
}

Expected<void> check_rollback_approval(const GateInput& in, std::string_view github_environment, GateRecord& record,
                                       StepIo io) {
  const auto& env = in.environment;
  const int required = env.gates.approvals;
  if (required == 0) {
    record.log.push_back("rollback approval: none required for " + env.name);
    return {};
  }
  auto skip = [&](const std::string& why) -> Expected<void> {
    if (in.break_glass.empty()) return fail(Error::refused("rollback of " + env.name + ": " + why + "; nothing was applied"));
    io.console.warning("rollback approval would refuse: " + why);
    skip_approval_for_break_glass(in, record, io);
    return {};
  };
  if (!in.api) return skip("the approval of a second person cannot be verified without a GitHub token");
  const std::int64_t run_id = run_number(io.ctx.run_id);
  if (run_id == 0) return skip("no workflow run (GITHUB_RUN_ID) whose deployment approval could be read");

  auto run = in.api->workflow_run(run_id);
  if (!run) return fail(run.error());
  std::vector<std::string> dispatchers{run->actor.login, run->triggering_actor.login};
  if (!io.ctx.actor.empty()) dispatchers.push_back(io.ctx.actor);
  auto approvals = in.api->deployment_approvals(run_id);
  if (!approvals) return fail(approvals.error());
  std::vector<DeploymentReview> reviews;
  for (const auto& a : *approvals) reviews.push_back({a.user.login, a.user.bot, a.state, a.environments});
  auto decision = evaluate_rollback_approvals(reviews, dispatchers, github_environment, required);
  if (!decision.satisfied) return skip(decision.reason);
  record.approvers = decision.approvers;
  record.log.push_back("rollback approval: passed (" + join(decision.approvers) + " approved the deployment to " +
                       std::string(github_environment) + ")");
  return {};
}

Expected<void> check_rollback_bundles(const Session& session, GateRecord& record, StepIo io) {
  const auto& env = session.environment();
  auto store = open_manifest(session, io);
  if (!store) return fail(store.error());
  auto rows = (*store)->history(env.name, std::numeric_limits<int>::max());
  if (!rows) return fail(rows.error());
  for (const auto& target : session.targets) {
    auto ran = std::find_if(rows->begin(), rows->end(), [&](const manifest::Deployment& d) {
      return d.target == target.name && d.status == "success" && d.bundle_hash == target.bundle.hash;
    });
    if (ran == rows->end())
      return fail(Error::refused("rollback: target " + target.name + " would get bundle " +
                                 target.bundle.hash.substr(0, 12) + ", which " + env.name +
                                 " never ran (the manifest has no successful deployment of it); a rollback only "
                                 "brings back what passed the gates before, so nothing was applied"));
    record.log.push_back("rollback pinning: " + target.name + " bundle " + target.bundle.hash.substr(0, 12) + " ran in " +
                         env.name + " at " + ran->git_sha.substr(0, 12) +
                         (ran->git_tag.empty() ? "" : " (" + ran->git_tag + ")") + " on " + ran->deployed_at);
  }
  return {};
}

}  // namespace converge::steps
