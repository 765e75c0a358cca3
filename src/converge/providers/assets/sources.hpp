// The desired items of an `assets` target, read from the repository:
// <sources>/<kind>/**/*.yaml (taken as written) and *.yaml.j2 (rendered with the
// environment's variables, strict undefined), each one item; X.overrides.yaml
// (or .overrides.yaml.j2) beside X.yaml / X.yaml.j2 is deep-merged into X.
// Validation: every item has an id, ids are unique per kind, references resolve,
// and ${NAME} secret references in the variables name allowed secrets.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "converge/providers/assets/options.hpp"

namespace converge::providers::assets {

struct SourceItem {
  std::string kind;
  std::string id;              // the id field's value as text
  nlohmann::json item;         // after overrides; ignored fields removed
  std::string file;            // relative to the repository root, '/' separated
  bool templated = false;      // a .yaml.j2 file
  std::string overrides_file;  // "" when there is none
};

struct Sources {
  std::map<std::string, SourceItem> items;  // key "<kind>/<id>"
  nlohmann::ordered_json vars;              // the environment's variables (for export)
};

// Reads and validates every source. Error::config at the file:line of the first
// problem, its message listing every problem found (each with file:line).
Expected<Sources> load_sources(const Options& options, const std::filesystem::path& repo_root);

// The environment's variables file (`vars`); {} when the default file is absent.
Expected<nlohmann::ordered_json> load_vars(const Options& options, const std::filesystem::path& repo_root);

// Maps merge recursively; any other value in `overrides` replaces the one in `base`
// (as preset-cli merges overrides files).
void deep_merge(nlohmann::json& base, const nlohmann::json& overrides);

// The JSON text of an item's id value ("" when it is not a string or integer).
std::string id_text(const nlohmann::json& value);

}  // namespace converge::providers::assets
