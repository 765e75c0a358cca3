// The `assets` provider's settings, parsed and checked once (docs/providers/assets.md
// is the user reference). Every error names the setting's file:line:column.
#pragma once

#include <map>
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

// Where the items live: a generic REST item API, or Apache Superset itself, read
// through its export and written through its import (docs/providers/superset.md).
enum class Runtime {
  rest,      // one collection per kind (rest.hpp)
  superset,  // self-hosted Superset: database login (username/password), refresh, CSRF
  preset,    // a Preset workspace: an API token and secret exchanged for a JWT at api_url
};

// The Superset and Preset settings (runtime superset or preset).
struct SupersetOptions {
  std::string username, password;     // superset: Superset's database login; password is a secret
  std::string login_provider = "db";  // superset: the login's provider ("db" or "ldap")
  std::string api_token, api_secret;  // preset: the API token's name and secret (a secret)
  std::string api_url = "https://api.app.preset.io";  // preset: the manager API, no trailing '/'
  bool csrf = true;                   // send Superset's CSRF token with writes (preset: false)
  // Database passwords by database_name (the file's `database_name`), for URIs written
  // with Superset's mask XXXXXXXXXX as exports have them. Secrets.
  std::map<std::string, std::string> passwords;
  // Assets imported are marked managed externally, pointing at their file in Git:
  // `external_url` with {file} replaced by the file's repository path.
  bool managed_externally = false;
  std::string external_url;
};

struct Options {
  Runtime runtime = Runtime::rest;
  SupersetOptions superset;     // runtime superset or preset
  std::string url;              // base of the REST item API (or Superset's, the Preset workspace's), no trailing '/'
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
