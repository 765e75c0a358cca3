// The one check every YAML reader of converge runs on a loaded document: a mapping
// key may appear once and must be a scalar. yaml-cpp keeps every duplicate and its
// `node[key]` answers with the first, while PyYAML (and a person reading the file)
// take the last: `approvals: 0` … `approvals: 2` would mean 0 to one reader and 2 to
// another. A complex key (`? [a, b]`) has no meaning in converge's files either.
#pragma once

#include <string_view>

#include <yaml-cpp/yaml.h>

#include "converge/util/error.hpp"

namespace converge::util {

// Walks `root` (every mapping, each node once even when aliases repeat it) and
// returns Error::config at file:line:column of the second occurrence of a duplicate
// key (naming it and the line of the first), or of the first key that is a sequence
// or a mapping. Keys are compared as written (their scalar text): converge turns
// every key into a string, so `1` and `"1"` collide too.
Expected<void> check_mapping_keys(const YAML::Node& root, std::string_view file);

}  // namespace converge::util
