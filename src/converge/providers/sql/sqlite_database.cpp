// The SQLite backend of the sql provider (libsqlite3): runs migrations, tracks them in
// dbmate's schema_migrations table and dumps the schema from sqlite_master.
#include <sqlite3.h>

#include <climits>
#include <system_error>

#include "converge/providers/sql/database.hpp"
#include "converge/providers/sql/dbmate_snapshot.hpp"

namespace converge::providers::sql {
namespace {

// How long a read or the schema_migrations bookkeeping waits for a locked database.
constexpr int kBusyTimeoutMs = 5000;

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS \"schema_migrations\" (version varchar(128) primary key)";

// Schema objects in a stable order: tables, indexes, views, triggers, each by name.
// sqlite_* internals, automatic indexes (NULL sql), dbmate's table and converge's
// converge_migration_downs are left out.
constexpr const char* kDumpQuery =
    "SELECT sql FROM sqlite_master"
    " WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    "   AND tbl_name NOT IN ('schema_migrations', 'converge_migration_downs')"
    " ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2"
    "                    WHEN 'trigger' THEN 3 ELSE 4 END, name";

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(sqlite3* db, std::string label) : db_(db), label_(std::move(label)) {}
  ~SqliteDatabase() override { sqlite3_close_v2(db_); }
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  // Statement by statement (as sqlite3_exec does), counting them for error_spot().
  Expected<void> exec(std::string_view script) override {
    spot_ = {};
    std::string text(script);
    const char* next = text.c_str();
    for (size_t index = 0; *next != '\0';) {
      sqlite3_stmt* stmt = nullptr;
      int rc = sqlite3_prepare_v2(db_, next, -1, &stmt, &next);
      if (rc == SQLITE_OK && stmt) {
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        }
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
      }
      if (rc != SQLITE_OK) {
        std::string why = sqlite3_errmsg(db_);
        sqlite3_finalize(stmt);
        spot_.script = text;
        spot_.statement = index;
        return fail(Error::runtime(label_ + ": " + why));
      }
      if (stmt) ++index;  // not for a tail of only whitespace or comments
      sqlite3_finalize(stmt);
    }
    return {};
  }
  const ErrorSpot& error_spot() const override { return spot_; }

  Expected<void> set_timeouts(const Timeouts& timeouts) override {
    auto ms = timeouts.lock.count();
    sqlite3_busy_timeout(db_, ms == 0 || ms > INT_MAX ? INT_MAX : static_cast<int>(ms));
    return {};
  }
  Expected<void> begin() override { return exec("BEGIN"); }
  Expected<void> commit() override { return exec("COMMIT"); }
  void rollback() override {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  bool in_transaction() override { return sqlite3_get_autocommit(db_) == 0; }

  Expected<std::vector<std::string>> applied_versions() override {
    auto exists = column(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'", {});
    if (!exists) return fail(exists.error());
    if (exists->empty()) return std::vector<std::string>{};
    return column("SELECT version FROM schema_migrations", {});
  }

  Expected<void> ensure_migrations_table() override {
    if (auto ok = exec(kCreateTable); !ok) return ok;
    return exec(kCreateDownsTable);
  }

  Expected<void> insert_version(std::string_view version) override {
    auto done = column("INSERT INTO schema_migrations (version) VALUES (?1)", version);
    if (!done) return fail(done.error());
    return {};
  }

  Expected<bool> has_table(const std::string& table) override {
    auto found = column("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1", table);
    if (!found) return fail(found.error());
    return !found->empty();
  }

  // varchar(128) is only a type name to SQLite: any length is stored.
  Expected<size_t> version_capacity() override { return 0; }

  Expected<std::string> dump_schema() override {
    auto statements = column(kDumpQuery, {});
    if (!statements) return fail(statements.error());
    std::string out;
    for (const auto& sql : *statements) {
      if (!out.empty()) out += "\n";
      out += sql + ";\n";
    }
    return out;
  }

  Expected<std::string> dump_dbmate() override { return dbmate_sqlite_dump(*this); }

  // A snapshot in dbmate's format (the sqlite3 shell's `.schema` text and the applied
  // versions) is compared in comparable form (comparable_sqlite_schema), either side.
  Expected<SchemaTexts> compare_schema(std::string_view snapshot) override {
    auto live = dump_schema();
    if (!live) return fail(live.error());
    if (!is_dbmate_snapshot(snapshot)) return SchemaTexts{.live = std::move(*live), .snapshot = std::string(snapshot)};
    return SchemaTexts{.live = comparable_sqlite_schema(*live), .snapshot = comparable_sqlite_schema(snapshot)};
  }

 private:
  // First column of every row of `sql`, with `arg` bound to ?1 when not empty.
  Expected<std::vector<std::string>> column(const char* sql, std::string_view arg) {
    std::vector<std::string> args;
    if (!arg.empty()) args.emplace_back(arg);
    auto found = query(sql, args);
    if (!found) return fail(found.error());
    std::vector<std::string> out;
    for (auto& r : *found) out.push_back(r.empty() ? "" : std::move(r.front()));
    return out;
  }

  // $1, $2, … are SQLite named parameters, numbered in order of first use.
  Expected<std::vector<std::vector<std::string>>> query(const std::string& sql,
                                                        const std::vector<std::string>& args) override {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      return fail(Error::runtime(label_ + ": " + sqlite3_errmsg(db_)));
    for (size_t i = 0; i < args.size(); ++i)
      sqlite3_bind_text(stmt, static_cast<int>(i + 1), args[i].data(), static_cast<int>(args[i].size()),
                        SQLITE_TRANSIENT);
    std::vector<std::vector<std::string>> out;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const unsigned char* text = sqlite3_column_text(stmt, c);
        row.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return fail(Error::runtime(label_ + ": " + sqlite3_errmsg(db_)));
    return out;
  }

  sqlite3* db_;
  std::string label_;
  ErrorSpot spot_;
};

}  // namespace

Expected<std::unique_ptr<Database>> open_sqlite(const std::filesystem::path& file, OpenMode mode) {
  std::string label = "sqlite " + file.string();
  std::error_code ec;
  std::string target = file.string();
  int flags = SQLITE_OPEN_READWRITE;
  if (mode == OpenMode::write) {
    flags |= SQLITE_OPEN_CREATE;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  } else if (!std::filesystem::exists(file, ec)) {
    target = ":memory:";  // reads exactly like the empty database apply would create
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(target.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return fail(Error::runtime("cannot open " + label + ": " + why));
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  return std::make_unique<SqliteDatabase>(db, std::move(label));
}

}  // namespace converge::providers::sql
