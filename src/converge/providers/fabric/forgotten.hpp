// Forgotten parameters: a value that parameter.yml says belongs to another
// environment, left in a part rendered for this one (a dev lakehouse's id in a
// pipeline that no find_replace filter reached), found at compile, before anything
// is deployed, with the part's file and line.
#pragma once

#include <string_view>
#include <vector>

#include "converge/providers/fabric/bundle.hpp"
#include "converge/providers/fabric/item.hpp"
#include "converge/providers/fabric/parameters.hpp"

namespace converge::providers::fabric {

// The GUIDs of parameter.yml's literal find_replace entries that are another
// environment's: the find_value of an entry that gives `environment` a value of its
// own, and every other environment's replace_value; never one that is `environment`'s
// own value in some entry, nor the all-zero GUID. Each occurrence left in a text part
// of `items` (parameters applied) is one Warning (rule fabric/parameter-forgotten) at
// "<item dir>/<part>:<line>", naming the value and the parameter.yml line it comes
// from; at most 100 in all.
std::vector<Warning> forgotten_values(const Parameters& parameters, std::string_view environment,
                                      const std::vector<Item>& items);

}  // namespace converge::providers::fabric
