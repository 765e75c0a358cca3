// The `assets` provider's settings, parsed and checked once (docs/providers/assets.md
// is the user reference). Every error names the setting's file:line:column.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "converge/providers/provider.hpp"

namespace converge::providers::assets {

// One reference from an item of a kind to an item of another kind, e.g. a chart's
// `dataset_uuid` naming a dataset.
struct Reference {
  std::string field;                  // as configured: "dataset_uuid", "position.*.meta.uuid"
  std::vector<std::string> segments;  // field split at '.'; "*" = every key/element
  std::string kind;                   // whose ids the values must be
  // Fields the node matched by the last "*" (the item itself when there is none)
  // must equal for the reference to count, e.g. {"type": "CHART"}.
  nlohmann::json where = nlohmann::json::object();
};

struct KindSpec {
  std::string name;            // folder under `sources`, and the change kind
  std::string path;            // collection path under `url`, e.g. "/charts"
  std::string id_field = "uuid";
  std::set<std::string> ignore;  // server-managed fields: never sent, compared or exported
  std::vector<Reference> references;
};

struct Options {
  std::string url;              // base of the REST item API, no trailing '/'
  std::string sources = "assets";
  std::string vars;             // the environment's variables file
  bool vars_explicit = false;   // set by the user (then it must exist)
  std::vector<KindSpec> kinds;  // in apply order (deletes run in reverse)
  bool prune = false;
  std::string update_method = "PUT";  // or "PATCH"
  std::string auth_header;      // value of the Authorization header; "" = none
  std::set<std::string> secrets;  // names ${NAME} may refer to (read at apply time only)
  std::string paging = "json-server";  // or "none"
  int page_size = 100;

  const KindSpec* kind(std::string_view name) const;
};

// The settings of `spec`, with defaults: the Superset model (databases → datasets →
// charts → dashboards, uuid ids, Superset's references). Error::config naming the
// setting for unknown keys, wrong types, unknown kinds in `order` or references.
Expected<Options> parse_options(const TargetSpec& spec);

}  // namespace converge::providers::assets
