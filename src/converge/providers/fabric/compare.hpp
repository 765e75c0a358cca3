// Comparing an item's definition parts as the repository renders them with the parts
// the workspace holds, and showing them in a plan: JSON parts compare as JSON values
// (key order and whitespace never show as a change) and show pretty-printed with
// sorted keys, so a diff is of the values that changed; other text parts compare and
// show byte for byte; binary parts (not UTF-8) compare by content and show as their
// size and SHA-256.
#pragma once

#include <string>
#include <vector>

#include "converge/providers/fabric/item.hpp"

namespace converge::providers::fabric {

// True when the two parts' contents mean the same.
bool same_part(const std::string& path, const std::string& desired, const std::string& actual);

// The part as a plan shows it (see above), ending with a newline.
std::string shown_part(const std::string& path, const std::string& bytes);

// The paths of the parts that differ (added, removed or changed), sorted.
std::vector<std::string> changed_parts(const std::vector<Part>& desired, const std::vector<Part>& actual);

// The parts of `parts` named in `paths` as one text: "--- <path>\n<shown part>" each;
// a part absent from `parts` is left out.
std::string shown_parts(const std::vector<Part>& parts, const std::vector<std::string>& paths);

}  // namespace converge::providers::fabric
