// The YAML that asset files mostly are, read without yaml-cpp (issue 15: yaml-cpp's
// parser and node graph were half of compile's time once its emitter was gone).
// Internal to the template library: parse_yaml tries read_block_subset first and
// gives anything it declines to yaml-cpp, so the result is the same either way
// (tests/template/yaml_block_subset_test.cpp compares the two on seeded texts).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "converge/util/error.hpp"

namespace converge::tmpl {

// The document, when `text` is entirely in the subset: printable ASCII without
// tabs, CR or the characters that start YAML's other constructs (# & * ! | > { }
// % @ ` \ <), block mappings of plain keys and block sequences ("- " items, a
// "- key: value" item starting a mapping; a sequence under a key indented or not),
// values that are plain one-line scalars, one-line single- or double-quoted
// strings, or one-line flow sequences of plain scalars; at most 64 levels and
// 1 MiB. nullopt for anything else, a duplicate key or an integer beyond 64 bits
// included: yaml-cpp then reads it, or names the error.
std::optional<nlohmann::ordered_json> read_block_subset(std::string_view text);

// How parse_yaml types a plain scalar (yaml_variables.cpp); nullopt for an integer
// beyond 64 bits.
std::optional<nlohmann::ordered_json> typed_plain_scalar(const std::string& text);

// parse_yaml through yaml-cpp alone (what read_block_subset must agree with).
Expected<nlohmann::ordered_json> parse_yaml_with_yaml_cpp(std::string_view text, std::string_view file);

}  // namespace converge::tmpl
