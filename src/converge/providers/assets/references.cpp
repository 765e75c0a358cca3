// The walk of a Reference's field path over an item: see references.hpp.
#include "converge/providers/assets/references.hpp"

#include <algorithm>

#include "converge/providers/assets/sources.hpp"

namespace converge::providers::assets {
namespace {

using nlohmann::json;
using Found = std::vector<std::pair<json::json_pointer, json>>;

// Values at `ref.segments` from index i below `node`; `scope` is the node matched by
// the last '*' (where `ref.where` is checked).
void collect(const Reference& ref, const json& node, std::size_t i, const json::json_pointer& at, const json& scope,
             Found& out) {
  if (i == ref.segments.size()) {
    for (const auto& [field, value] : ref.where.items())
      if (!scope.is_object() || !scope.contains(field) || scope[field] != value) return;
    if (!node.is_null()) out.emplace_back(at, node);
    return;
  }
  const std::string& segment = ref.segments[i];
  const bool last_star =
      std::find(ref.segments.begin() + static_cast<long>(i) + 1, ref.segments.end(), "*") == ref.segments.end();
  if (segment == "*") {
    if (node.is_object()) {
      for (const auto& [key, child] : node.items()) collect(ref, child, i + 1, at / key, last_star ? child : scope, out);
    } else if (node.is_array()) {
      for (std::size_t k = 0; k < node.size(); ++k)
        collect(ref, node[k], i + 1, at / k, last_star ? node[k] : scope, out);
    }
  } else if (node.is_object() && node.contains(segment)) {
    collect(ref, node[segment], i + 1, at / segment, scope, out);
  }
}

}  // namespace

Found referenced_values(const Reference& ref, const json& item) {
  Found out;
  collect(ref, item, 0, json::json_pointer(), item, out);
  return out;
}

std::vector<std::string> referenced_keys(const Options& options, const std::string& kind, const json& item) {
  std::vector<std::string> keys;
  const KindSpec* spec = options.kind(kind);
  if (spec == nullptr) return keys;
  for (const auto& ref : spec->references)
    for (const auto& [path, value] : referenced_values(ref, item))
      if (std::string id = id_text(value); !id.empty()) keys.push_back(ref.kind + "/" + id);
  return keys;
}

}  // namespace converge::providers::assets
