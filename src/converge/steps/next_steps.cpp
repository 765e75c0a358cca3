// The plan comment's "What happens next" line (see next_steps.hpp). The workflow
// named is the deploy starter `converge init` writes (workflows/converge-deploy.yml,
// "converge deploy"); the gates are said as steps/apply_gates.cpp checks them.
#include "converge/steps/next_steps.hpp"

#include "converge/plan/markdown.hpp"

namespace converge::steps {
namespace {

// Who must approve, as apply's approval gate counts (github/approvals.hpp).
std::string approval_text(const config::Gates& gates) {
  if (gates.approvals == 0)
    return "`converge.yaml` requires no approval for it, so the merge alone deploys it";
  std::string out = "before it applies, " + std::to_string(gates.approvals) +
                    (gates.approvals == 1 ? " approval" : " approvals") +
                    " of this pull request on its latest commit must come from people other than its author";
  if (gates.distinct_approver) out += " and other than anyone who committed to it (the two-person rule)";
  return out + "; an approval given before a later push does not count";
}

}  // namespace

std::string next_steps_section(const config::Environment& environment, std::string_view base,
                               std::string_view plan_hash, bool new_environment) {
  const std::string env = plan::md_code(environment.name);
  std::string out = "\n" + std::string(kNextStepsMarker) + "\n**What happens next:** ";
  if (new_environment) {
    return out + env + " is new: merging into " + plan::md_code(base) +
           " deploys nothing yet (apply takes an environment only from the `converge.yaml` the branch had before "
           "the push); the next push to " + plan::md_code(base) + " after this merge deploys it.\n";
  }
  out += "merging into " + plan::md_code(base) + " runs the **converge deploy** workflow, which applies this plan to " +
         env + "; " + approval_text(environment.gates) + ".";
  if (environment.gates.plan_pinning)
    out += " Plan pinning: only this plan (hash " + plan::md_code(plan_hash.substr(0, 12)) +
           ") is applied; if the plan at merge time differs, apply refuses and nothing is applied.";
  if (environment.promote_from)
    out += " " + env + " only takes what " + plan::md_code(*environment.promote_from) + " already runs.";
  out += " The deploy job also waits for its GitHub environment's protection rules, if any (required reviewers, a "
         "wait timer).\n";
  return out;
}

}  // namespace converge::steps
