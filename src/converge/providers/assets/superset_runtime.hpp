// The superset and preset runtimes of the assets provider (docs/providers/superset.md):
// the runtime read through one export of every asset and the per-kind lists (ids,
// who changed what), compared as superset_normalise.hpp says; changes written through
// one import of the changed assets with what they reference, and deletions by id.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "converge/providers/assets/options.hpp"
#include "converge/providers/assets/superset_api.hpp"

namespace converge::providers::assets {

// One asset of the runtime.
struct SupersetAsset {
  std::string kind;     // "charts"
  nlohmann::json item;  // its exported YAML (numbers normalised)
  std::string path;     // in the export: "charts/Sales_3.yaml"
  SupersetRow row;      // id 0 when the lists do not show it
};
using SupersetAssets = std::map<std::string, SupersetAsset>;  // key "<kind>/<uuid>"

// "charts" → "chart" (the API's word for a kind).
std::string api_kind(const std::string& kind);

// The fields Superset's import requires of a file of `kind` (its v1 import schemas).
const std::vector<std::string>& required_fields(const std::string& kind);

class SupersetRuntime {
 public:
  explicit SupersetRuntime(const Options& options, std::unique_ptr<http::Transport> transport = nullptr);

  // Every asset: one GET /api/v1/assets/export/ and the four lists. Error (runtime) when
  // Superset cannot be read or answers what cannot be parsed.
  Expected<SupersetAssets> read(std::vector<std::string>& notes);

  // How an item compares (superset_comparable), with is_managed_externally when
  // `managed_externally` is on: the desired item's true, the runtime's from its list row
  // (Superset's lists do not show external_url: the import sets it, nothing compares it).
  nlohmann::json desired_view(const std::string& kind, const nlohmann::json& item) const;
  nlohmann::json runtime_view(const SupersetAsset& asset) const;

  // `external_url` with {file} replaced by `file` (the asset's repository path).
  std::string external_url(const std::string& file) const;

  // One import of the bundle's items `keys` and what they reference (a dashboard its
  // charts, a chart its dataset, a dataset its database), secrets expanded, database
  // passwords sent in the `passwords` field. `content` is the assets bundle (with its
  // "files"). Error (runtime) with Superset's messages; `lost` as SupersetApi says.
  Expected<void> import(const nlohmann::json& content, const std::vector<std::string>& keys, bool* lost);

  // "changed by Alice Analyst on 2026-12-07T06:45:04" ("" when Superset does not say).
  static std::string changed_by(const SupersetAsset& asset);

  SupersetApi& api() { return api_; }

 private:
  const Options& options_;
  SupersetApi api_;
};

}  // namespace converge::providers::assets
