// plan-comment's re-plan of a merged pull request (github/replan.hpp): run by a
// `workflow_dispatch` of the plan workflow with the pull request's number, on a
// checkout of its merge commit.
#pragma once

#include "converge/github/api.hpp"
#include "converge/steps/steps.hpp"

namespace converge::steps {

// Refuses (exit 1, nothing posted) unless `pr` was merged by GitHub, the checked-out
// commit is its merge commit, and the trusted converge.yaml maps its base branch to
// an environment (--env, --base and --head-sha, when given, must agree). Then plans
// that environment at the merge commit, posts a NEW re-plan comment (never editing
// an earlier one) and writes converge's plan record on the merge commit. Exit codes
// as run_plan_comment.
int run_replan_comment(const PlanCommentOptions& options, const github::PullRequest& pr, github::Api& api,
                       StepIo io);

}  // namespace converge::steps
