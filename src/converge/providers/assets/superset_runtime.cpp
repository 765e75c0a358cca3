// The superset and preset runtimes of the assets provider (see superset_runtime.hpp).
#include "converge/providers/assets/superset_runtime.hpp"
#include "converge/util/utc_time.hpp"

#include <chrono>
#include <ctime>
#include <set>

#include "converge/providers/assets/references.hpp"
#include "converge/providers/assets/secrets.hpp"
#include "converge/providers/assets/superset_normalise.hpp"
#include "converge/providers/assets/yaml_json.hpp"
#include "converge/providers/assets/zip_archive.hpp"

namespace converge::providers::assets {
namespace {

using nlohmann::json;

const std::vector<std::string> kKinds = {"databases", "datasets", "charts", "dashboards"};

// The kinds of a path in a bundle ("charts/x.yaml" → "charts"); "" for any other.
std::string kind_of_path(const std::string& path) {
  auto slash = path.find('/');
  std::string prefix = slash == std::string::npos ? "" : path.substr(0, slash);
  for (const auto& kind : kKinds)
    if (prefix == kind) return kind;
  return "";
}

}  // namespace

std::string api_kind(const std::string& kind) { return kind.ends_with('s') ? kind.substr(0, kind.size() - 1) : kind; }

const std::vector<std::string>& required_fields(const std::string& kind) {
  static const std::map<std::string, std::vector<std::string>> fields = {
      {"databases", {"database_name", "sqlalchemy_uri", "uuid", "version"}},
      {"datasets", {"table_name", "uuid", "database_uuid", "version"}},
      {"charts", {"slice_name", "viz_type", "uuid", "dataset_uuid", "version"}},
      {"dashboards", {"dashboard_title", "uuid", "version"}}};
  static const std::vector<std::string> none;
  auto found = fields.find(kind);
  return found == fields.end() ? none : found->second;
}

SupersetRuntime::SupersetRuntime(const Options& options, std::unique_ptr<http::Transport> transport)
    : options_(options), api_(options, std::move(transport)) {}

Expected<SupersetAssets> SupersetRuntime::read(std::vector<std::string>& notes) {
  std::map<std::string, SupersetRow> rows;  // key → row
  for (const auto& kind : kKinds) {
    auto listed = api_.list(api_kind(kind));
    if (!listed) return fail(listed.error());
    for (auto& row : *listed)
      if (!row.uuid.empty()) rows[kind + "/" + row.uuid] = std::move(row);
  }
  auto files = api_.export_assets();
  if (!files) return fail(files.error());
  SupersetAssets out;
  for (auto& [path, text] : *files) {
    std::string kind = kind_of_path(path);
    if (kind.empty()) continue;  // queries/, saved SQL: not assets converge deploys
    auto item = parse_yaml_item(text, "the export's " + path);
    if (!item) return fail(Error::runtime(item.error().message));
    if (!item->contains("uuid") || !(*item)["uuid"].is_string())
      return fail(Error::runtime("the export's " + path + " has no uuid"));
    std::string key = kind + "/" + (*item)["uuid"].get<std::string>();
    SupersetAsset asset{kind, std::move(*item), path, {}};
    if (auto row = rows.find(key); row != rows.end()) asset.row = row->second;
    if (!out.emplace(key, std::move(asset)).second)
      return fail(Error::runtime("the export holds " + key + " twice"));
  }
  std::size_t unexported = 0;
  for (const auto& [key, row] : rows) unexported += out.contains(key) ? 0 : 1;
  if (unexported)
    notes.push_back(std::to_string(unexported) + " asset(s) that Superset lists are not in its export and are left "
                    "alone");
  return out;
}

json SupersetRuntime::desired_view(const std::string& kind, const json& item) const {
  json view = superset_comparable(kind, item);
  view.erase("is_managed_externally");
  view.erase("external_url");
  if (options_.superset.managed_externally) view["is_managed_externally"] = true;
  return view;
}

std::string SupersetRuntime::external_url(const std::string& file) const {
  std::string url = options_.superset.external_url;
  for (auto at = url.find("{file}"); at != std::string::npos; at = url.find("{file}", at + file.size()))
    url.replace(at, 6, file);
  return url;
}

json SupersetRuntime::runtime_view(const SupersetAsset& asset) const {
  json view = superset_comparable(asset.kind, asset.item);
  view.erase("is_managed_externally");
  view.erase("external_url");
  if (options_.superset.managed_externally) view["is_managed_externally"] = asset.row.managed_externally;
  return view;
}

Expected<void> SupersetRuntime::import(const json& content, const std::vector<std::string>& keys, bool* lost) {
  *lost = false;
  const json& items = content.at("items");
  const json files = content.value("files", json::object());
  auto item_of = [&](const std::string& key) -> const json* {
    auto slash = key.find('/');
    std::string kind = key.substr(0, slash), id = key.substr(slash + 1);
    return items.contains(kind) && items[kind].contains(id) ? &items[kind][id] : nullptr;
  };
  // The keys and what they reference, in Superset's order.
  std::set<std::string> chosen(keys.begin(), keys.end());
  for (const auto& kind : {"dashboards", "charts", "datasets"})
    for (const auto& key : std::vector<std::string>(chosen.begin(), chosen.end()))
      if (key.starts_with(std::string(kind) + "/"))
        if (const json* item = item_of(key))
          for (auto& ref : referenced_keys(options_, kind, *item))
            if (item_of(ref)) chosen.insert(ref);

  const std::string prefix = options_.sources + "/";
  std::vector<std::pair<std::string, std::string>> zip_files;
  std::set<std::string> paths;
  json passwords = json::object();
  zip_files.emplace_back("converge_bundle/metadata.yaml",
                         "version: 1.0.0\ntype: assets\ntimestamp: '" + util::utc_time("%Y-%m-%dT%H:%M:%S+00:00") + "'\n");
  for (const auto& kind : kKinds) {
    for (const auto& key : chosen) {
      if (!key.starts_with(kind + "/")) continue;
      const json* item = item_of(key);
      if (!item) return fail(Error::runtime(key + " is not in the compiled bundle; plan again"));
      std::string file = files.contains(key) ? files[key].get<std::string>() : "";
      std::string path = file.starts_with(prefix) ? file.substr(prefix.size()) : "";
      if (path.ends_with(".j2")) path.resize(path.size() - 3);
      if (path.empty() || !path.starts_with(kind + "/") || !paths.insert(path).second) {
        path = kind + "/" + key.substr(kind.size() + 1) + ".yaml";
        paths.insert(path);
      }
      auto expanded = expand_secrets(*item, options_.secrets);
      if (!expanded) return fail(expanded.error());
      json body = std::move(*expanded);
      if (kind == "databases" && body.contains("sqlalchemy_uri") && body["sqlalchemy_uri"].is_string()) {
        std::string uri = body["sqlalchemy_uri"];
        std::string name = body.value("database_name", json("")).is_string() ? body.value("database_name", "") : "";
        std::string password = uri_password(uri);
        if (auto configured = options_.superset.passwords.find(name); configured != options_.superset.passwords.end())
          password = configured->second;
        if (!password.empty() && password != kSupersetPasswordMask) {
          passwords[path] = password;
          body["sqlalchemy_uri"] = uri_with_password(uri, kSupersetPasswordMask);
        }
      }
      if (options_.superset.managed_externally) {
        body["is_managed_externally"] = true;
        body["external_url"] = external_url(file);
      }
      zip_files.emplace_back("converge_bundle/" + path, to_yaml(body));
    }
  }
  auto zip = write_zip(zip_files);
  if (!zip) return fail(zip.error());
  auto imported = api_.import_assets(*zip, passwords, lost);
  if (!imported) return fail(Error::runtime(redact_known_secrets(imported.error().message, options_.secrets)));
  return {};
}

std::string SupersetRuntime::changed_by(const SupersetAsset& asset) {
  if (asset.row.changed_by_name.empty()) return "";
  return "changed by " + asset.row.changed_by_name +
         (asset.row.changed_on.empty() ? "" : " on " + asset.row.changed_on);
}

}  // namespace converge::providers::assets
