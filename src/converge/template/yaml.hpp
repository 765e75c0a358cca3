// YAML read as PyYAML's yaml.safe_load reads it (YAML 1.1 typing of plain scalars:
// yes/on → true, 012 → octal, 1_000 → int, .inf → float, ~ → null; quoted and !!str
// scalars are strings; `<<` merges), into JSON. Shared by template variables files
// and asset sources, which Superset and the Preset CLI read with PyYAML.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "converge/util/error.hpp"

namespace converge::tmpl {

// The document in `text` (null when empty). Error::config at file:line:column for
// a YAML syntax error, an unsupported tag or an integer beyond 64 bits.
Expected<nlohmann::ordered_json> parse_yaml(std::string_view text, std::string_view file);

// How PyYAML types `text` written as a plain (unquoted) scalar: true when it reads
// it as a string (so a writer may leave it unquoted).
bool plain_scalar_is_string(std::string_view text);

}  // namespace converge::tmpl
