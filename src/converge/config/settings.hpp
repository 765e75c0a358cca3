// A provider's settings for one target in one environment: keys from converge.yaml,
// with `${VAR}` already expanded and each value's source location kept, so a
// provider can report a bad value as file:line:column.
#pragma once

#include <chrono>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "converge/util/error.hpp"

namespace converge::config {

struct Setting {
  nlohmann::json value;  // string, number, bool, null, array or object
  SourceLocation where;
  bool from_variable = false;  // some part came from a ${VAR} (treated as secret)
  bool unresolved = false;     // resolve(keep_unset): a ${VAR} in it is not set; the value is
                               // the text as written, for a step that never reaches the runtime
};

class Settings {
 public:
  Settings() = default;
  explicit Settings(SourceLocation where) : where_(std::move(where)) {}

  void set(std::string key, Setting value) { values_[std::move(key)] = std::move(value); }

  // nullptr when the key is absent.
  const Setting* find(std::string_view key) const;
  const std::map<std::string, Setting, std::less<>>& all() const { return values_; }
  const SourceLocation& where() const { return where_; }

  // Typed access. A missing required key or a value of the wrong type is a config
  // Error naming the file:line:column of the value (or of the target when missing).
  Expected<std::string> string(std::string_view key) const;
  Expected<std::string> string_or(std::string_view key, std::string fallback) const;
  Expected<bool> boolean_or(std::string_view key, bool fallback) const;
  Expected<long long> integer_or(std::string_view key, long long fallback) const;
  // A list of strings; `fallback` when absent.
  Expected<std::vector<std::string>> strings_or(std::string_view key, std::vector<std::string> fallback) const;
  // A duration: a whole number with a unit (ms, s, min, h: "200ms", "5s", "15min", "1h"),
  // or 0 for no limit; at most `max`. `fallback` when absent.
  Expected<std::chrono::milliseconds> duration_or(std::string_view key, std::chrono::milliseconds fallback,
                                                  std::chrono::milliseconds max) const;

  // True when the key's value has a ${VAR} that was not set (resolve's keep_unset): a
  // provider does not check such a value, which only compile sees.
  bool unresolved(std::string_view key) const {
    const Setting* s = find(key);
    return s && s->unresolved;
  }
  // Error for the first key not in `allowed` (a typo must not be ignored).
  Expected<void> allow_only(std::initializer_list<std::string_view> allowed) const;

 private:
  std::map<std::string, Setting, std::less<>> values_;
  SourceLocation where_;
};

}  // namespace converge::config
