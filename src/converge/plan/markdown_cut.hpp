// Cutting markdown converge wrote to a byte limit (GitHub's 1 MiB job summary per
// step) so that what is left still renders as intended, with a note saying so.
#pragma once

#include <string>
#include <string_view>

namespace converge::plan {

// `markdown` when it is at most `limit` bytes; else its longest prefix that ends at a
// line end, followed by what closes the blocks still open there — a fenced code
// block (its fence repeated, so the rest does not render as code) and <details>
// elements (converge writes each tag at a line start) — then `note` (a markdown
// paragraph, e.g. "> [!NOTE]\n> …\n"). The result is at most `limit` bytes (the
// note alone, cut on a UTF-8 boundary, when nothing else fits) and never splits a
// UTF-8 sequence: the prefix ends at a '\n'. Linear in the input.
std::string cut_markdown(std::string_view markdown, size_t limit, std::string_view note);

}  // namespace converge::plan
