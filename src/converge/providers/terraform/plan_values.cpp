// Combining a plan's values with their sensitive and unknown markers, marking
// volatile attributes, and naming what drifted. Every walk is recursive; the reader
// refuses documents nested deeper than 64 levels before any value gets here.
#include "converge/providers/terraform/plan_values.hpp"

#include <algorithm>
#include <set>

namespace converge::providers::terraform {
namespace {

using nlohmann::json;

const json& null_json() {
  static const json null;
  return null;
}

const json& member(const json& j, const std::string& key) {
  if (!j.is_object()) return null_json();
  auto it = j.find(key);
  return it == j.end() ? null_json() : *it;
}

const json& element(const json& j, std::size_t i) { return j.is_array() && i < j.size() ? j[i] : null_json(); }

// A sensitive marker at this part: true, or any scalar but false and null (fail safe).
bool marks_sensitive(const json& marker) {
  if (marker.is_null() || marker.is_structured()) return false;
  return !(marker.is_boolean() && !marker.get<bool>());
}

// A sensitive structure that does not fit `value`: something inside is marked and
// cannot be located, so all of it is hidden.
bool misfits(const json& marker, const json& value) {
  return marker.is_structured() && !marker.empty() && marker.type() != value.type();
}

bool marks_unknown(const json& marker) { return marker.is_boolean() && marker.get<bool>(); }

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    parts.emplace_back(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

void mark_path(json& value, const std::vector<std::string>& parts, std::size_t at) {
  if (value.is_array()) {
    for (auto& item : value) mark_path(item, parts, at);
    return;
  }
  if (!value.is_object() || at >= parts.size()) return;
  auto it = value.find(parts[at]);
  if (it == value.end()) return;
  if (at + 1 == parts.size()) *it = kVolatile;
  else mark_path(*it, parts, at + 1);
}

std::string joined(const std::string& prefix, const std::string& key) { return prefix.empty() ? key : prefix + "." + key; }

void diff(const json& before, const json& after, const json& bs, const json& as, const std::string& path,
          std::vector<std::string>& out) {
  const bool sensitive = marks_sensitive(bs) || marks_sensitive(as) || misfits(bs, before) || misfits(as, after);
  if (!sensitive && before.is_object() && after.is_object()) {
    std::set<std::string> keys;
    for (const auto& [k, v] : before.items()) keys.insert(k);
    for (const auto& [k, v] : after.items()) keys.insert(k);
    for (const auto& k : keys)
      diff(member(before, k), member(after, k), member(bs, k), member(as, k), joined(path, k), out);
    return;
  }
  if (!sensitive && before.is_array() && after.is_array() && before.size() == after.size()) {
    for (std::size_t i = 0; i < before.size(); ++i)
      diff(before[i], after[i], element(bs, i), element(as, i), path + "[" + std::to_string(i) + "]", out);
    return;
  }
  if (before != after) out.push_back(path.empty() ? "the whole object" : path);
}

}  // namespace

json shown_value(json value, const json& sensitive, const json& unknown) {
  if (marks_sensitive(sensitive) || misfits(sensitive, value)) return kSensitive;
  if (marks_unknown(unknown)) return kKnownAfterApply;
  if (value.is_object() || (value.is_null() && unknown.is_object() && !unknown.empty())) {
    if (value.is_null()) value = json::object();
    for (auto& [k, v] : value.get_ref<json::object_t&>()) v = shown_value(std::move(v), member(sensitive, k), member(unknown, k));
    if (unknown.is_object())
      for (const auto& [k, u] : unknown.items()) {
        if (value.contains(k)) continue;
        json part = shown_value(json(), member(sensitive, k), u);
        if (!part.is_null()) value[k] = std::move(part);
      }
    return value;
  }
  if (value.is_array() || (value.is_null() && unknown.is_array() && !unknown.empty())) {
    if (value.is_null()) value = json::array();
    const std::size_t known = value.size();
    const std::size_t n = std::max(known, unknown.is_array() ? unknown.size() : 0);
    for (std::size_t i = 0; i < known; ++i)
      value[i] = shown_value(std::move(value[i]), element(sensitive, i), element(unknown, i));
    for (std::size_t i = known; i < n; ++i) value.push_back(shown_value(json(), element(sensitive, i), element(unknown, i)));
    return value;
  }
  return value;
}

void mark_volatile(json& value, std::string_view type, const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    const auto parts = split(path);
    if (std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) continue;
    mark_path(value, parts, 0);
    if (parts.size() > 1 && parts[0] == type) mark_path(value, parts, 1);
  }
}

std::vector<std::string> differing_paths(const json& before, const json& after, const json& before_sensitive,
                                         const json& after_sensitive) {
  std::vector<std::string> out;
  diff(before, after, before_sensitive, after_sensitive, "", out);
  return out;
}

}  // namespace converge::providers::terraform
