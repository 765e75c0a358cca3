// The re-plan of a merged pull request: when the plan of a merge commit no longer
// equals the plan approved on its pull request (another merge deployed first, the
// runtime moved), a `workflow_dispatch` of the plan workflow re-plans the merge
// commit and converge posts a NEW comment on the merged pull request (never an edit
// of the approved one, so no approval carries over) and writes its plan record (the
// `converge/plan (<env>)` commit status, plan_record.hpp) on the merge commit.
//
// Marker (format 1), the FIRST line of a re-plan comment:
//   <!-- converge:replan v=1 env=<environment> sha=<merge commit> plan=<plan hash> -->
// Below it the comment reads exactly as the plan comment of the merge commit
// (plan_comment.hpp: status line, plan, footer), then a section saying what the
// re-plan is and how it is approved. Like the plan comment, it is only trusted when
// converge's identity wrote it, converge's own status on the merge commit records
// the same plan, and the plan part reads exactly as converge renders it.
//
// Approval: a 👍 (`+1`) reaction to the newest re-plan comment by a person with
// write access to the repository. Never counted: bots; converge's own identity (a
// user token's owner); whoever dispatched or re-ran
// the re-plan (the actor and triggering actor of the run its status links); the
// pull request's author; with `distinct_approver`, anyone who authored or committed
// a commit of the pull request. At least max(1, gates.approvals) are required.
#pragma once

#include <cstdint>
#include <optional>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "converge/github/api.hpp"
#include "converge/github/approvals.hpp"
#include "converge/github/plan_comment.hpp"
#include "converge/plan/plan.hpp"

namespace converge::github {

// Throws as marker_line does.
std::string replan_marker_line(const Marker& marker);
// The re-plan marker on the FIRST line of `body`, read as strictly as find_marker.
std::optional<Marker> find_replan_marker(std::string_view body);

// The re-plan comment of `plan` (its git_sha the merge commit) for pull request `pr`,
// dispatched by `dispatcher` (shown, not trusted). At most kCommentLimit characters.
std::string replan_body(const plan::Plan& plan, const std::string& merge_sha, const std::string& run_url,
                        std::int64_t pr, std::string_view dispatcher);
// True when `body` is a re-plan comment of exactly `plan` at `merge_sha` as
// replan_body writes it (a status line and the closing section aside).
bool shows_replan(std::string_view body, const plan::Plan& plan, const std::string& merge_sha,
                  const std::string& run_url,
                  const std::function<std::string(std::string_view)>& redact = {});

// The newest re-plan comment of `environment` on `pr` written by api.identity();
// nullopt when there is none. Anyone else's comments are ignored.
Expected<std::optional<Comment>> find_replan_comment(Api& api, std::int64_t pr, std::string_view environment);

// The id of the workflow run a run URL names (".../actions/runs/<id>[/attempts/<n>]");
// 0 when it names none.
std::int64_t run_id_of(std::string_view run_url);

struct ReplanVote {
  std::string login;
  bool bot = false;
  std::string content;     // the reaction: "+1" approves
  std::string permission;  // the reactor's repository permission: admin, write, read, none
  std::string excluded;    // non-empty: why this person can never approve this re-plan
};

// The decision on a re-plan's approvals, as a pure function of the votes (see above).
ApprovalDecision evaluate_replan_approvals(const std::vector<ReplanVote>& votes, int required);

}  // namespace converge::github
