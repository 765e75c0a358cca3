// The UTC time as text, for records, names and stamps (strftime formats:
// "%Y-%m-%dT%H:%M:%SZ" for a record, "%Y%m%d%H%M%S" for a name).
#pragma once

#include <chrono>
#include <ctime>
#include <string>

namespace converge::util {

inline std::string utc_time(const char* format,
                            std::chrono::system_clock::time_point at = std::chrono::system_clock::now()) {
  std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::size_t n = std::strftime(text, sizeof text, format, &tm);
  return std::string(text, n);
}

}  // namespace converge::util
