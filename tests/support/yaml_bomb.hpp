// "Billion laughs" for the tests of every YAML reader: `levels` anchors l1…l<levels>,
// one per line after `l0: &l0 lol`, each a flow list of ten aliases of the previous
// one (10^levels leaves once expanded; l6 is the first beyond a million nodes), each
// line prefixed with `indent` so the bomb can sit inside any mapping.
#pragma once

#include <string>
#include <string_view>

namespace converge::testing {

inline std::string billion_laughs(std::string_view indent = "", int levels = 9) {
  std::string text = std::string(indent) + "l0: &l0 lol\n";
  for (int i = 1; i <= levels; ++i) {
    text += std::string(indent) + "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) text += std::string(j ? ", " : "") + "*l" + std::to_string(i - 1);
    text += "]\n";
  }
  return text;
}

}  // namespace converge::testing
