// Titles of asset items for the plan (see titles.hpp).
#include "converge/providers/assets/titles.hpp"

#include <algorithm>
#include <array>

namespace converge::providers::assets {

std::string item_title(const nlohmann::json& item) {
  static constexpr std::array kFields = {"slice_name", "dashboard_title", "database_name", "table_name", "name",
                                         "title"};
  if (!item.is_object()) return {};
  for (const char* field : kFields) {
    auto found = item.find(field);
    if (found != item.end() && found->is_string() && !found->get_ref<const std::string&>().empty())
      return found->get<std::string>();
  }
  return {};
}

void title_changes(plan::TargetPlan& plan, const nlohmann::json& items) {
  for (auto& change : plan.changes) {
    if (change.action == plan::Action::remove) {
      change.title = item_title(change.before);
      continue;
    }
    const std::string id = change.key.substr(std::min(change.key.size(), change.kind.size() + 1));
    auto kind = items.find(change.kind);
    if (kind == items.end() || !kind->is_object()) continue;
    auto item = kind->find(id);
    if (item != kind->end()) change.title = item_title(*item);
  }
}

}  // namespace converge::providers::assets
