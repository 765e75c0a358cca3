// Human renderings of a plan: terminal text and GitHub-flavoured markdown. Both
// show counts per action, a warning when anything is deleted, errors, and a
// readable diff per change.
#pragma once

#include <string>

#include "converge/plan/plan.hpp"

namespace converge::plan {

// The readable diff of one change: unified diff of before/after rendered as text
// (strings as-is, a migration's value as its SQL, other JSON as YAML: block style,
// keys sorted, strings quoted where YAML would read them as something else). For a
// create, every line is '+'. The text is raw: escape it for where it lands.
std::string change_diff(const Change& change);

// The change's item on one line of text, as people call it: "Revenue
// (charts/9c2b…)"; the key alone without a title, the title alone when it is a file
// named by the key (a migration's, "db/migrations/<key>.sql"). Escaped with
// visible(); the title trimmed and cut to 200 bytes, the key to 1000, so a hostile
// title can neither break the line nor hide the key.
std::string item_name(const Change& change);

// The sign of an action in renderings: "+", "~", "-", "-/+".
const char* symbol(Action action);

// One line: "2 to create, 1 to update, 0 to delete, 0 to replace".
std::string summary_line(const Counts& counts);

std::string render_text(const Plan& plan);

// render_text() in parts, for a log with one group per target: render_text(plan) is
// text_head(plan), then per target "\n" + target_title_text(t) + "\n" +
// target_text(t), then text_foot(plan). The title is one line without a newline.
std::string text_head(const Plan& plan);
std::string target_title_text(const TargetPlan& target);
std::string target_text(const TargetPlan& target);
std::string text_foot(const Plan& plan);

// Where a markdown plan goes; a cut plan's note says where the full plan is. The plan
// comment's plan part leaves the targets' observations out (apply re-renders it to
// check it; they follow it in observations_section); every other medium shows them
// with the notes.
enum class Medium { comment, job_summary, issue };

// Markdown (GitHub-flavoured): summary, a table per target, each target's notes and
// diffs in a <details> element: open when the whole plan is short (its notes and
// diffs at most 50 lines), collapsed otherwise. With a `limit`, the result stays
// within that many bytes: diffs that do not fit are cut, with a visible note saying
// how many changes are not shown and where the full plan is (for a comment: the job
// summary and plan.json; for the job summary: the log and plan.json).
std::string render_markdown(const Plan& plan, size_t limit = std::string::npos, Medium medium = Medium::comment);

// The plan comment's section after the plan (empty when no target has observations):
// each target's observations, said to be outside what is approved, within `limit`
// bytes (the rest counted).
std::string observations_section(const Plan& plan, size_t limit);

}  // namespace converge::plan
