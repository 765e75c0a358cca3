// Joins strings with a separator: "a, b, c" from {"a", "b", "c"}; "" for none.
#pragma once

#include <string>
#include <string_view>

namespace converge::util {

template <typename Range>
std::string join(const Range& items, std::string_view separator) {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += separator;
    out += item;
    first = false;
  }
  return out;
}

}  // namespace converge::util
