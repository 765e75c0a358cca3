// The schema file `dbmate dump` writes (snapshot_format: dbmate), byte for byte, and
// the reading of such a file as a snapshot (internal to the sql provider).
//
// dbmate 2.x writes, for PostgreSQL, `pg_dump --format=plain --encoding=UTF8
// --schema-only --no-privileges --no-owner [--restrict-key=dbmate]` followed by
//   \n--\n-- Dbmate schema migrations\n--\n\nINSERT INTO public.schema_migrations (version) VALUES\n    ('1'),\n    ('2');\n
// and, for SQLite, the sqlite3 shell's `.schema --nosys` followed by
//   -- Dbmate schema migrations\nINSERT INTO "schema_migrations" (version) VALUES\n  ('1'),\n  ('2');\n
// both passed through its TrimLeadingSQLComments (leading blank and `--` lines
// dropped, trailing whitespace of every other line trimmed). converge writes the same,
// except that its own converge_migration_downs table is left out, so the file equals
// what dbmate writes for a database dbmate migrated (the file a team moving from
// dbmate already has).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "converge/config/settings.hpp"
#include "converge/providers/sql/database.hpp"
#include "converge/providers/sql/transaction_control.hpp"
#include "converge/util/error.hpp"

namespace converge::providers::sql {

// The `snapshot_format` setting: which file apply writes (either is read).
enum class SnapshotFormat { converge, dbmate };

// Reads `snapshot_format` (`converge`, the default, or `dbmate`). Error (config) at the
// value for anything else.
Expected<SnapshotFormat> read_snapshot_format(const config::Settings& settings);

// True when `text` is a schema file written by dbmate (or in its format by converge):
// it has dbmate's "-- Dbmate schema migrations" line.
bool is_dbmate_snapshot(std::string_view text);

// dbmate's dbutil.TrimLeadingSQLComments: leading lines that are empty or start with
// "--" are dropped; every later line loses its trailing (Unicode) whitespace and ends
// with "\n".
std::string trim_leading_sql_comments(std::string_view text);

// True when pg_dump of `version_output` ("pg_dump (PostgreSQL) 15.18 …") knows
// --restrict-key, as dbmate decides it.
bool pg_dump_has_restrict_key(std::string_view version_output);

// The file `dbmate dump` writes for the SQLite database `db`: its `.schema --nosys`
// text rebuilt from sqlite_master as the sqlite3 shell prints it, then the applied
// versions. converge_migration_downs is left out. Error (runtime) from the database.
Expected<std::string> dbmate_sqlite_dump(Database& db);

// The file `dbmate dump` writes for the PostgreSQL database `db` at `url`: pg_dump
// (found as for the snapshot, pg_dump.hpp, with `dump.pg_dump`) run with dbmate's
// arguments and converge_migration_downs excluded, then the applied versions. Error
// (runtime) when pg_dump fails or none is usable, or from the database.
Expected<std::string> dbmate_postgres_dump(Database& db, const std::string& url, const DumpSettings& dump);

// dbmate_postgres_dump() given `pg_dump`, pg_dump's output.
Expected<std::string> dbmate_postgres_file(Database& db, std::string_view pg_dump);

// A SQLite schema text in either format (converge's or dbmate's) reduced to what a
// comparison looks at: the CREATE statements sorted, without dbmate's INSERT trailer,
// without schema_migrations and converge_migration_downs, without the sqlite3 shell's
// additions (`IF NOT EXISTS` before a quoted table name, the `/* view(columns) */`
// line after a view). Equal schemas give equal text whichever tool wrote the file.
std::string comparable_sqlite_schema(std::string_view text);

}  // namespace converge::providers::sql
