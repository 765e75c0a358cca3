// The order items deploy in (order.hpp).
#include "converge/providers/fabric/order.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <set>
#include <string_view>

#include "converge/providers/fabric/markers.hpp"

namespace converge::providers::fabric {

int type_rank(const std::string& type) {
  // fabric-cicd's SERIAL_ITEM_PUBLISH_ORDER (constants.py), KQL databases right after
  // their eventhouses (converge deploys `.children/` as items of their own).
  static constexpr std::array<std::string_view, 30> order = {
      "VariableLibrary", "Warehouse",       "MirroredDatabase", "Lakehouse",        "SQLDatabase",
      "Environment",     "UserDataFunction", "Eventhouse",      "KQLDatabase",      "SparkJobDefinition",
      "Notebook",        "SemanticModel",   "Report",           "PaginatedReport",  "CopyJob",
      "DataBuildToolJob", "KQLQueryset",    "Dataflow",         "DataPipeline",     "Reflex",
      "Eventstream",     "KQLDashboard",    "GraphQLApi",       "ApacheAirflowJob", "MountedDataFactory",
      "Ontology",        "DataAgent",       "MLExperiment",     "MLModel",          "Map"};
  auto it = std::find(order.begin(), order.end(), type);
  return static_cast<int>(it - order.begin());
}

Expected<std::vector<const Item*>> deploy_order(const std::vector<Item>& items) {
  std::vector<const Item*> sorted;
  for (const auto& item : items) sorted.push_back(&item);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Item* a, const Item* b) {
    int ra = type_rank(a->type), rb = type_rank(b->type);
    if (ra != rb) return ra < rb;
    if (a->type != b->type) return a->type < b->type;
    return a->name < b->name;
  });
  // Within a type: depth-first, an item after the items of its type it names.
  std::map<std::string, const Item*> by_key;
  for (const Item* item : sorted) by_key[item->key()] = item;
  std::vector<const Item*> out;
  std::set<std::string> done, on_path;
  std::function<Expected<void>(const Item*)> visit = [&](const Item* item) -> Expected<void> {
    if (done.contains(item->key())) return {};
    if (!on_path.insert(item->key()).second)
      return fail(Error::config(item->key() + " is part of a reference cycle between items of type " + item->type +
                                    ": no order deploys them",
                                {item->dir, 0, 0}));
    std::set<std::string> seen;
    for (const auto& part : item->parts)
      for (const auto& value : markers_in(part.bytes)) {
        auto ref = item_reference(value);
        if (!ref || ref->type != item->type || ref->name == item->name) continue;
        auto it = by_key.find(ref->type + "/" + ref->name);
        if (it == by_key.end() || !seen.insert(it->first).second) continue;
        if (auto ok = visit(it->second); !ok) return ok;
      }
    on_path.erase(item->key());
    done.insert(item->key());
    out.push_back(item);
    return {};
  };
  for (const Item* item : sorted)
    if (auto ok = visit(item); !ok) return fail(ok.error());
  return out;
}

}  // namespace converge::providers::fabric
