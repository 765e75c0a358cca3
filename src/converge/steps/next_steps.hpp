// The plan comment's "What happens next" line: what merging the pull request does
// (the push to its base branch runs the deploy workflow, which applies the plan to
// the environment) and who must approve first (the environment's gates as apply will
// enforce them: the stricter of the trusted and the proposed converge.yaml). It is
// information; the gates are enforced by apply, whatever a comment says.
#pragma once

#include <string>
#include <string_view>

#include "converge/config/config.hpp"

namespace converge::steps {

// First line of the section; like every section after the plan's footer, apply's
// plan pinning does not compare it (github::shows_plan).
inline constexpr std::string_view kNextStepsMarker = "<!-- converge:next -->";

// "\n" + kNextStepsMarker + "\n" + one paragraph, for a pull request into `base`
// planned for `environment` (its effective gates); `plan_hash` is the plan's hash;
// `new_environment` when the trusted converge.yaml does not have the environment
// yet (apply refuses it until this converge.yaml is on the branch). Names from the
// repository are code spans (plan/markdown.hpp).
std::string next_steps_section(const config::Environment& environment, std::string_view base,
                               std::string_view plan_hash, bool new_environment);

}  // namespace converge::steps
