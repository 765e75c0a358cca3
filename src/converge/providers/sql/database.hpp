// The narrow database interface the sql provider drives, with SQLite and PostgreSQL
// implementations (internal to the sql provider).
//
// Migrations are tracked in dbmate's table, so dbmate and converge can take turns on
// one database:  schema_migrations (version varchar(128) primary key), in the current
// schema on PostgreSQL. A missing table means nothing has been applied.
//
// Beside it converge keeps the down block of each migration it applied, written in
// the same transaction as the schema_migrations row, so a rollback to an older commit
// (whose files no longer hold the newer migrations) can run them:
//   converge_migration_downs (version primary key, name text,
//                             down_sql text, transactional integer)
// Neither table is part of the dumped schema.
//
// What dumps what (dump_schema()): SQLite — sqlite_database.cpp reads sqlite_master;
// PostgreSQL — pg_dump (pg_dump.hpp) normalised by schema_text.hpp, or, where no
// usable pg_dump exists, the catalog reader (postgres_dump.hpp). docs/providers/sql.md,
// "Drift coverage", lists the object kinds each one sees.
#pragma once

#include <map>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "converge/providers/provider.hpp"
#include "converge/providers/sql/timeouts.hpp"
#include "converge/util/error.hpp"

namespace converge::providers::sql {

class Database {
 public:
  virtual ~Database() = default;

  // Runs a script of one or more statements. Error (runtime) with the server's message.
  virtual Expected<void> exec(std::string_view script) = 0;
  // After exec() failed: the script, the 0-based index of the failing statement in it
  // and, when the server names one (a syntax error), the byte offset of the error.
  // Empty when the backend cannot tell.
  struct ErrorSpot {
    std::string script;
    std::optional<size_t> statement;
    std::optional<size_t> offset;
  };
  virtual const ErrorSpot& error_spot() const = 0;
  // Limits every later statement on this connection (an apply's migrations):
  // PostgreSQL SET lock_timeout / statement_timeout; SQLite waits up to the lock
  // timeout for a locked database (busy_timeout) and has no statement timeout.
  virtual Expected<void> set_timeouts(const Timeouts& timeouts) = 0;
  virtual Expected<void> begin() = 0;
  virtual Expected<void> commit() = 0;
  // Never fails loudly: used on the error path.
  virtual void rollback() = 0;
  // True while a transaction is open on the connection (one a migration may have
  // begun and left open).
  virtual bool in_transaction() = 0;

  // Versions in schema_migrations (any order); empty when the table does not exist.
  virtual Expected<std::vector<std::string>> applied_versions() = 0;
  // Creates schema_migrations and converge_migration_downs when they do not exist.
  virtual Expected<void> ensure_migrations_table() = 0;
  virtual Expected<void> insert_version(std::string_view version) = 0;
  // The rows of one statement with `params` bound to $1, $2, … (NULL reads as "").
  virtual Expected<std::vector<std::vector<std::string>>> query(const std::string& sql,
                                                                const std::vector<std::string>& params) = 0;
  // True when `table` exists (in the current schema on PostgreSQL).
  virtual Expected<bool> has_table(const std::string& table) = 0;

  // converge_migration_downs (database.cpp), on top of query() and has_table().
  struct RecordedDown {
    std::string version;
    std::string name;
    std::string sql;
    bool transactional = true;
  };
  // Records (replaces) the down block of `down.version`.
  Expected<void> record_down(const RecordedDown& down);
  // Every recorded down block by version; empty when the table does not exist.
  Expected<std::map<std::string, RecordedDown>> recorded_downs();
  // Deletes the schema_migrations row of `version` and its recorded down block.
  Expected<void> delete_version(std::string_view version);
  // The longest version schema_migrations.version holds, 0 for no limit. PostgreSQL:
  // the column's declared length (varchar(128) as converge and current dbmate create
  // it, so 128 before the table exists; older dbmate created varchar(255)). SQLite: 0,
  // it does not enforce declared lengths.
  virtual Expected<size_t> version_capacity() = 0;

  // The live schema as deterministic SQL text (schema_migrations and
  // converge_migration_downs left out); "" when empty. SQLite: the `sqlite_master` SQL.
  // PostgreSQL: `pg_dump --schema-only` normalised (pg_dump.hpp, schema_text.hpp) when a
  // pg_dump at least as new as the server is found; otherwise converge's catalog reader
  // (postgres_dump.hpp), its text led by kCatalogSnapshotMarker. Error (runtime) when
  // the dumper fails; (usage) when the configured pg_dump is unusable.
  virtual Expected<std::string> dump_schema() = 0;

  // The live schema and the committed `snapshot` as texts that are equal when there is
  // no drift. SQLite: {dump_schema(), snapshot}. PostgreSQL: the live schema from the
  // dumper that wrote the snapshot (snapshot_dumper(), schema_text.hpp: the catalog
  // reader for a catalog snapshot, pg_dump otherwise), and a raw pg_dump file (dbmate's
  // schema.sql) normalised. Error (usage, exit 2) when the snapshot was written by
  // pg_dump and no usable pg_dump is found here: comparing it with the catalog reader's
  // text would report false drift.
  // The schema file `dbmate dump` writes for this database (`snapshot_format: dbmate`,
  // dbmate_snapshot.hpp), converge_migration_downs left out. Error (runtime) from the
  // database or pg_dump.
  virtual Expected<std::string> dump_dbmate() = 0;

  struct SchemaTexts {
    std::string live;
    std::string snapshot;
  };
  virtual Expected<SchemaTexts> compare_schema(std::string_view snapshot);
};

// How a PostgreSQL database dumps its schema (the sql target's settings).
struct DumpSettings {
  std::string pg_dump;      // `pg_dump`: the program to run; "" finds one (pg_dump.hpp)
  bool privileges = false;  // `privileges`: keep GRANT/REVOKE in the snapshot
};

// The statement ensure_migrations_table() runs for converge_migration_downs.
inline constexpr const char* kCreateDownsTable =
    "CREATE TABLE IF NOT EXISTS converge_migration_downs (version text PRIMARY KEY, name text NOT NULL,"
    " down_sql text NOT NULL, transactional integer NOT NULL)";

enum class OpenMode {
  read,    // a missing SQLite file reads as an empty database and is not created
  write,   // creates the SQLite file (and its directory) when missing
};

// Opens `url` (sqlite:///relative/to/repo_root, sqlite:////absolute, postgres://,
// postgresql://). Error (runtime) when the database cannot be opened; messages carry
// the URL with its password redacted.
// `dump` applies to PostgreSQL only.
Expected<std::unique_ptr<Database>> open_database(std::string_view url,
                                                  const std::filesystem::path& repo_root, OpenMode mode,
                                                  const DumpSettings& dump = {});

// Implementations behind open_database().
Expected<std::unique_ptr<Database>> open_sqlite(const std::filesystem::path& file, OpenMode mode);
Expected<std::unique_ptr<Database>> open_postgres(const std::string& url, const DumpSettings& dump = {});

// The apply lock of the database at `url` (target_lock.cpp), waited for as
// `request` says: on PostgreSQL a session-level advisory lock on its own connection,
// on SQLite an flock on "<file>.converge-lock" beside the file. Both are released
// when the Lock is destroyed or the process dies. Error (refused) naming the holder
// on timeout; (runtime) when the database cannot be reached.
Expected<std::unique_ptr<Lock>> lock_database(std::string_view url, const std::filesystem::path& repo_root,
                                              const LockRequest& request);

// True for the URL schemes open_database() understands.
bool is_sqlite_url(std::string_view url);
bool is_postgres_url(std::string_view url);
// The file a sqlite:/// URL names; an empty path when the URL is not sqlite:///.
std::filesystem::path sqlite_path(std::string_view url, const std::filesystem::path& repo_root);

// `url` safe to show: the password in user:password@, ?password= and ?sslpassword=
// becomes ***.
std::string redact_url(std::string_view url);

}  // namespace converge::providers::sql
