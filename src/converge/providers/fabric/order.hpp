// The order a workspace's items deploy in: by type, in the order fabric-cicd publishes
// types (what others refer to first: variable libraries, data stores, environments,
// then notebooks, models, reports, pipelines); within a type, an item after the items
// of its type it refers to (a pipeline after the pipeline it invokes). Deletes run in
// the reverse order.
#pragma once

#include <string>
#include <vector>

#include "converge/providers/fabric/item.hpp"
#include "converge/util/error.hpp"

namespace converge::providers::fabric {

// The type's rank; types fabric-cicd does not list come last, by name.
int type_rank(const std::string& type);

// `items` in deploy order. Error (config) naming the items of a reference cycle
// within a type (no order deploys them).
Expected<std::vector<const Item*>> deploy_order(const std::vector<Item>& items);

}  // namespace converge::providers::fabric
