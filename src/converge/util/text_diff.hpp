// Line-based unified diff of two texts (the dtl library computes the edit script).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace converge::util {

// Unified diff ("--- from_label", "+++ to_label", "@@ … @@" hunks with 3 lines of
// context). Empty string when the texts are equal. Like `diff -u -p` and git, a hunk
// header ends with the nearest line before the hunk that starts with a letter, '_' or
// '$' (cut at 80 bytes), so a change deep in a long statement still names it:
// "@@ -52,7 +52,7 @@ CREATE VIEW app.big_orders AS".
std::string unified_diff(std::string_view from, std::string_view to, std::string_view from_label,
                         std::string_view to_label);

// The line edits that turned `base` into `edited`, made to `target`, a text whose
// lines stand one for one for base's (the same file before a substitution inside
// lines: a repository file and what was deployed from it). Lines base and edited
// share come from `target`; lines edited added come through `added` (which may turn
// values back). nullopt when target and base have different numbers of lines (no
// line of one stands for a line of the other). Line ends are "\n"; the result ends
// with one when `edited` does.
std::optional<std::string> carry_line_edits(std::string_view base, std::string_view edited, std::string_view target,
                                            const std::function<std::string(std::string_view)>& added);

}  // namespace converge::util
