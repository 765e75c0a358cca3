// The runtime written back as asset sources (export-to-pr): normalised items as
// stable YAML, environment-specific values turned back into {{ var }}.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "converge/providers/assets/sources.hpp"

namespace converge::providers::assets {

// A string variable a template may name: "name" or "a.b" (nested mappings).
struct TemplateVar {
  std::string name;
  std::string value;
};

// The variables export may substitute, longest value first (then by name). Kept:
// string values of at least 4 characters that can sit inside a double-quoted YAML
// scalar (no '"', '\\' or control characters), under names made of identifiers
// that are not Jinja keywords. Numbers, booleans and lists are never substituted.
std::vector<TemplateVar> template_vars(const nlohmann::ordered_json& vars);

// One string with the variables' values replaced by {{ name }} and any literal
// "{{", "{%", "{#" escaped as Jinja expressions, so rendering gives `text` back.
// A value is replaced where it is the whole string, or where it stands as whole
// words: the characters right before and after the occurrence are not word
// characters [A-Za-z0-9_] (or are the string's ends), as a regex \b...\b match.
// Anything else is "unrelated text" and stays as is: "prod" is not taken out of
// "production", "reprod" or "sales_prod", but is out of "prod-reports" and
// "db.prod.local". Longer values are replaced first and their text is not searched
// again, so db_host "db.prod.local" wins over env "prod" inside that host.
std::string templated_string(const std::string& text, const std::vector<TemplateVar>& vars, bool* substituted);

// The file text of `item` as a .yaml.j2 template (every string through
// templated_string). `substituted` tells whether any variable was used.
std::string templated_yaml(const nlohmann::json& item, const std::vector<TemplateVar>& vars, bool* substituted);

// The export of `runtime` (key "<kind>/<id>" → normalised item) against the
// repository's `sources`: existing items keep their file (a .yaml.j2 stays a
// template, a .yaml stays literal; an overrides file is folded into it and removed);
// new items go to <sources>/<kind>/<id>.yaml, or .yaml.j2 when a variable was
// substituted; items gone from the runtime have their files removed.
ExportedSources export_items(const Options& options, const Sources& sources,
                             const std::map<std::string, nlohmann::json>& runtime);

// `id` as a file name: characters outside [A-Za-z0-9._-] become '_'.
std::string file_name_for(const std::string& id);

}  // namespace converge::providers::assets
