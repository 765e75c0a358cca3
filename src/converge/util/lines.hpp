// Splitting text into lines, for the readers of line-based formats (dump texts,
// schema files).
#pragma once

#include <string_view>
#include <vector>

namespace converge::util {

// The lines of `text` without their "\n" (and without a "\r" before it, so CRLF text
// reads as LF text); a last line without a newline is a line, a final "\n" starts none.
// The views point into `text`.
inline std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    out.push_back(line);
    start = end + 1;
  }
  return out;
}

}  // namespace converge::util
