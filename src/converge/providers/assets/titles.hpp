// What people call an asset item, for the plan's item lines (plan::Change::title):
// a chart's `slice_name`, a dashboard's `dashboard_title`, a database's
// `database_name`, a dataset's `table_name` (Superset's export model), else an item's
// `name` or `title`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "converge/plan/plan.hpp"

namespace converge::providers::assets {

// The item's title: the first of the fields above that holds a non-empty string;
// "" when none does. Untrusted (the repository's or the runtime's text): the
// renderers escape it.
std::string item_title(const nlohmann::json& item);

// Sets the title of each change of `plan` (keys "<kind>/<id>") from the item it
// names: the desired item (`items`: the bundle's {kind: {id: item}}) for a create or
// an update, the runtime's (the change's `before`, secrets hidden) for a delete.
void title_changes(plan::TargetPlan& plan, const nlohmann::json& items);

}  // namespace converge::providers::assets
