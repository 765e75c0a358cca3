// YAML ↔ JSON for asset files. Reading types plain scalars the way PyYAML's
// yaml.safe_load does (YAML 1.1: yes/no/on/off are booleans, 0x1F and 1_000 are
// integers, 1.5 is a float, ~ and empty are null), because Superset and the Preset
// CLI read these files with PyYAML. Writing is deterministic: keys sorted, block
// style, two-space indent, and every string that a YAML 1.1 reader would type as
// something else is double-quoted, so read(write(x)) == x for any JSON value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "converge/util/error.hpp"

namespace converge::providers::assets {

// The mapping in `text` as a JSON object. Error::config at file:line:column for a
// YAML syntax error, an unsupported tag or a top level that is not a mapping.
// Integral floats become integers (see normalise_numbers).
Expected<nlohmann::json> parse_yaml_item(std::string_view text, std::string_view file);

// Where the node at `path` (a JSON pointer into the item) is written in `text`:
// the line of its value (its key's line when the value is a block collection), or
// nullopt when the path is not in the text.
std::optional<SourceLocation> locate(std::string_view text, std::string_view file,
                                     const nlohmann::json::json_pointer& path);

// Deterministic YAML for a JSON value (ends with a newline).
std::string to_yaml(const nlohmann::json& value);

// JSON has one number type and JavaScript servers do not keep `1.0` apart from
// `1`: an integral float that fits int64 becomes that integer, recursively, so a
// value hashes and compares the same after a trip through any server.
void normalise_numbers(nlohmann::json& value);

// True when PyYAML would read `text` written as a plain scalar as a string.
bool plain_scalar_is_string(std::string_view text);

}  // namespace converge::providers::assets
