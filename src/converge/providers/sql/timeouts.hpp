// The per-migration timeouts of the sql provider: `lock_timeout` and
// `statement_timeout` from the target's settings (internal to the sql provider).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "converge/config/settings.hpp"
#include "converge/util/error.hpp"

namespace converge::providers::sql {

// How long one migration may wait for a lock, and run one statement; 0 is no limit.
// The defaults never block production for long: a migration that queues behind a
// long transaction stops after 10s instead of holding every other query behind it.
struct Timeouts {
  std::chrono::milliseconds lock{std::chrono::seconds(10)};
  std::chrono::milliseconds statement{std::chrono::minutes(30)};
};

// Reads `lock_timeout` and `statement_timeout`: a whole number with a unit (ms, s,
// min, h: "200ms", "5s", "15min"), or 0 for no limit. Error (config) at the value.
Expected<Timeouts> read_timeouts(const config::Settings& settings);

// The PostgreSQL spelling of `value` ("200ms", "0" for no limit).
std::string postgres_interval(std::chrono::milliseconds value);

// 1-based line in a migration file of the byte `offset` into its up block, the block
// starting on the line below the `-- migrate:up` marker at `up_line`.
int file_line(std::string_view up, size_t offset, int up_line);

}  // namespace converge::providers::sql
