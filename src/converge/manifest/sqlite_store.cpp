// The manifest in a SQLite file: the embedded default store.
//
// Schema (version 6, kept in PRAGMA user_version; kMigrations[i] upgrades i → i+1):
//
//   deployments(
//     id                INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: append-only
//     git_sha, git_ref, git_tag, migration_version, bundle_hash, plan_hash  TEXT NOT NULL,
//     environment       TEXT NOT NULL CHECK (environment <> ''),
//     target            TEXT NOT NULL CHECK (target <> ''),
//     status            TEXT NOT NULL CHECK (status <> ''),    -- "success" | "failure" | "interrupted"
//     deployed_at       TEXT NOT NULL,  -- UTC ISO 8601 "YYYY-MM-DDTHH:MM:SSZ"; normalised
//                                       -- from the row's value, or now when it is empty
//     deployed_by, run_url, run_id, run_attempt  TEXT NOT NULL,
//     pr_number         INTEGER NULL,
//     approvers         TEXT NOT NULL,  -- comma-separated logins
//     break_glass       TEXT NOT NULL,  -- reason, when the approval gate was skipped
//     managed           TEXT NOT NULL DEFAULT '',  -- (version 2) JSON array of the item keys
//                                       -- converge manages in the target; '' = not tracked
//     applied           TEXT NOT NULL DEFAULT '',  -- (version 4) JSON array of the change keys
//                                       -- the deployment applied; '' = not known
//     dirty             INTEGER NOT NULL DEFAULT 0,  -- (version 5) 1: made from a work tree with
//                                       -- files git_sha does not hold (a local apply)
//     promoted_from     TEXT NOT NULL DEFAULT '',  -- (version 6) "<environment>@<sha>" of the
//                                       -- source deployment of a promotion; '' = not promoted
//     UNIQUE (run_id, run_attempt, target, environment))   -- a retried step writes nothing
//
//   locks(                              -- (version 3) apply locks of targets without one
//     name        TEXT PRIMARY KEY,     -- "apply:<environment>/<target>"
//     token       TEXT NOT NULL,        -- random per holder; only it renews or deletes the row
//     holder      TEXT NOT NULL,        -- one line naming the run, host, pid, since when
//     host        TEXT NOT NULL, pid INTEGER NOT NULL,
//     expires_ms  INTEGER NOT NULL)     -- lease end, Unix milliseconds (SQLite's clock)
//
// Version history: 1 = the table above without `managed`; 2 adds `managed` (rows
// written by version 1 read back as ''); 3 adds `locks`; 4 adds `applied` (older rows
// read back as ''); 5 adds `dirty` (older rows read back as clean); 6 adds
// `promoted_from` (older rows read back as '').
//
// Deployment rows are INSERTed and never deleted. The one update: a row whose status
// is 'interrupted' (an apply's journal while it runs, steps/apply_journal.cpp) is
// replaced by a later row of the same (run_id, run_attempt, target, environment);
// a row with any other status is final (ON CONFLICT … DO UPDATE … WHERE status =
// 'interrupted').
// The file runs in WAL mode with a 10 s busy timeout so concurrent writers wait
// instead of failing; record() takes the write lock up front (BEGIN IMMEDIATE).
//
// TEST-ONLY HOOK: CONVERGE_FAULT_PAUSE_IN_RECORD_MS makes record() sleep after its
// inserts and before COMMIT (see backends.hpp).
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <system_error>
#include <thread>

#include "converge/manifest/backends.hpp"

namespace converge::manifest::detail {
namespace {

constexpr int kBusyTimeoutMs = 10'000;

constexpr std::array<const char*, 6> kMigrations{
    // 0 → 1
    R"sql(
CREATE TABLE deployments (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  git_sha           TEXT NOT NULL,
  git_ref           TEXT NOT NULL,
  git_tag           TEXT NOT NULL,
  migration_version TEXT NOT NULL,
  bundle_hash       TEXT NOT NULL,
  plan_hash         TEXT NOT NULL,
  environment       TEXT NOT NULL CHECK (environment <> ''),
  target            TEXT NOT NULL CHECK (target <> ''),
  status            TEXT NOT NULL CHECK (status <> ''),
  deployed_at       TEXT NOT NULL,
  deployed_by       TEXT NOT NULL,
  run_url           TEXT NOT NULL,
  run_id            TEXT NOT NULL,
  run_attempt       TEXT NOT NULL,
  pr_number         INTEGER,
  approvers         TEXT NOT NULL,
  break_glass       TEXT NOT NULL,
  UNIQUE (run_id, run_attempt, target, environment)
);
CREATE INDEX deployments_by_environment ON deployments (environment, target, status, id);
)sql",
    // 1 → 2
    R"sql(
ALTER TABLE deployments ADD COLUMN managed TEXT NOT NULL DEFAULT '';
)sql",
    // 2 → 3
    R"sql(
CREATE TABLE locks (
  name       TEXT PRIMARY KEY,
  token      TEXT NOT NULL,
  holder     TEXT NOT NULL,
  host       TEXT NOT NULL,
  pid        INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
)sql",
    // 3 → 4
    R"sql(
ALTER TABLE deployments ADD COLUMN applied TEXT NOT NULL DEFAULT '';
)sql",
    // 4 → 5
    R"sql(
ALTER TABLE deployments ADD COLUMN dirty INTEGER NOT NULL DEFAULT 0 CHECK (dirty IN (0, 1));
)sql",
    // 5 → 6
    R"sql(
ALTER TABLE deployments ADD COLUMN promoted_from TEXT NOT NULL DEFAULT '';
)sql",
};

#define CONVERGE_NOW_MS "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
constexpr const char* kDropExpiredLock = "DELETE FROM locks WHERE name = ?1 AND expires_ms < " CONVERGE_NOW_MS;
constexpr const char* kInsertLock = "INSERT INTO locks (name, token, holder, host, pid, expires_ms)"
                                    " VALUES (?1, ?2, ?3, ?4, ?5, " CONVERGE_NOW_MS " + ?6)"
                                    " ON CONFLICT (name) DO NOTHING";
constexpr const char* kRenewLock = "UPDATE locks SET expires_ms = " CONVERGE_NOW_MS " + ?3 WHERE name = ?1 AND token = ?2";
#undef CONVERGE_NOW_MS
constexpr const char* kReadLock = "SELECT name, token, holder, host, pid,"
                                  " strftime('%Y-%m-%dT%H:%M:%SZ', expires_ms / 1000, 'unixepoch')"
                                  " FROM locks WHERE name = ?1";
constexpr const char* kUnlock = "DELETE FROM locks WHERE name = ?1 AND token = ?2";

constexpr const char* kInsert = R"sql(
INSERT INTO deployments (git_sha, git_ref, git_tag, migration_version, bundle_hash, plan_hash,
  environment, target, status, deployed_at, deployed_by, run_url, run_id, run_attempt,
  pr_number, approvers, break_glass, managed, applied, dirty, promoted_from)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,
  strftime('%Y-%m-%dT%H:%M:%SZ', COALESCE(NULLIF(?10, ''), 'now')),
  ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
ON CONFLICT (run_id, run_attempt, target, environment) DO UPDATE SET
  git_sha = excluded.git_sha, git_ref = excluded.git_ref, git_tag = excluded.git_tag,
  migration_version = excluded.migration_version, bundle_hash = excluded.bundle_hash,
  plan_hash = excluded.plan_hash, status = excluded.status, deployed_at = excluded.deployed_at,
  deployed_by = excluded.deployed_by, run_url = excluded.run_url, pr_number = excluded.pr_number,
  approvers = excluded.approvers, break_glass = excluded.break_glass, managed = excluded.managed,
  applied = excluded.applied, dirty = excluded.dirty, promoted_from = excluded.promoted_from
WHERE deployments.status = 'interrupted'
)sql";

#define CONVERGE_DEPLOYMENT_COLUMNS                                                              \
  "id, git_sha, git_ref, git_tag, migration_version, bundle_hash, plan_hash, environment, "   \
  "target, status, deployed_at, deployed_by, run_url, run_id, run_attempt, pr_number, "       \
  "approvers, break_glass, managed, applied, dirty, promoted_from"

constexpr const char* kCurrent = "SELECT " CONVERGE_DEPLOYMENT_COLUMNS
                                 " FROM deployments WHERE id IN (SELECT max(id) FROM deployments"
                                 " WHERE environment = ?1 AND status = 'success' GROUP BY target)"
                                 " ORDER BY target";
constexpr const char* kSinceSuccess = "SELECT " CONVERGE_DEPLOYMENT_COLUMNS
                                      " FROM deployments d WHERE environment = ?1 AND id >= COALESCE("
                                      "(SELECT max(id) FROM deployments s WHERE s.environment = d.environment"
                                      " AND s.target = d.target AND s.status = 'success'), 0)"
                                      " ORDER BY target, id";
constexpr const char* kHistory = "SELECT " CONVERGE_DEPLOYMENT_COLUMNS
                                 " FROM deployments WHERE environment = ?1 ORDER BY id DESC LIMIT ?2";
#undef CONVERGE_DEPLOYMENT_COLUMNS

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct FinalizeStmt {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;
using Stmt = std::unique_ptr<sqlite3_stmt, FinalizeStmt>;

class SqliteStore final : public Store {
 public:
  SqliteStore(Db db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}

  Expected<void> migrate() {
    auto version = user_version();
    if (!version) return fail(version.error());
    if (*version == static_cast<int>(kMigrations.size())) return {};
    if (auto ok = exec("BEGIN IMMEDIATE"); !ok) return ok;
    // Re-read under the write lock: another process may have migrated meanwhile.
    version = user_version();
    if (!version) return rollback(version.error());
    if (*version > static_cast<int>(kMigrations.size()))
      return rollback(Error::runtime("schema version " + std::to_string(*version) +
                                     " is newer than this converge supports (" +
                                     std::to_string(kMigrations.size()) + ")"));
    for (auto v = static_cast<std::size_t>(*version); v < kMigrations.size(); ++v) {
      if (auto ok = exec(kMigrations[v]); !ok) return rollback(ok.error());
    }
    if (auto ok = exec("PRAGMA user_version = " + std::to_string(kMigrations.size())); !ok)
      return rollback(ok.error());
    return exec("COMMIT");
  }

  Expected<int> record(const std::vector<Deployment>& rows) override {
    if (rows.empty()) return 0;
    if (auto ok = exec("BEGIN IMMEDIATE"); !ok) return fail(ok.error());
    auto stmt = prepare(kInsert);
    if (!stmt) return rollback(stmt.error());
    int written = 0;
    for (const auto& row : rows) {
      sqlite3_reset(stmt->get());
      bind_row(stmt->get(), row);
      if (sqlite3_step(stmt->get()) != SQLITE_DONE)
        return rollback(error("recording " + row.environment + "/" + row.target));
      written += sqlite3_changes(db_.get());
    }
    stmt->reset();
    pause_for_fault_injection();
    if (auto ok = exec("COMMIT"); !ok) return rollback(ok.error());
    return written;
  }

  Expected<std::vector<Deployment>> current(std::string_view environment) override {
    auto stmt = prepare(kCurrent);
    if (!stmt) return fail(stmt.error());
    bind_text(stmt->get(), 1, environment);
    return read_rows(stmt->get());
  }

  Expected<std::vector<Deployment>> since_success(std::string_view environment) override {
    auto stmt = prepare(kSinceSuccess);
    if (!stmt) return fail(stmt.error());
    bind_text(stmt->get(), 1, environment);
    return read_rows(stmt->get());
  }

  Expected<std::vector<Deployment>> history(std::string_view environment, int limit) override {
    auto stmt = prepare(kHistory);
    if (!stmt) return fail(stmt.error());
    bind_text(stmt->get(), 1, environment);
    sqlite3_bind_int(stmt->get(), 2, std::max(limit, 0));  // SQLite reads a negative LIMIT as "all"
    return read_rows(stmt->get());
  }

  Expected<LockTry> try_lock(const LockLease& claim, std::chrono::milliseconds lease) override {
    if (auto ok = exec("BEGIN IMMEDIATE"); !ok) return fail(ok.error());
    auto dropped = step(kDropExpiredLock, {claim.name});
    if (!dropped) return rollback(dropped.error());
    auto insert = prepare(kInsertLock);
    if (!insert) return rollback(insert.error());
    for (int i = 0; const std::string* text : {&claim.name, &claim.token, &claim.holder, &claim.host})
      bind_text(insert->get(), ++i, *text);
    sqlite3_bind_int64(insert->get(), 5, claim.pid);
    sqlite3_bind_int64(insert->get(), 6, lease.count());
    if (sqlite3_step(insert->get()) != SQLITE_DONE) return rollback(error("taking lock " + claim.name));
    LockTry out;
    out.acquired = sqlite3_changes(db_.get()) == 1;
    insert->reset();
    if (!out.acquired) {
      auto read = prepare(kReadLock);
      if (!read) return rollback(read.error());
      bind_text(read->get(), 1, claim.name);
      if (sqlite3_step(read->get()) == SQLITE_ROW) {
        auto text = [&](int column) {
          const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(read->get(), column));
          return std::string(p ? p : "");
        };
        out.holder = {text(0), text(1), text(2), text(3), sqlite3_column_int64(read->get(), 4), text(5)};
      }
    }
    if (auto ok = exec("COMMIT"); !ok) return rollback(ok.error());
    return out;
  }

  Expected<bool> renew_lock(std::string_view name, std::string_view token, std::chrono::milliseconds lease) override {
    auto stmt = prepare(kRenewLock);
    if (!stmt) return fail(stmt.error());
    bind_text(stmt->get(), 1, name);
    bind_text(stmt->get(), 2, token);
    sqlite3_bind_int64(stmt->get(), 3, lease.count());
    if (sqlite3_step(stmt->get()) != SQLITE_DONE) return fail(error("renewing lock " + std::string(name)));
    return sqlite3_changes(db_.get()) == 1;
  }

  Expected<void> unlock(std::string_view name, std::string_view token) override {
    auto done = step(kUnlock, {name, token});
    if (!done) return fail(done.error());
    return {};
  }

 private:
  // Runs one statement with text parameters ?1, ?2, …
  Expected<void> step(const char* sql, std::initializer_list<std::string_view> params) {
    auto stmt = prepare(sql);
    if (!stmt) return fail(stmt.error());
    int i = 0;
    for (auto p : params) bind_text(stmt->get(), ++i, p);
    if (sqlite3_step(stmt->get()) != SQLITE_DONE) return fail(error("updating locks"));
    return {};
  }

  Error error(std::string_view what) const {
    return Error::runtime("manifest " + path_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_.get()));
  }

  std::unexpected<Error> rollback(Error e) {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    return fail(std::move(e));
  }

  Expected<void> exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return {};
    std::string text = message ? message : sqlite3_errmsg(db_.get());
    sqlite3_free(message);
    return fail(Error::runtime("manifest " + path_ + ": " + text));
  }

  Expected<Stmt> prepare(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr) != SQLITE_OK) return fail(error("preparing"));
    return Stmt(raw);
  }

  Expected<int> user_version() {
    auto stmt = prepare("PRAGMA user_version");
    if (!stmt) return fail(stmt.error());
    if (sqlite3_step(stmt->get()) != SQLITE_ROW) return fail(error("reading the schema version"));
    return sqlite3_column_int(stmt->get(), 0);
  }

  static void bind_text(sqlite3_stmt* stmt, int index, std::string_view text) {
    sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }

  static void bind_row(sqlite3_stmt* stmt, const Deployment& row) {
    int i = 0;
    for (const std::string* text : {&row.git_sha, &row.git_ref, &row.git_tag, &row.migration_version,
                                    &row.bundle_hash, &row.plan_hash, &row.environment, &row.target,
                                    &row.status, &row.deployed_at, &row.deployed_by, &row.run_url,
                                    &row.run_id, &row.run_attempt})
      bind_text(stmt, ++i, *text);
    if (row.pr_number) sqlite3_bind_int64(stmt, ++i, *row.pr_number);
    else sqlite3_bind_null(stmt, ++i);
    bind_text(stmt, ++i, row.approvers);
    bind_text(stmt, ++i, row.break_glass);
    bind_text(stmt, ++i, row.managed);
    bind_text(stmt, ++i, row.applied);
    sqlite3_bind_int(stmt, ++i, row.dirty ? 1 : 0);
    bind_text(stmt, ++i, row.promoted_from);
  }

  Expected<std::vector<Deployment>> read_rows(sqlite3_stmt* stmt) {
    std::vector<Deployment> out;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      auto text = [&](int column) {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
        return std::string(p ? p : "");
      };
      Deployment d;
      d.id = sqlite3_column_int64(stmt, 0);
      int c = 0;
      for (std::string* field : {&d.git_sha, &d.git_ref, &d.git_tag, &d.migration_version, &d.bundle_hash,
                                 &d.plan_hash, &d.environment, &d.target, &d.status, &d.deployed_at,
                                 &d.deployed_by, &d.run_url, &d.run_id, &d.run_attempt})
        *field = text(++c);
      if (sqlite3_column_type(stmt, 15) != SQLITE_NULL) d.pr_number = sqlite3_column_int64(stmt, 15);
      d.approvers = text(16);
      d.break_glass = text(17);
      d.managed = text(18);
      d.applied = text(19);
      d.dirty = sqlite3_column_int(stmt, 20) != 0;
      d.promoted_from = text(21);
      out.push_back(std::move(d));
    }
    if (rc != SQLITE_DONE) return fail(error("reading deployments"));
    return out;
  }

  Db db_;
  std::string path_;
};

}  // namespace

Expected<std::unique_ptr<Store>> open_sqlite(std::string_view url, std::string_view path,
                                             const std::filesystem::path& base_dir) {
  // sqlite:///relative/path → "/relative/path"; sqlite:////abs/path → "//abs/path".
  if (path.size() < 2 || path.front() != '/')
    return fail(Error::usage("manifest store URL '" + std::string(url) +
                             "': expected sqlite:///relative/path or sqlite:////absolute/path"));
  std::filesystem::path file(path.substr(1));
  if (file.is_relative()) file = base_dir / file;
  file = file.lexically_normal();

  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) return fail(Error::runtime("manifest " + file.string() + ": cannot create its directory: " + ec.message()));

  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK)
    return fail(Error::runtime("manifest " + file.string() + ": cannot open: " +
                               (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc))));
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  sqlite3_extended_result_codes(db.get(), 1);

  auto store = std::make_unique<SqliteStore>(std::move(db), file.string());
  for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL"}) {
    // journal_mode returns a row; sqlite3_exec discards it. Switching a new file to
    // WAL while another process creates it too answers SQLITE_BUSY at once (the busy
    // handler is not asked): try again for as long as the busy timeout allows.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
    for (;;) {
      char* message = nullptr;
      const int rc = sqlite3_exec(raw, pragma, nullptr, nullptr, &message);
      std::string text = message ? message : "unknown error";
      sqlite3_free(message);
      if (rc == SQLITE_OK) break;
      if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline)
        return fail(Error::runtime("manifest " + file.string() + ": " + pragma + ": " + text));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (auto ok = store->migrate(); !ok) return fail(ok.error());
  return store;
}

}  // namespace converge::manifest::detail
