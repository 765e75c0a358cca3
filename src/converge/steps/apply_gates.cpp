// The approval gate and plan pinning (see apply_gates.hpp).
#include "converge/steps/apply_gates.hpp"

#include <algorithm>

#include "converge/github/approvals.hpp"
#include "converge/manifest/store.hpp"
#include "converge/steps/manifest_store.hpp"
#include "converge/github/plan_comment.hpp"
#include "converge/github/plan_record.hpp"
#include "converge/plan/render.hpp"
#include "converge/steps/replan_gate.hpp"
#include "converge/util/fs.hpp"
#include "converge/util/text_diff.hpp"
#include "converge/util/short_sha.hpp"

namespace converge::steps {
namespace {

using util::short_sha;

// The merged pull request whose merge commit is `sha`; nullopt when no pull request
// names `sha` as its merge commit. A pull request that names it but was not merged
// by GitHub (closed, or open: its test merge pushed directly) is refused, as is one
// whose facts are missing or malformed.
Expected<std::optional<github::PullRequest>> merged_pull_request(github::Api& api, const std::string& sha) {
  auto pulls = api.pulls_for_commit(sha);
  if (!pulls) return fail(pulls.error());
  std::optional<Error> unmerged;
  for (const auto& p : *pulls) {
    if (p.merge_commit_sha != sha) continue;
    auto full = api.pull_request(p.number);  // the list form lacks `merged` and the commit count
    if (!full) return fail(full.error());
    if (auto ok = github::validate_pull_request(*full); !ok) return fail(ok.error());
    const std::string ref = "pull request #" + std::to_string(full->number);
    if (!full->merged) {
      unmerged = Error::refused(ref + " names " + short_sha(sha) + " as its merge commit but was not merged (state " +
                                full->state + "), so " + short_sha(sha) + " was pushed without one; nothing was applied");
      continue;
    }
    if (full->merge_commit_sha != sha) {
      unmerged = Error::refused(ref + " was merged as " + short_sha(full->merge_commit_sha) + ", not as " +
                                short_sha(sha) + "; nothing was applied");
      continue;
    }
    return std::optional<github::PullRequest>(*full);
  }
  if (unmerged) return fail(*unmerged);
  return std::optional<github::PullRequest>();
}

// Warns when GitHub does not itself require that the last push be approved by
// someone other than its pusher (GitHub knows the pusher; converge only sees git
// identities). Not a refusal: the ruleset may live where the token cannot read it.
void warn_without_last_push_approval(github::Api& api, const std::string& branch, StepIo io) {
  auto rules = api.branch_rules(branch);
  if (!rules) {
    io.console.warning("could not read the rules of branch " + branch + " (" + rules.error().message +
                       "); converge cannot tell whether GitHub requires approval of the most recent reviewable push");
    return;
  }
  if (!github::last_push_approval_required(*rules))
    io.console.warning("no ruleset of branch " + branch +
                       " sets require_last_push_approval (\"Require approval of the most recent reviewable push\"): "
                       "GitHub knows who pushed, converge only sees git identities; turn it on in a ruleset");
}

Expected<void> check_plan_file(const plan::Plan& now, const std::filesystem::path& file, StepIo io) {
  auto text = util::read_file(file);
  if (!text) return fail(Error::usage(text.error().message));
  auto reviewed = plan::parse_plan_json(*text, file.string());
  if (!reviewed) return fail(reviewed.error());
  if (reviewed->partial)
    return fail(Error::usage(file.string() + ": a plan of some targets only (plan --target), not of environment " +
                             now.environment + ": apply takes the whole environment's plan (plan-comment --from "
                             "merges a matrix's plans into it); nothing was applied"));
  if (plan::hash(*reviewed) == plan::hash(now)) return {};
  io.console.info("What changed since the plan was reviewed:\n" +
                  util::unified_diff(plan::render_text(*reviewed), plan::render_text(now), "reviewed plan", "plan now"));
  return fail(Error::refused("the plan changed since it was reviewed (reviewed " + plan::hash(*reviewed).substr(0, 12) +
                             ", now " + plan::hash(now).substr(0, 12) + "); nothing was applied"));
}

void set_comment_status(const GateInput& in, GateRecord& record, const std::string& status, StepIo io) {
  if (in.dry_run || !in.api || !record.plan_comment) return;
  auto updated = in.api->update_comment(record.plan_comment->id, github::with_status(record.plan_comment->body, status));
  if (!updated) io.console.warning("could not update the plan comment: " + updated.error().message);
  else record.plan_comment = *updated;
}

}  // namespace

Expected<void> check_approval_gate(const GateInput& in, GateRecord& record, StepIo io) {
  const auto& env = in.environment;
  const auto& gates = env.gates;
  // A --plan file only narrows what is applied: on a gated environment it never
  // stands in for the pull request, its approvals or converge's plan record.
  const bool gated = gates.approvals > 0 || gates.plan_pinning;
  if (!gated) {
    record.log.push_back("approval gate: none required for " + env.name);
    return {};
  }
  if (!in.api) {
    if (gates.approvals > 0 && in.break_glass.empty())
      return fail(Error::refused("environment " + env.name + " requires " + std::to_string(gates.approvals) +
                                 " approval(s) of its pull request, which cannot be verified without a GitHub token; "
                                 "nothing was applied"));
    if (gates.plan_pinning)
      return fail(Error::refused("environment " + env.name +
                                 " pins plans to the plan reviewed on its pull request, which cannot be verified "
                                 "without a GitHub token (a --plan file alone is not a review); nothing was applied"));
  } else {
    if (!github::is_sha(in.sha))
      return fail(Error::refused("the commit being applied is not known (\"" + in.sha + "\"); nothing was applied"));
    auto pr = merged_pull_request(*in.api, in.sha);
    if (!pr) return fail(pr.error());
    if (!*pr)
      return fail(Error::refused(short_sha(in.sha) + " reached " + env.name +
                                 " without a pull request (a direct push); " + env.name +
                                 " is gated, so nothing was applied"));
    record.pr = **pr;
    record.log.push_back("pull request: #" + std::to_string(record.pr->number) + " merged as " + short_sha(in.sha));
  }
  if (gates.approvals == 0) return {};
  if (record.pr) {
    warn_without_last_push_approval(*in.api, record.pr->base_ref, io);
    auto reviews = in.api->reviews(record.pr->number);
    if (!reviews) return fail(reviews.error());
    auto commits = in.api->pull_commits(record.pr->number);
    if (!commits) return fail(commits.error());
    auto decision = github::evaluate_approvals(*record.pr, *reviews, *commits, gates);
    if (decision && decision->satisfied) {
      record.approvers = decision->approvers;
      std::string who;
      for (const auto& a : decision->approvers) who += (who.empty() ? "" : ", ") + a;
      record.log.push_back("approval gate: passed (" + who + ")");
      return {};
    }
    const std::string why = decision ? "approval gate: " + decision->reason : decision.error().message;
    if (in.break_glass.empty()) return fail(decision ? Error::refused(why + "; nothing was applied") : decision.error());
    io.console.warning("approval gate would refuse: " + why);
  }
  skip_approval_for_break_glass(in, record, io);
  return {};
}

void skip_approval_for_break_glass(const GateInput& in, GateRecord& record, StepIo io) {
  record.break_glass = in.break_glass;
  io.console.warning("BREAK GLASS: the approval gate of " + in.environment.name + " is skipped: " + in.break_glass +
                     ". This is recorded in the manifest.");
  record.log.push_back("approval gate: SKIPPED (break glass: " + in.break_glass + ")");
}

namespace {

// What to do when the reviewed plan no longer fits: the runtime or the branch moved
// after the review (another merge deployed first, a hand change), so a new review
// is the only way forward: a re-plan of this merge commit (replan_gate.hpp), or a
// new pull request.
std::string replan_advice(const GateInput& in, const github::PullRequest& pr) {
  const std::string n = std::to_string(pr.number);
  return "The runtime or " + in.environment.branch + " moved after the review (did another merge deploy first?). "
         "To deploy this merge, re-plan it: dispatch the plan workflow with pr " + n + ", environment " +
         in.environment.name + " and sha " + in.sha + " (gh workflow run converge-pr.yml -f pr=" + n +
         " -f environment=" + in.environment.name + " -f sha=" + in.sha +
         "), have someone with write access other than the dispatcher and the pull request's author approve the new "
         "comment with a thumbs-up, then re-run this deploy; or open a new pull request to " + in.environment.branch +
         ". \"Require branches to be up to date before merging\" keeps every merge planned on top of the last "
         "(docs/adopt.md)";
}

}  // namespace

namespace {

// Plan pinning to the plan comment of the merged pull request (see apply_gates.hpp).
Expected<void> check_pr_plan(const plan::Plan& now, const GateInput& in, GateRecord& record, StepIo io) {
  auto self = in.api->identity();
  if (!self) return fail(self.error());
  const auto& head = record.pr->head_sha;
  const std::string pr_ref = "pull request #" + std::to_string(record.pr->number);
  // converge's own record on the head, checked below; where it says the comment was
  // spares listing every comment of a long pull request (find_plan_comment checks it).
  auto status = github::find_plan_record(*in.api, head, in.environment.name);
  std::optional<github::CommentPlace> place;
  if (status && *status) place = github::recorded_comment((*status)->description);
  auto comment = github::find_plan_comment(*in.api, record.pr->number, in.environment.name, place);
  if (!comment) return fail(comment.error());
  if (!*comment)
    return fail(Error::refused("plan pinning: " + pr_ref + " has no plan comment for " + in.environment.name +
                               " written by " + *self + ", so no plan was reviewed; nothing was applied"));
  record.plan_comment = **comment;
  auto marker = github::find_marker(record.plan_comment->body);
  if (marker->sha != head) {
    set_comment_status(in, record, "not applied: the plan comment is for " + short_sha(marker->sha) +
                                       ", not the head commit " + short_sha(head), io);
    return fail(Error::refused("plan pinning: the plan comment on " + pr_ref + " was made at " + short_sha(marker->sha) +
                               ", but the reviewed head is " + short_sha(head) +
                               "; the last push was never planned, so nothing was applied. " + replan_advice(in, *record.pr)));
  }
  const auto hash = plan::hash(now);
  if (marker->plan_hash != hash) {
    set_comment_status(in, record, "not applied: the plan changed since it was approved (approved " +
                                       marker->plan_hash.substr(0, 12) + ", now " + hash.substr(0, 12) + ")" +
                                       (io.ctx.run_url().empty() ? "" : " — " + io.ctx.run_url()),
                       io);
    return fail(Error::refused("plan pinning: the plan changed since it was approved on " + pr_ref + " (approved " +
                               marker->plan_hash.substr(0, 12) + ", now " + hash.substr(0, 12) +
                               "); nothing was applied. " + replan_advice(in, *record.pr)));
  }
  // The comment alone is never the root of trust: converge's own status must agree.
  if (!status) return fail(status.error());
  const std::string context = github::plan_status_context(in.environment.name);
  if (!*status)
    return fail(Error::refused("plan pinning: the head " + short_sha(head) + " of " + pr_ref + " has no \"" + context +
                               "\" status written by " + *self + ", so the plan comment is not backed by converge's "
                               "own record; nothing was applied"));
  const auto recorded = github::recorded_plan_hash((*status)->description);
  if ((*status)->state != "success" || recorded != hash)
    return fail(Error::refused("plan pinning: converge's own \"" + context + "\" status on " + short_sha(head) +
                               " records plan " + (recorded.empty() ? "(none)" : recorded.substr(0, 12)) + " (" +
                               (*status)->state + "), not the plan now " + hash.substr(0, 12) +
                               "; nothing was applied"));
  plan::Plan shown = now;
  shown.git_sha = head;  // plan-comment renders the plan at the PR head
  // plan-comment posted the body redacted: so is the one it is compared with.
  const auto redact = [&io](std::string_view text) { return io.console.redact(text); };
  if (!github::shows_plan(record.plan_comment->body, shown, head, (*status)->target_url, redact))
    return fail(Error::refused("plan pinning: the plan comment on " + pr_ref +
                               " does not read as converge wrote it (it was edited), so reviewers may have seen "
                               "another plan; nothing was applied"));
  record.log.push_back("plan pinning: the plan equals the one approved on " + pr_ref);
  return {};
}

}  // namespace

Expected<void> check_plan_pinning(const plan::Plan& now, const GateInput& in, GateRecord& record, StepIo io) {
  if (!in.pinned_plan.empty()) {
    if (auto ok = check_plan_file(now, in.pinned_plan, io); !ok) return ok;
    record.log.push_back("plan pinning: the plan equals the reviewed plan " + plan::hash(now).substr(0, 12));
  }
  if (!in.environment.gates.plan_pinning) return {};
  // A plan without changes applies nothing, so there is nothing to pin: a re-run of
  // a deploy, or a redeploy of the running commit (rollback to it), passes.
  if (!now.has_changes() && !now.has_errors()) {
    record.log.push_back("plan pinning: nothing to apply, nothing to pin");
    return {};
  }
  if (!record.pr || !in.api) return fail(Error::refused("plan pinning: no reviewed plan to pin to; nothing was applied"));
  auto reviewed = check_pr_plan(now, in, record, io);
  if (reviewed || reviewed.error().code != ExitCode::refused) return reviewed;
  // The merge's plan is not the one approved on its pull request: an approved
  // re-plan of this merge commit stands in for it (replan_gate.hpp).
  auto replanned = check_replan(now, in, record, io);
  if (!replanned) return fail(replanned.error());
  if (*replanned) return {};
  return reviewed;
}

Expected<void> check_promotion(const Session& session, StepIo io, GateRecord& record) {
  const auto& env = session.environment();
  if (!env.promote_from) return {};
  const std::string& from = *env.promote_from;
  auto url = manifest_url(session.config, from, io);
  if (!url) return fail(url.error());
  auto store = open_manifest(*url, session.config.root, io);
  if (!store) return fail(store.error());
  auto running = (*store)->current(from);
  if (!running) return fail(running.error());
  for (const auto& target : session.targets) {
    auto it = std::find_if(running->begin(), running->end(),
                           [&](const manifest::Deployment& d) { return d.target == target.name; });
    if (it == running->end())
      return fail(Error::refused("promotion: target " + target.name + " has never been deployed to " + from + ", so " +
                                 env.name + " cannot be promoted from it; nothing was applied"));
    if (it->bundle_hash != target.bundle.hash)
      return fail(Error::refused("promotion: target " + target.name + " would get bundle " +
                                 target.bundle.hash.substr(0, 12) + ", but " + from + " runs " +
                                 it->bundle_hash.substr(0, 12) + "; " + env.name +
                                 " only takes what " + from + " ran, so nothing was applied"));
    record.promoted_from[target.name] = from + "@" + it->git_sha;
  }
  record.log.push_back("promotion: every target's bundle equals what " + from + " runs");
  return {};
}

void mark_applied(const GateInput& in, GateRecord& record, bool ok, StepIo io) {
  if (!record.pr || !in.api) return;
  if (!record.plan_comment) {
    auto comment = github::find_plan_comment(*in.api, record.pr->number, in.environment.name);
    if (!comment || !*comment) return;
    record.plan_comment = **comment;
  }
  const std::string run = io.ctx.run_url().empty() ? "" : " by " + io.ctx.run_url();
  set_comment_status(in, record,
                     (ok ? "applied at " : "apply FAILED at ") + short_sha(in.sha) + run +
                         (record.break_glass.empty() ? "" : " (break glass: " + record.break_glass + ")"),
                     io);
}

}  // namespace converge::steps
