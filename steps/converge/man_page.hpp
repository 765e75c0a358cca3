// Man pages (roff, man(7) macros) for `converge` and each step, generated from the
// steps' own flag definitions (`converge man DIR`).
#pragma once

#include <string>
#include <vector>

#include "step_flags.hpp"

namespace converge::front {

// converge-<step>(1): name, synopsis, description, every flag, exit status.
std::string step_man_page(const StepFlags& step, const std::string& version);
// converge(1): the front, its steps and what they are for.
std::string front_man_page(const std::vector<StepFlags>& steps, const std::string& version);

}  // namespace converge::front
