// Plan pinning through a re-plan (github/replan.hpp): when the plan of a merge
// commit differs from the plan approved on its pull request, a re-plan of that merge
// commit, approved by a second person, stands in for it.
#pragma once

#include "converge/steps/apply_gates.hpp"

namespace converge::steps {

// false: the merged pull request has no re-plan of in.sha for the environment (the
// pull request's own plan comment decides). true: the newest re-plan shows exactly
// `now`, is backed by converge's own plan record on in.sha, reads as converge wrote
// it and has enough qualifying approvals (record.plan_comment becomes the re-plan
// comment, record.approvers its approvers). Error::refused naming what failed
// otherwise. Needs record.pr and in.api.
Expected<bool> check_replan(const plan::Plan& now, const GateInput& in, GateRecord& record, StepIo io);

}  // namespace converge::steps
