// Typed, location-aware access to a target's provider settings.
#include "converge/config/settings.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

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

Expected<std::vector<std::string>> Settings::strings_or(std::string_view key,
                                                       std::vector<std::string> fallback) const {
  const Setting* s = find(key);
  if (!s) return fallback;
  auto wrong = [&] { return Error::config("setting '" + std::string(key) + "' must be a list of strings", s->where); };
  if (!s->value.is_array()) return fail(wrong());
  std::vector<std::string> out;
  for (const auto& v : s->value) {
    if (!v.is_string()) return fail(wrong());
    out.push_back(v.get<std::string>());
  }
  return out;
}

namespace {

using std::chrono::milliseconds;

// "<digits><unit>" or 0 (a number or a string): milliseconds; nullopt when malformed.
std::optional<milliseconds> parse_duration(const nlohmann::json& value) {
  if (value.is_number_integer()) {
    if (value.get<long long>() == 0) return milliseconds(0);
    return std::nullopt;  // a bare number has no unit: 5 would be 5ms to PostgreSQL
  }
  if (!value.is_string()) return std::nullopt;
  const std::string text = value.get<std::string>();
  long long number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data() || number < 0 || number > 1'000'000'000) return std::nullopt;
  std::string_view unit(end, text.data() + text.size());
  if (unit.empty()) return number == 0 ? std::optional(milliseconds(0)) : std::nullopt;
  if (unit == "ms") return milliseconds(number);
  if (unit == "s") return milliseconds(number * 1000);
  if (unit == "min") return milliseconds(number * 60'000);
  if (unit == "h") return milliseconds(number * 3'600'000);
  return std::nullopt;
}

// "24 days", "1 h", "500 ms": the largest whole unit of `value`.
std::string in_words(milliseconds value) {
  const long long ms = value.count();
  if (ms % 86'400'000 == 0) return std::to_string(ms / 86'400'000) + " days";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + " h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + " min";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

}  // namespace

Expected<milliseconds> Settings::duration_or(std::string_view key, milliseconds fallback, milliseconds max) const {
  const Setting* s = find(key);
  if (!s) return fallback;
  if (auto value = parse_duration(s->value); value && *value <= max) return *value;
  return fail(Error::config("setting '" + std::string(key) + "' must be a duration such as 200ms, 5s, 15min or 1h " +
                                "(at most " + in_words(max) + "), or 0 for no limit",
                            s->where));
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
