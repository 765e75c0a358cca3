// Shell completion scripts for `converge <step>` and each `converge-<step>`,
// generated from the steps' own flag definitions (`converge completion bash|zsh`).
#pragma once

#include <string>
#include <vector>

#include "step_flags.hpp"

namespace converge::front {

// A bash script defining and registering the completion functions.
std::string bash_completion(const std::vector<StepFlags>& steps);
// The same for zsh, through zsh's bash completion support (bashcompinit).
std::string zsh_completion(const std::vector<StepFlags>& steps);

}  // namespace converge::front
