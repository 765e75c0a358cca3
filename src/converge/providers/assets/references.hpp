// What an item refers to, by its kind's `references` (options.hpp: configured, or
// Superset's export model by default): the one walk behind the check that references
// resolve (sources.cpp), the import's closure of what a changed asset needs
// (superset_runtime.cpp) and the datasets and databases a plan keeps for their users.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "converge/providers/assets/options.hpp"

namespace converge::providers::assets {

// The values `ref` finds in `item` (null ones left out), each with its JSON pointer.
std::vector<std::pair<nlohmann::json::json_pointer, nlohmann::json>> referenced_values(const Reference& ref,
                                                                                       const nlohmann::json& item);

// The keys ("<kind>/<id>") an item of `kind` refers to; none for a kind not configured.
std::vector<std::string> referenced_keys(const Options& options, const std::string& kind, const nlohmann::json& item);

}  // namespace converge::providers::assets
