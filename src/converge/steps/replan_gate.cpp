// Plan pinning through an approved re-plan (see replan_gate.hpp).
#include "converge/steps/replan_gate.hpp"

#include <algorithm>
#include <set>

#include "converge/github/plan_record.hpp"
#include "converge/github/replan.hpp"
#include "converge/util/join.hpp"
#include "converge/util/short_sha.hpp"

namespace converge::steps {
namespace {

using util::short_sha;

Error refused(const std::string& why) { return Error::refused("plan pinning: " + why + "; nothing was applied"); }

bool among(const std::vector<std::string>& logins, const std::string& login) {
  return std::any_of(logins.begin(), logins.end(), [&](const std::string& l) { return github::same_login(l, login); });
}

// Why `login` can never approve this re-plan; "" when nothing rules them out.
struct Excluded {
  std::vector<std::string> dispatchers, authors, committers;
  std::string converge;  // the identity converge writes as
  std::string why(const std::string& login, std::int64_t pr) const {
    if (github::same_login(login, converge)) return "is converge's own identity";
    if (among(dispatchers, login)) return "dispatched the re-plan, so cannot approve it";
    if (among(authors, login)) return "authored pull request #" + std::to_string(pr);
    if (among(committers, login)) return "authored or committed a commit of pull request #" + std::to_string(pr);
    return "";
  }
};

}  // namespace

Expected<bool> check_replan(const plan::Plan& now, const GateInput& in, GateRecord& record, StepIo io) {
  auto& api = *in.api;
  const auto& pr = *record.pr;
  const auto& env = in.environment;
  auto comment = github::find_replan_comment(api, pr.number, env.name);
  if (!comment) return fail(comment.error());
  if (!*comment) return false;
  const auto marker = github::find_replan_marker((*comment)->body);
  if (marker->sha != in.sha) return false;
  const std::string what = "the re-plan on pull request #" + std::to_string(pr.number) + " (" + (*comment)->html_url + ")";
  const auto hash = plan::hash(now);
  if (marker->plan_hash != hash)
    return fail(refused(what + " shows plan " + marker->plan_hash.substr(0, 12) + ", but the plan now is " +
                        hash.substr(0, 12) + " (the runtime moved again); dispatch the plan workflow again with pr " +
                        std::to_string(pr.number) + " and have the new re-plan approved"));
  // As for the pull request's comment: converge's own status must agree.
  auto status = github::find_plan_record(api, in.sha, env.name);
  if (!status) return fail(status.error());
  if (!*status || (*status)->state != "success" || github::recorded_plan_hash((*status)->description) != hash)
    return fail(refused(what + " is not backed by converge's own \"" + github::plan_status_context(env.name) +
                        "\" status of plan " + hash.substr(0, 12) + " on " + short_sha(in.sha)));
  plan::Plan shown = now;
  shown.git_sha = in.sha;
  const auto redact = [&io](std::string_view text) { return io.console.redact(text); };
  if (!github::shows_replan((*comment)->body, shown, in.sha, (*status)->target_url, redact))
    return fail(refused(what + " does not read as converge wrote it (it was edited), so approvers may have seen "
                               "another plan"));
  // Who dispatched it: the run converge's own status links (a re-run's triggering actor too).
  const auto run_id = github::run_id_of((*status)->target_url);
  if (run_id == 0)
    return fail(refused(what + ": converge's status does not link the run that made it, so who dispatched the "
                               "re-plan is unknown"));
  auto run = api.workflow_run(run_id);
  if (!run) return fail(run.error());
  auto self = api.identity();  // a user token's owner is converge here, never a second person
  if (!self) return fail(self.error());
  Excluded excluded{{run->actor.login, run->triggering_actor.login}, {pr.author.login}, {}, *self};
  if (env.gates.distinct_approver) {
    auto commits = api.pull_commits(pr.number);
    if (!commits) return fail(commits.error());
    for (const auto& c : *commits) {
      excluded.committers.push_back(c.author_login);
      if (c.committer_login != "web-flow") excluded.committers.push_back(c.committer_login);
    }
  }
  auto reactions = api.comment_reactions((*comment)->id);
  if (!reactions) return fail(reactions.error());
  std::vector<github::ReplanVote> votes;
  for (const auto& r : *reactions) {
    github::ReplanVote v{r.user.login, r.user.bot, r.content, "", excluded.why(r.user.login, pr.number)};
    if (v.content == "+1" && !v.login.empty() && !v.bot && v.excluded.empty()) {
      auto permission = api.collaborator_permission(v.login);
      if (!permission) return fail(permission.error());
      v.permission = *permission;
    }
    votes.push_back(std::move(v));
  }
  const int required = std::max(1, env.gates.approvals);
  auto decision = github::evaluate_replan_approvals(votes, required);
  if (!decision.satisfied) return fail(refused(what + ": " + decision.reason));
  record.plan_comment = **comment;
  for (const auto& a : decision.approvers)
    if (!among(record.approvers, a)) record.approvers.push_back(a);
  record.log.push_back("plan pinning: the plan equals the re-plan approved on pull request #" +
                       std::to_string(pr.number) + " (" + util::join(decision.approvers, ", ") + ")");
  return true;
}

}  // namespace converge::steps
