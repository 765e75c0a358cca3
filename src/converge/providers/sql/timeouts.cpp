// Parses the sql provider's timeout settings and maps error offsets to file lines.
#include "converge/providers/sql/timeouts.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

namespace converge::providers::sql {
namespace {

using std::chrono::milliseconds;

Expected<milliseconds> read(const config::Settings& settings, std::string_view key, milliseconds fallback) {
  // PostgreSQL takes at most INT_MAX milliseconds (about 24 days).
  return settings.duration_or(key, fallback, std::chrono::days(24));
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
