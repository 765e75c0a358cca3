// dbmate-format migration files: `<digits>[_name].sql` with `-- migrate:up` and
// `-- migrate:down` blocks (internal to the sql provider).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "converge/providers/sql/transaction_control.hpp"
#include "converge/util/error.hpp"

namespace converge::providers::sql {

struct Migration {
  std::string version;       // the leading digits of the file name
  std::string name;          // the rest of the stem, without the separating '_'
  std::string file;          // path as shown in messages (relative to the repo root)
  std::string content;       // the whole file, as read
  std::string up;            // lines after the `-- migrate:up` marker, up to `-- migrate:down`
  std::string down;          // lines after the `-- migrate:down` marker
  bool transaction = true;   // false for `-- migrate:up transaction:false`
  bool down_transaction = true;  // false for `-- migrate:down transaction:false` (dbmate runs that block outside one)
  int up_line = 0;           // line of the `-- migrate:up` marker (the up block starts below it)
  int down_line = 0;         // line of the `-- migrate:down` marker

  std::string key() const { return name.empty() ? version : version + "_" + name; }
};

struct FileName {
  std::string version;
  std::string name;
};

// Version and name of a migration file, as dbmate reads it (`^(\d+).*\.sql$`);
// nullopt for any other file, which dbmate (and so converge) ignores.
std::optional<FileName> split_file_name(std::string_view file_name);

// Parses one file with dbmate's rules: an up block is required and comes before the
// down block; a down block is required; only blank and comment lines may precede
// `-- migrate:up`. Marker options are `key:value` words (`transaction:false`).
// Error (config) names `file`:line. CRLF line endings are accepted. A NUL byte anywhere
// is an error at its line: SQLite and libpq take the SQL as a C string and would run
// only the text before it.
Expected<Migration> parse_migration(std::string_view file_name, std::string_view content,
                                    std::string file);

// Refuses a transactional migration whose up block ends or starts a transaction
// (find_transaction_control): it would not apply all or nothing. Error (config) at
// the statement's file:line; nothing for a `transaction:false` migration, which
// manages its transactions itself (as dbmate documents).
Expected<void> check_transaction_control(const Migration& migration, Dialect dialect);

// The largest migration file converge reads (a config error names a larger one).
inline constexpr std::uintmax_t kMaxMigrationBytes = 64u << 20;

// Every migration file in `dir`, in dbmate's order: by file name, as bytes (so
// `10_b.sql` comes before `9_a.sql`). Error (config)
// when the directory is missing, a file does not parse, two files share a version, or
// an entry with a migration's name is a dangling symlink, a symlink loop or not a
// regular file (directories are skipped, as dbmate does), or a file is larger than
// kMaxMigrationBytes. `repo_root` only shortens the paths in messages.
Expected<std::vector<Migration>> load_migrations(const std::filesystem::path& dir,
                                                 const std::filesystem::path& repo_root);

// dbmate's order of two versions: as strings, byte by byte ("10" < "9"), which is how
// dbmate's --strict compares a pending version with the highest applied one and how it
// finds the migration to roll back.
bool version_less(std::string_view a, std::string_view b);

}  // namespace converge::providers::sql
