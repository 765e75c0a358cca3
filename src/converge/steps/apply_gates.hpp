// The gates apply passes before it changes anything: the approval gate (the
// two-person rule, checked against the pull request that produced the pushed
// commit) and plan pinning (the plan made now must be the plan that was reviewed,
// from the sticky PR comment or a plan.json). Each refusal is one line a person
// understands (Error::refused, exit 1).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "converge/config/config.hpp"
#include "converge/github/api.hpp"
#include "converge/plan/plan.hpp"
#include "converge/steps/session.hpp"

namespace converge::steps {

struct GateInput {
  const config::Environment& environment;
  std::string sha;                     // the pushed (merge) commit being applied
  github::Api* api = nullptr;          // nullptr without a token: nothing can be verified on GitHub
  std::string break_glass;             // non-empty: skip the approval gate for this reason
  std::filesystem::path pinned_plan;   // a reviewed plan.json to pin to instead of the PR comment
  bool dry_run = false;                // never edit the comment
};

struct GateRecord {
  std::optional<github::PullRequest> pr;
  std::optional<github::Comment> plan_comment;
  std::vector<std::string> approvers;
  std::string break_glass;            // set when the approval gate was skipped
  std::vector<std::string> log;       // one line per gate: what passed, what was skipped
  // check_promotion: target → "<source environment>@<sha>", the deployment of the
  // source whose bundle this apply promotes (recorded in the target's manifest row).
  std::map<std::string, std::string> promoted_from;
};

// Finds the pull request and checks approvals. Runs before planning.
Expected<void> check_approval_gate(const GateInput& in, GateRecord& record, StepIo io);
// Break glass: the approval gate is skipped for in.break_glass, loudly (a warning
// here, the reason in the record and so in the manifest row).
void skip_approval_for_break_glass(const GateInput& in, GateRecord& record, StepIo io);
// Plan pinning. Runs after planning; on a mismatch the PR comment is marked
// "not applied" (unless dry_run).
Expected<void> check_plan_pinning(const plan::Plan& now, const GateInput& in, GateRecord& record, StepIo io);
// Promotion integrity: with `promote_from: stage`, every target's bundle hash must
// equal the one stage runs now (from the manifest), so prod gets exactly what stage
// ran. The refusal names the target and both hashes.
Expected<void> check_promotion(const Session& session, StepIo io, GateRecord& record);
// After apply: the comment says "applied at <sha> by <run>" or that the apply failed.
void mark_applied(const GateInput& in, GateRecord& record, bool ok, StepIo io);

}  // namespace converge::steps
