// The gates of a rollback (`apply --rollback`, the rollback workflow's dispatch of
// an older tag or commit). A rollback has no pull request of its own, and the old
// PR's plan comment was made against another runtime state, so the PR gates do not
// fit; instead:
//   - pinning: every target's bundle must be one the environment ran before, as
//     the manifest recorded it (a successful deployment of exactly that bundle hash);
//     only bundles that once passed the gates can come back;
//   - the two-person rule: a second person approved this run's deployment to the
//     GitHub environment (required reviewers), read back through the API
//     (`GET /actions/runs/{id}/approvals`): an approver counts only when it is not
//     the person who dispatched or re-ran the run, and not a bot; or break glass,
//     recorded like any other.
// The rollback's own plan is shown in the log and the job summary, as for any apply.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "converge/github/approvals.hpp"
#include "converge/steps/apply_gates.hpp"

namespace converge::steps {

struct DeploymentReview {
  std::string login;
  bool bot = false;
  std::string state;                      // approved | rejected | pending
  std::vector<std::string> environments;  // GitHub environment names the review was for
};

// Who approved the run's deployment to `github_environment`, as a pure function:
// the latest review of each reviewer decides; dispatchers (the run's actor and
// triggering actor) and bots never count.
github::ApprovalDecision evaluate_rollback_approvals(const std::vector<DeploymentReview>& reviews,
                                                     const std::vector<std::string>& dispatchers,
                                                     std::string_view github_environment, int required);

// The two-person rule of a rollback (see above). `github_environment` is the
// GitHub environment the job runs in. Refused (exit 1) without a token, without a
// run id, or with too few approvals, unless break glass is given.
Expected<void> check_rollback_approval(const GateInput& in, std::string_view github_environment, GateRecord& record,
                                       StepIo io);

// Rollback pinning: every target's compiled bundle (after plan_environment) must
// have been deployed successfully to the environment before, per the manifest.
Expected<void> check_rollback_bundles(const Session& session, GateRecord& record, StepIo io);

}  // namespace converge::steps
