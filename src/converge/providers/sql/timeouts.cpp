// Parses the sql provider's timeout settings and maps error offsets to file lines.
#include "converge/providers/sql/timeouts.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

namespace converge::providers::sql {
namespace {

using std::chrono::milliseconds;

// "<digits><unit>" or 0 (a number or a string): milliseconds; nullopt when malformed.
std::optional<milliseconds> parse(const nlohmann::json& value) {
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

Expected<milliseconds> read(const config::Settings& settings, std::string_view key, milliseconds fallback) {
  const config::Setting* setting = settings.find(key);
  if (!setting) return fallback;
  if (auto value = parse(setting->value)) {
    // PostgreSQL takes at most INT_MAX milliseconds (about 24 days).
    if (value->count() <= 2'147'483'647) return *value;
  }
  return fail(Error::config("setting '" + std::string(key) +
                                "' must be a duration such as 200ms, 5s, 15min or 1h (at most 24 days), or 0 for "
                                "no limit",
                            setting->where));
}

}  // namespace

Expected<Timeouts> read_timeouts(const config::Settings& settings) {
  Timeouts out;
  auto lock = read(settings, "lock_timeout", out.lock);
  if (!lock) return fail(lock.error());
  auto statement = read(settings, "statement_timeout", out.statement);
  if (!statement) return fail(statement.error());
  out.lock = *lock;
  out.statement = *statement;
  return out;
}

std::string postgres_interval(milliseconds value) {
  return value.count() == 0 ? "0" : std::to_string(value.count()) + "ms";
}

int file_line(std::string_view up, size_t offset, int up_line) {
  offset = std::min(offset, up.size());
  return up_line + 1 + static_cast<int>(std::count(up.begin(), up.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

}  // namespace converge::providers::sql
