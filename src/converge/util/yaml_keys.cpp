// Duplicate and complex mapping keys in a loaded YAML document (see yaml_keys.hpp).
// Aliases make a document a graph, and a hostile one can repeat a node
// exponentially often ("billion laughs"): each mapping is visited once, identified
// by the position of its first character, which aliases share.
#include "converge/util/yaml_keys.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace converge::util {
namespace {

SourceLocation at(std::string_view file, const YAML::Mark& mark) {
  if (mark.is_null()) return {std::string(file), 0, 0};
  return {std::string(file), mark.line + 1, mark.column + 1};
}

}  // namespace

Expected<void> check_mapping_keys(const YAML::Node& root, std::string_view file) {
  std::set<int> visited;  // Mark().pos of each collection already checked
  std::vector<YAML::Node> pending{root};
  while (!pending.empty()) {
    YAML::Node node = pending.back();
    pending.pop_back();
    if (!node.IsMap() && !node.IsSequence()) continue;
    if (!node.Mark().is_null() && !visited.insert(node.Mark().pos).second) continue;
    if (node.IsSequence()) {
      for (const auto& item : node) pending.push_back(item);
      continue;
    }
    std::map<std::string, YAML::Mark> seen;
    for (const auto& kv : node) {
      if (kv.first.IsMap() || kv.first.IsSequence())
        return fail(Error::config("a mapping key must be a plain value, not a list or a mapping (`? …` keys are "
                                  "not supported)",
                                  at(file, kv.first.Mark())));
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "null";
      auto [first, inserted] = seen.emplace(key, kv.first.Mark());
      if (!inserted)
        return fail(Error::config("duplicate key '" + key + "' (first at line " +
                                      std::to_string(first->second.line + 1) +
                                      "): readers disagree on which one counts, so converge refuses both",
                                  at(file, kv.first.Mark())));
      pending.push_back(kv.second);
    }
  }
  return {};
}

}  // namespace converge::util
