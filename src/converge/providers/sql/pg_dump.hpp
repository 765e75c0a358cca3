// Finding and running pg_dump for the PostgreSQL schema snapshot (internal to the sql
// provider). The raw text it returns is turned into the snapshot by
// normalise_pg_dump() (schema_text.hpp).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>
#include <vector>

#include "converge/util/error.hpp"

namespace converge::providers::sql {

struct PgDumpTool {
  std::string path;  // as run: an absolute path, or "pg_dump" found on PATH
  int major = 0;     // from `pg_dump --version`: 15 for "pg_dump (PostgreSQL) 15.18"
};

// The outcome of find_pg_dump(): a tool, or why none was usable.
struct PgDumpChoice {
  std::optional<PgDumpTool> tool;
  std::string missing;  // when !tool: "pg_dump 15 at /usr/bin/pg_dump is older than the server (16)"
};

// Finds a pg_dump whose major version is at least `server_major` (pg_dump refuses
// newer servers). `configured` (the `pg_dump` setting, else $CONVERGE_PG_DUMP) is the
// only candidate when set: Error (usage) naming it when it does not run or is too old;
// "none" asks for the catalog reader (a miss).
// Otherwise the first usable of /usr/lib/postgresql/<server_major>/bin/pg_dump, the
// other installed majors above it (lowest first), then pg_dump on PATH; a miss
// (`tool` empty) when none is. Each candidate is checked with `--version`.
Expected<PgDumpChoice> find_pg_dump(int server_major, const std::string& configured);

struct PgDumpOptions {
  bool privileges = false;  // keep GRANT/REVOKE (the `privileges` setting)
  std::vector<std::string> extra_args;  // after converge's own (dbmate_snapshot.cpp: --restrict-key, --exclude-table)
  std::chrono::milliseconds time_limit{std::chrono::minutes(5)};
  size_t output_limit = 256u << 20;
};

// `pg_dump --no-password --schema-only --no-owner --format=plain --encoding=UTF8
// [--no-privileges] <extra_args>` of the database at `url`, as pg_dump writes it. The
// URL's password (user:password@ or ?password=) is handed to pg_dump in PGPASSWORD,
// never on its command line; pg_dump never prompts. Error
// (runtime), one line naming the URL redacted, when pg_dump fails (its first error
// line), runs over the time limit or writes more than the output limit.
Expected<std::string> run_pg_dump(const PgDumpTool& tool, const std::string& url, const PgDumpOptions& options);

}  // namespace converge::providers::sql
