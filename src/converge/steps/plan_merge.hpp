// plan-comment --from: the plans of a GitHub Actions matrix (one job per target, each
// `plan --target T --out plan-T.json`) merged into the environment's one plan, exactly
// as one job's plan of the same commit (so it hashes the same, and apply's plan pinning,
// which re-plans the merge commit itself, compares the same hash).
#pragma once

#include <string>
#include <vector>

#include "converge/plan/plan.hpp"
#include "converge/steps/session.hpp"

namespace converge::steps {

// Reads the plan.json files that `patterns` name (each a path or a glob; a glob that
// matches nothing names no file) and merges them in converge.yaml's target order, not
// partial, git_sha the session's commit. Nothing in a file is trusted: each must be a
// plan (plan::from_json, its plan_hash verified) of the session's environment made at
// the session's commit (the checkout, as every job of one run has it), of targets of
// that environment with their provider, and every target must be in exactly one file,
// except a target a pull request leaves out (unchanged_in_pull_request), which may have
// none: it is compiled here and planned with no changes, as plan_environment() does.
// A per-target file's changes are taken as written: a file edited between the jobs
// changes the merged plan's hash, which the apply's re-plan of the merge commit then
// does not match (plan pinning refuses). Error (usage), one line naming the file (or,
// for a missing target, the patterns); nothing else is read after the first error.
Expected<plan::Plan> merge_target_plans(Session& session, const std::vector<std::string>& patterns);

}  // namespace converge::steps
