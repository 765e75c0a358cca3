// The one way converge reads a YAML document (converge.yaml, template variables
// files, asset sources): yaml-cpp's parse, then the checks every reader needs before
// it walks the tree. A hostile file must fail with file:line, never hang or run out of
// memory: yaml-cpp keeps an alias as a second reference to its anchor's node, so a few
// lines of anchors and aliases ("billion laughs") load in microseconds, but a reader
// that converts the tree (to JSON, to settings) copies every alias and would build
// 10^9 nodes. The budget below is checked on the graph, each node once.
#pragma once

#include <cstdint>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "converge/util/error.hpp"

namespace converge::util {

// How big a document may be once its aliases are expanded (each alias counted as a
// copy of what it refers to). Real files are far below: a converge.yaml or a
// variables file has a few hundred nodes, a Superset export a few thousand.
inline constexpr std::uint64_t kMaxYamlNodes = 1'000'000;
inline constexpr std::uint64_t kMaxYamlBytes = std::uint64_t{64} << 20;  // scalar text, in bytes

// The document in `text`, or Error::config at file:line:column for a YAML syntax
// error, a duplicate or complex mapping key (check_mapping_keys), a scalar that is
// not valid UTF-8 (yaml-cpp passes any bytes; JSON cannot hold them) or a document
// beyond the budget above (located at the first, innermost node that exceeds it).
// An empty text gives a Null node. Never throws.
Expected<YAML::Node> load_yaml(std::string_view text, std::string_view file);

// The budget and UTF-8 checks alone, on an already loaded document: Error::config
// at the innermost node whose expansion exceeds kMaxYamlNodes or kMaxYamlBytes, or
// at the first scalar that is not valid UTF-8.
Expected<void> check_alias_expansion(const YAML::Node& root, std::string_view file);

}  // namespace converge::util
