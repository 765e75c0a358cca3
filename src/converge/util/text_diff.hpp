// Line-based unified diff of two texts (the dtl library computes the edit script).
#pragma once

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

}  // namespace converge::util
