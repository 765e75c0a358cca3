// YAML read as PyYAML's yaml.safe_load reads it (YAML 1.1 typing of plain scalars:
// yes/on → true, 012 → octal, 1_000 → int, .inf → float, ~ → null; quoted and !!str
// scalars are strings; `<<` merges), into JSON, and written so that it reads back the
// same. Shared by template variables files, asset sources and exports, which Superset
// and the Preset CLI read with PyYAML, and the plan's asset diffs.
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

// Deterministic YAML for a JSON value, ending with a newline: block style, two-space
// indent, keys in the value's order (sorted for nlohmann::json), and every string
// that PyYAML would type as something else (true, 1.0, null, 0x1F, "") or that holds
// template syntax ({{ … }}) double-quoted, so parse_yaml(to_yaml(x)) == x for any
// JSON value. Throws only what allocation throws.
std::string to_yaml(const nlohmann::json& value);

}  // namespace converge::tmpl
