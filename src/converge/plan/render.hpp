// Human renderings of a plan: terminal text and GitHub-flavoured markdown. Both
// show counts per action, a warning when anything is deleted, errors, and a
// readable diff per change.
#pragma once

#include <string>

#include "converge/plan/plan.hpp"

namespace converge::plan {

// The readable diff of one change: unified diff of before/after rendered as text
// (strings as-is, other JSON pretty-printed). For a create, every line is '+'.
std::string change_diff(const Change& change);

// The sign of an action in renderings: "+", "~", "-", "-/+".
const char* symbol(Action action);

// One line: "2 to create, 1 to update, 0 to delete, 0 to replace".
std::string summary_line(const Counts& counts);

std::string render_text(const Plan& plan);

// Markdown (GitHub-flavoured): summary, a table per target, collapsible diffs. With
// a `limit`, the result stays within that many bytes: diffs that do not fit are
// cut, with a visible note saying how many changes are not shown and where the
// full plan is (the job summary and plan.json).
std::string render_markdown(const Plan& plan, size_t limit = std::string::npos);

}  // namespace converge::plan
