// Typed, location-aware access to a target's provider settings.
#include "converge/config/settings.hpp"

#include <algorithm>

#include "converge/util/join.hpp"

namespace converge::config {

const Setting* Settings::find(std::string_view key) const {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

Expected<std::string> Settings::string(std::string_view key) const {
  const Setting* s = find(key);
  if (!s) return fail(Error::config("missing setting '" + std::string(key) + "'", where_));
  if (!s->value.is_string())
    return fail(Error::config("setting '" + std::string(key) + "' must be a string", s->where));
  return s->value.get<std::string>();
}

Expected<std::string> Settings::string_or(std::string_view key, std::string fallback) const {
  if (!find(key)) return fallback;
  return string(key);
}

Expected<bool> Settings::boolean_or(std::string_view key, bool fallback) const {
  const Setting* s = find(key);
  if (!s) return fallback;
  if (!s->value.is_boolean())
    return fail(Error::config("setting '" + std::string(key) + "' must be true or false", s->where));
  return s->value.get<bool>();
}

Expected<long long> Settings::integer_or(std::string_view key, long long fallback) const {
  const Setting* s = find(key);
  if (!s) return fallback;
  if (!s->value.is_number_integer())
    return fail(Error::config("setting '" + std::string(key) + "' must be an integer", s->where));
  return s->value.get<long long>();
}

Expected<void> Settings::allow_only(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [key, setting] : values_) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return fail(Error::config("unknown setting '" + key + "' (known: " + util::join(allowed, ", ") + ")",
                                setting.where));
  }
  return {};
}

}  // namespace converge::config
