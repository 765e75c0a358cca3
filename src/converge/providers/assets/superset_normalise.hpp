// Superset assets as converge compares them (runtime superset and preset): the YAML of
// an asset as Superset's export writes it and as the repository holds it, with what
// each Superset instance assigns on its own taken out, so an asset imported into one
// runtime and exported again compares equal to its file, whichever instance that file
// was exported from:
//   databases   the password in sqlalchemy_uri becomes Superset's mask XXXXXXXXXX;
//               a `password` field is dropped;
//   charts      query_context (a cache Superset's import drops), params.datasource
//               ("<dataset id>__table") and params.slice_id are dropped;
//   dashboards  the chart ids of the instance (position's meta.chartId; in metadata
//               timed_refresh_immune_slices, filter_scopes, expanded_slices,
//               default_filters, native filters' chartsInScope and scope.excluded,
//               chart_configuration and global_chart_configuration) become the
//               charts' uuids by the dashboard's own position, as Superset's import
//               maps them (update_id_refs); an id no chart of the position has is
//               dropped, as that import drops it; default_filters, a JSON string, is
//               compared as the JSON it holds; a native filter target's datasetId is
//               dropped (its datasetUuid stays).
// Everything else is compared as written.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace converge::providers::assets {

// `item` of kind `kind` ("databases", "datasets", "charts", "dashboards") as compared.
nlohmann::json superset_comparable(const std::string& kind, nlohmann::json item);

// What an exported asset needs before it goes to Git: `item` without the fields
// Superset's import recomputes and no instance shares (charts' query_context,
// params.datasource and params.slice_id). Ids a dashboard's position holds stay: the
// import maps its metadata through them.
nlohmann::json superset_exportable(const std::string& kind, nlohmann::json item);

// The password of a SQLAlchemy URI "scheme://user:password@host…" ("" when it has none)
// and the URI with the password replaced by `with`.
std::string uri_password(const std::string& uri);
std::string uri_with_password(const std::string& uri, const std::string& with);

inline constexpr const char* kSupersetPasswordMask = "XXXXXXXXXX";

}  // namespace converge::providers::assets
