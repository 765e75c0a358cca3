// converge's own record of a reviewed plan: a commit status that plan-comment
// writes on the pull request's head SHA, beside the sticky comment. A comment can
// be written or edited by people; this status is only trusted when its creator is
// converge's identity (Api::identity()), so apply can cross-check the comment's
// plan hash against something nobody else wrote.
//
// Format (version 1), one status per environment and head SHA (the newest wins):
//   context      "converge/plan (<environment>)"
//   description  "plan <64-hex plan hash>"  (GitHub keeps at most 140 characters)
//   state        success, or failure when the plan has errors
//   target_url   the run that made the plan and wrote the comment (may be absent)
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "converge/github/api.hpp"
#include "converge/plan/plan.hpp"

namespace converge::github {

std::string plan_status_context(std::string_view environment);
// The plan hash a status description carries; "" when it carries none.
std::string recorded_plan_hash(std::string_view description);

// Writes the plan record of `plan` on `head_sha` (runtime Error naming the request).
Expected<CommitStatus> record_plan(Api& api, const plan::Plan& plan, const std::string& head_sha,
                                   const std::string& run_url);

// The newest plan record of `environment` on `head_sha` written by api.identity();
// nullopt when there is none. Statuses by anyone else are ignored.
Expected<std::optional<CommitStatus>> find_plan_record(Api& api, const std::string& head_sha,
                                                       std::string_view environment);

}  // namespace converge::github
