// How a plan's findings (plan.hpp: the sql provider's migration lint) read: one text
// line each, the "Migration lint" section of the markdown plan (the sticky PR comment
// and the job summary), and the link to each rule's documentation.
#pragma once

#include <string>

#include "converge/plan/plan.hpp"

namespace converge::plan {

// "file:line: error [rule] message": one line, as the terminal plan and errors show it.
// Strings are as the finding holds them; the caller escapes for where they land.
std::string format_finding(const Finding& finding);

// The absolute URL of the finding's rule documentation, pinned to this converge's
// release: https://github.com/<kRepository>/blob/v<version>/<doc>; "" when the
// finding names no doc.
std::string finding_doc_url(const Finding& finding);

// The terminal lines of a target's findings ("lint: <format_finding>"), each made
// visible() so a hostile file name cannot start a line of its own; "" for none.
std::string findings_text(const TargetPlan& target);

// "DESTRUCTIVE: …" when any finding of the plan is destructive, else "".
std::string destructive_line(const Plan& plan);

// The "Migration lint" markdown section: a caution when the plan is destructive, then
// one list item per finding (severity, the rule id linked to its docs anchor, the
// file:line, the message), every repository string escaped for its context. Within
// `limit` bytes: findings that do not fit are counted in a last line instead. "" when
// the plan has no findings.
std::string findings_markdown(const Plan& plan, size_t limit = std::string::npos);

}  // namespace converge::plan
