// Superset assets as converge compares them (see superset_normalise.hpp).
#include "converge/providers/assets/superset_normalise.hpp"

#include <map>

namespace converge::providers::assets {
namespace {

using nlohmann::json;

// Where the password sits in "scheme://user:password@rest": [begin, end) or npos.
std::pair<std::size_t, std::size_t> password_span(const std::string& uri) {
  auto scheme = uri.find("://");
  if (scheme == std::string::npos) return {std::string::npos, 0};
  std::size_t start = scheme + 3;
  auto at = uri.find('@', start);
  auto slash = uri.find('/', start);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return {std::string::npos, 0};
  auto colon = uri.find(':', start);
  if (colon == std::string::npos || colon > at) return {std::string::npos, 0};
  return {colon + 1, at};
}

// The chart ids of a dashboard's position → the charts' uuids.
std::map<long long, std::string> chart_uuids(const json& dashboard) {
  std::map<long long, std::string> out;
  if (!dashboard.contains("position") || !dashboard["position"].is_object()) return out;
  for (const auto& [key, node] : dashboard["position"].items()) {
    if (!node.is_object() || node.value("type", json()) != json("CHART") || !node.contains("meta") ||
        !node["meta"].is_object())
      continue;
    const json& meta = node["meta"];
    if (meta.contains("chartId") && meta["chartId"].is_number_integer() && meta.contains("uuid") &&
        meta["uuid"].is_string())
      out[meta["chartId"].get<long long>()] = meta["uuid"];
  }
  return out;
}

// An id as a chart's uuid: integers and integer strings through `ids`; "" when unknown.
std::string uuid_of(const json& id, const std::map<long long, std::string>& ids) {
  long long number = 0;
  if (id.is_number_integer()) {
    number = id.get<long long>();
  } else if (id.is_string()) {
    const std::string& text = id.get_ref<const std::string&>();
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
      // A uuid already (the example-export format) stays itself.
      for (const auto& [n, uuid] : ids)
        if (uuid == text) return uuid;
      return "";
    }
    number = std::stoll(text);
  } else {
    return "";
  }
  auto found = ids.find(number);
  return found == ids.end() ? "" : found->second;
}

json uuid_list(const json& list, const std::map<long long, std::string>& ids) {
  json out = json::array();
  if (!list.is_array()) return list;
  for (const auto& id : list)
    if (auto uuid = uuid_of(id, ids); !uuid.empty()) out.push_back(uuid);
  return out;
}

json uuid_keys(const json& object, const std::map<long long, std::string>& ids) {
  if (!object.is_object()) return object;
  json out = json::object();
  for (const auto& [key, value] : object.items())
    if (auto uuid = uuid_of(json(key), ids); !uuid.empty()) out[uuid] = value;
  return out;
}

void scope_to_uuids(json& config, const std::map<long long, std::string>& ids) {
  if (!config.is_object()) return;
  if (config.contains("scope") && config["scope"].is_object() && config["scope"].contains("excluded"))
    config["scope"]["excluded"] = uuid_list(config["scope"]["excluded"], ids);
  if (config.contains("chartsInScope")) config["chartsInScope"] = uuid_list(config["chartsInScope"], ids);
}

void dashboard_to_uuids(json& item) {
  const auto ids = chart_uuids(item);
  if (item.contains("position") && item["position"].is_object())
    for (auto& [key, node] : item["position"].items())
      if (node.is_object() && node.value("type", json()) == json("CHART") && node.contains("meta") &&
          node["meta"].is_object())
        node["meta"].erase("chartId");
  if (!item.contains("metadata") || !item["metadata"].is_object()) return;
  json& m = item["metadata"];
  if (m.contains("timed_refresh_immune_slices"))
    m["timed_refresh_immune_slices"] = uuid_list(m["timed_refresh_immune_slices"], ids);
  if (m.contains("filter_scopes")) {
    m["filter_scopes"] = uuid_keys(m["filter_scopes"], ids);
    for (auto& [chart, columns] : m["filter_scopes"].items())
      if (columns.is_object())
        for (auto& [column, attributes] : columns.items())
          if (attributes.is_object() && attributes.contains("immune"))
            attributes["immune"] = uuid_list(attributes["immune"], ids);
  }
  if (m.contains("expanded_slices")) m["expanded_slices"] = uuid_keys(m["expanded_slices"], ids);
  if (m.contains("default_filters") && m["default_filters"].is_string()) {
    json filters = json::parse(m["default_filters"].get<std::string>(), nullptr, false);
    if (!filters.is_discarded()) m["default_filters"] = uuid_keys(filters, ids);
  }
  if (m.contains("native_filter_configuration") && m["native_filter_configuration"].is_array())
    for (auto& filter : m["native_filter_configuration"]) {
      if (!filter.is_object()) continue;
      if (filter.contains("targets") && filter["targets"].is_array())
        for (auto& target : filter["targets"])
          if (target.is_object() && target.contains("datasetUuid")) target.erase("datasetId");
      scope_to_uuids(filter, ids);
    }
  if (m.contains("global_chart_configuration")) scope_to_uuids(m["global_chart_configuration"], ids);
  if (m.contains("chart_configuration") && m["chart_configuration"].is_object()) {
    json out = json::object();
    for (auto& [key, config] : m["chart_configuration"].items()) {
      std::string uuid = uuid_of(json(key), ids);
      if (uuid.empty()) continue;
      json c = config;
      if (c.is_object()) {
        c.erase("id");
        if (c.contains("crossFilters")) scope_to_uuids(c["crossFilters"], ids);
      }
      out[uuid] = std::move(c);
    }
    m["chart_configuration"] = std::move(out);
  }
}

void drop_chart_caches(json& item) {
  item.erase("query_context");
  if (item.contains("params") && item["params"].is_object()) {
    item["params"].erase("datasource");
    item["params"].erase("slice_id");
  }
}

}  // namespace

std::string uri_password(const std::string& uri) {
  auto [begin, end] = password_span(uri);
  return begin == std::string::npos ? "" : uri.substr(begin, end - begin);
}

std::string uri_with_password(const std::string& uri, const std::string& with) {
  auto [begin, end] = password_span(uri);
  if (begin == std::string::npos) return uri;
  return uri.substr(0, begin) + with + uri.substr(end);
}

json superset_comparable(const std::string& kind, json item) {
  if (!item.is_object()) return item;
  if (kind == "databases") {
    item.erase("password");
    if (item.contains("sqlalchemy_uri") && item["sqlalchemy_uri"].is_string()) {
      std::string uri = item["sqlalchemy_uri"];
      if (!uri_password(uri).empty()) item["sqlalchemy_uri"] = uri_with_password(uri, kSupersetPasswordMask);
    }
  } else if (kind == "charts") {
    drop_chart_caches(item);
  } else if (kind == "dashboards") {
    dashboard_to_uuids(item);
  }
  return item;
}

json superset_exportable(const std::string& kind, json item) {
  if (kind == "charts" && item.is_object()) drop_chart_caches(item);
  return item;
}

}  // namespace converge::providers::assets
