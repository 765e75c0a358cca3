// ASCII-only character helpers, independent of the C locale: digits as the
// template lexer reads them, and lower-casing for HTTP header names and the like.
#pragma once

#include <string>
#include <string_view>

namespace converge::util {

constexpr bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

// Space, tab, newline, vertical tab, form feed, carriage return: isspace() in the C locale.
constexpr bool is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace converge::util
