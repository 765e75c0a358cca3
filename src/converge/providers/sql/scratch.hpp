// A scratch database to replay migrations on, for the PR schema diff and `plan
// --write-snapshot` (internal to the sql provider): never the target itself.
//
// PostgreSQL: `CREATE DATABASE converge_scratch_<UTC yyyymmddhhmmss>_<12 hex>` on the
// target's server, reached with the target URL's credentials and its database name
// replaced; dropped when the Scratch is destroyed, also after a failure. A run killed
// before that leaves one behind; its name says what it is and when it was made, and the
// next scratch made on that server drops those older than a day. A role without
// CREATEDB (or a server that refuses the CREATE DATABASE) gives no scratch and the
// reason instead. SQLite: a fresh file in the system's temporary directory, removed
// the same way.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "converge/providers/sql/database.hpp"

namespace converge::providers::sql {

class Scratch {
 public:
  virtual ~Scratch() = default;
  virtual Database& db() = 0;
  // What it is, safe to show: the scratch URL with its password redacted, or the file.
  virtual std::string label() const = 0;
};

// A scratch database or, when none can be made, why (one sentence, no secret).
struct ScratchOrWhyNot {
  std::unique_ptr<Scratch> scratch;
  std::string why_not;
};

// Makes a scratch database beside the target at `url` (see above), opened with `dump`
// like the target. Never an Error: what goes wrong is the why_not.
ScratchOrWhyNot make_scratch(std::string_view url, const DumpSettings& dump);

// The prefix of every scratch database's name.
inline constexpr std::string_view kScratchPrefix = "converge_scratch_";

// `url` (postgres://…) naming database `name` instead of its own: the path replaced,
// a `dbname=` query parameter too. Everything else (credentials, host, options) kept.
std::string with_database(std::string_view url, std::string_view name);

}  // namespace converge::providers::sql
