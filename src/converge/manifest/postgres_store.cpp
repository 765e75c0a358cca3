// The manifest in PostgreSQL: the server store shared by every runner.
//
// Schema (version 6, kept in meta.schema_version under component 'deployments';
// kMigrations[i] upgrades i → i+1):
//
//   meta.schema_version(component text PRIMARY KEY, version integer NOT NULL)
//   meta.deployments(
//     id                bigserial PRIMARY KEY,
//     git_sha, git_ref, git_tag, migration_version, bundle_hash, plan_hash  text NOT NULL,
//     environment       text NOT NULL CHECK (environment <> ''),
//     target            text NOT NULL CHECK (target <> ''),
//     status            text NOT NULL CHECK (status <> ''),   -- "success" | "failure" | "interrupted"
//     deployed_at       timestamptz NOT NULL,  -- the row's value, or now() when empty;
//                                              -- always read back as "YYYY-MM-DDTHH:MM:SSZ"
//     deployed_by, run_url, run_id, run_attempt  text NOT NULL,
//     pr_number         bigint NULL,
//     approvers         text NOT NULL,  -- comma-separated logins
//     break_glass       text NOT NULL,  -- reason, when the approval gate was skipped
//     managed           text NOT NULL DEFAULT '',  -- (version 2) JSON array of the item keys
//                                       -- converge manages in the target; '' = not tracked
//     applied           text NOT NULL DEFAULT '',  -- (version 4) JSON array of the change keys
//                                       -- the deployment applied; '' = not known
//     dirty             boolean NOT NULL DEFAULT false,  -- (version 5) true: made from a work
//                                       -- tree with files git_sha does not hold (a local apply)
//     promoted_from     text NOT NULL DEFAULT '',  -- (version 6) "<environment>@<sha>" of the
//                                       -- source deployment of a promotion; '' = not promoted
//     UNIQUE (run_id, run_attempt, target, environment))  -- a retried step writes nothing
//
//   meta.locks(                          -- (version 3) apply locks of targets without one
//     name        text PRIMARY KEY,      -- "apply:<environment>/<target>"
//     token       text NOT NULL,         -- random per holder; only it renews or deletes the row
//     holder      text NOT NULL,         -- one line naming the run, host, pid, since when
//     host        text NOT NULL, pid bigint NOT NULL,
//     expires_at  timestamptz NOT NULL)  -- lease end (the server's clock)
//
// Version history: 1 = the table above without `managed`; 2 adds `managed` (rows
// written by version 1 read back as ''); 3 adds `meta.locks`; 4 adds `applied` (older
// rows read back as ''); 5 adds `dirty` (older rows read back as clean); 6 adds
// `promoted_from` (older rows read back as '').
//
// Deployment rows are INSERTed and never deleted. The one update: a row whose status
// is 'interrupted' (an apply's journal while it runs, steps/apply_journal.cpp) is
// replaced by a later row of the same (run_id, run_attempt, target, environment);
// a row with any other status is final (ON CONFLICT … DO UPDATE … WHERE status =
// 'interrupted').
// All values travel as parameters (PQexecParams). Creating or upgrading the schema
// holds a transaction-scoped advisory lock, because CREATE … IF NOT EXISTS races
// between two sessions in PostgreSQL. The session runs in UTC.
//
// TEST-ONLY HOOK: CONVERGE_FAULT_PAUSE_IN_RECORD_MS makes record() sleep after its
// inserts and before COMMIT (see backends.hpp).
#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "converge/manifest/backends.hpp"

namespace converge::manifest::detail {
namespace {

// Key of the advisory lock held while the schema is created or upgraded.
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(hashtext('converge.manifest.schema'))";

constexpr const char* kBootstrap = R"sql(
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.schema_version (component text PRIMARY KEY, version integer NOT NULL);
)sql";

constexpr std::array<const char*, 6> kMigrations{
    // 0 → 1
    R"sql(
CREATE TABLE meta.deployments (
  id                bigserial PRIMARY KEY,
  git_sha           text NOT NULL,
  git_ref           text NOT NULL,
  git_tag           text NOT NULL,
  migration_version text NOT NULL,
  bundle_hash       text NOT NULL,
  plan_hash         text NOT NULL,
  environment       text NOT NULL CHECK (environment <> ''),
  target            text NOT NULL CHECK (target <> ''),
  status            text NOT NULL CHECK (status <> ''),
  deployed_at       timestamptz NOT NULL,
  deployed_by       text NOT NULL,
  run_url           text NOT NULL,
  run_id            text NOT NULL,
  run_attempt       text NOT NULL,
  pr_number         bigint,
  approvers         text NOT NULL,
  break_glass       text NOT NULL,
  UNIQUE (run_id, run_attempt, target, environment)
);
CREATE INDEX deployments_by_environment ON meta.deployments (environment, target, status, id);
)sql",
    // 1 → 2
    R"sql(
ALTER TABLE meta.deployments ADD COLUMN managed text NOT NULL DEFAULT '';
)sql",
    // 2 → 3
    R"sql(
CREATE TABLE meta.locks (
  name       text PRIMARY KEY,
  token      text NOT NULL,
  holder     text NOT NULL,
  host       text NOT NULL,
  pid        bigint NOT NULL,
  expires_at timestamptz NOT NULL
);
)sql",
    // 3 → 4
    R"sql(
ALTER TABLE meta.deployments ADD COLUMN applied text NOT NULL DEFAULT '';
)sql",
    // 4 → 5
    R"sql(
ALTER TABLE meta.deployments ADD COLUMN dirty boolean NOT NULL DEFAULT false;
)sql",
    // 5 → 6
    R"sql(
ALTER TABLE meta.deployments ADD COLUMN promoted_from text NOT NULL DEFAULT '';
)sql",
};

constexpr const char* kDropExpiredLock = "DELETE FROM meta.locks WHERE name = $1 AND expires_at < now()";
constexpr const char* kInsertLock = "INSERT INTO meta.locks (name, token, holder, host, pid, expires_at)"
                                    " VALUES ($1, $2, $3, $4, $5::bigint, now() + $6::bigint * interval '1 millisecond')"
                                    " ON CONFLICT (name) DO NOTHING";
constexpr const char* kReadLock = "SELECT name, token, holder, host, pid::text,"
                                  " to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
                                  " FROM meta.locks WHERE name = $1";
constexpr const char* kRenewLock = "UPDATE meta.locks SET expires_at = now() + $3::bigint * interval '1 millisecond'"
                                   " WHERE name = $1 AND token = $2";
constexpr const char* kUnlock = "DELETE FROM meta.locks WHERE name = $1 AND token = $2";

constexpr const char* kInsert = R"sql(
INSERT INTO meta.deployments AS existing (git_sha, git_ref, git_tag, migration_version, bundle_hash, plan_hash,
  environment, target, status, deployed_at, deployed_by, run_url, run_id, run_attempt,
  pr_number, approvers, break_glass, managed, applied, dirty, promoted_from)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
  COALESCE(NULLIF($10::text, '')::timestamptz, now()),
  $11, $12, $13, $14, $15::bigint, $16, $17, $18, $19, $20::boolean, $21)
ON CONFLICT (run_id, run_attempt, target, environment) DO UPDATE SET
  git_sha = EXCLUDED.git_sha, git_ref = EXCLUDED.git_ref, git_tag = EXCLUDED.git_tag,
  migration_version = EXCLUDED.migration_version, bundle_hash = EXCLUDED.bundle_hash,
  plan_hash = EXCLUDED.plan_hash, status = EXCLUDED.status, deployed_at = EXCLUDED.deployed_at,
  deployed_by = EXCLUDED.deployed_by, run_url = EXCLUDED.run_url, pr_number = EXCLUDED.pr_number,
  approvers = EXCLUDED.approvers, break_glass = EXCLUDED.break_glass, managed = EXCLUDED.managed,
  applied = EXCLUDED.applied, dirty = EXCLUDED.dirty, promoted_from = EXCLUDED.promoted_from
WHERE existing.status = 'interrupted'
)sql";

#define CONVERGE_DEPLOYMENT_COLUMNS                                                              \
  "id, git_sha, git_ref, git_tag, migration_version, bundle_hash, plan_hash, environment, "   \
  "target, status, to_char(deployed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), " \
  "deployed_by, run_url, run_id, run_attempt, pr_number, approvers, break_glass, managed, applied, dirty, promoted_from"

constexpr const char* kCurrent = "SELECT " CONVERGE_DEPLOYMENT_COLUMNS
                                 " FROM meta.deployments WHERE id IN (SELECT max(id) FROM meta.deployments"
                                 " WHERE environment = $1 AND status = 'success' GROUP BY target)"
                                 " ORDER BY target";
constexpr const char* kSinceSuccess = "SELECT " CONVERGE_DEPLOYMENT_COLUMNS
                                      " FROM meta.deployments d WHERE environment = $1 AND id >= COALESCE("
                                      "(SELECT max(id) FROM meta.deployments s WHERE s.environment = d.environment"
                                      " AND s.target = d.target AND s.status = 'success'), 0)"
                                      " ORDER BY target, id";
constexpr const char* kHistory = "SELECT " CONVERGE_DEPLOYMENT_COLUMNS
                                 " FROM meta.deployments WHERE environment = $1 ORDER BY id DESC LIMIT $2";
#undef CONVERGE_DEPLOYMENT_COLUMNS

struct FinishConn {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ClearResult {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Conn = std::unique_ptr<PGconn, FinishConn>;
using Result = std::unique_ptr<PGresult, ClearResult>;

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

class PostgresStore final : public Store {
 public:
  PostgresStore(Conn conn, std::string_view url) : conn_(std::move(conn)), url_(redact_url(url)), raw_url_(url) {}

  Expected<void> migrate() {
    if (auto ok = exec("BEGIN"); !ok) return ok;
    for (const char* sql : {kSchemaLock, kBootstrap}) {
      if (auto ok = exec(sql); !ok) return rollback(ok.error());
    }
    auto version = query("SELECT version FROM meta.schema_version WHERE component = 'deployments'", {});
    if (!version) return rollback(version.error());
    int current = 0;
    if (PQntuples(version->get()) > 0) current = std::atoi(PQgetvalue(version->get(), 0, 0));
    if (current > static_cast<int>(kMigrations.size()))
      return rollback(Error::runtime("manifest " + url_ + ": schema version " + std::to_string(current) +
                                     " is newer than this converge supports (" +
                                     std::to_string(kMigrations.size()) + ")"));
    for (auto v = static_cast<std::size_t>(current); v < kMigrations.size(); ++v) {
      if (auto ok = exec(kMigrations[v]); !ok) return rollback(ok.error());
    }
    if (current < static_cast<int>(kMigrations.size())) {
      auto target = std::to_string(kMigrations.size());
      auto ok = query("INSERT INTO meta.schema_version (component, version) VALUES ('deployments', $1::integer)"
                      " ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version",
                      {target.c_str()});
      if (!ok) return rollback(ok.error());
    }
    return exec("COMMIT");
  }

  Expected<int> record(const std::vector<Deployment>& rows) override {
    if (rows.empty()) return 0;
    if (auto ok = exec("BEGIN"); !ok) return fail(ok.error());
    int written = 0;
    for (const auto& row : rows) {
      std::string pr = row.pr_number ? std::to_string(*row.pr_number) : "";
      std::vector<const char*> params;
      for (const std::string* text : {&row.git_sha, &row.git_ref, &row.git_tag, &row.migration_version,
                                      &row.bundle_hash, &row.plan_hash, &row.environment, &row.target,
                                      &row.status, &row.deployed_at, &row.deployed_by, &row.run_url,
                                      &row.run_id, &row.run_attempt})
        params.push_back(text->c_str());
      params.push_back(row.pr_number ? pr.c_str() : nullptr);
      params.push_back(row.approvers.c_str());
      params.push_back(row.break_glass.c_str());
      params.push_back(row.managed.c_str());
      params.push_back(row.applied.c_str());
      params.push_back(row.dirty ? "true" : "false");
      params.push_back(row.promoted_from.c_str());
      auto result = query(kInsert, params);
      if (!result) return rollback(result.error().with_context("recording " + row.environment + "/" + row.target));
      written += std::atoi(PQcmdTuples(result->get()));
    }
    pause_for_fault_injection();
    if (auto ok = exec("COMMIT"); !ok) return rollback(ok.error());
    return written;
  }

  Expected<std::vector<Deployment>> current(std::string_view environment) override {
    std::string env(environment);
    auto result = query(kCurrent, {env.c_str()});
    if (!result) return fail(result.error());
    return read_rows(result->get());
  }

  Expected<std::vector<Deployment>> since_success(std::string_view environment) override {
    std::string env(environment);
    auto result = query(kSinceSuccess, {env.c_str()});
    if (!result) return fail(result.error());
    return read_rows(result->get());
  }

  Expected<std::vector<Deployment>> history(std::string_view environment, int limit) override {
    std::string env(environment);
    std::string n = std::to_string(std::max(limit, 0));
    auto result = query(kHistory, {env.c_str(), n.c_str()});
    if (!result) return fail(result.error());
    return read_rows(result->get());
  }

  Expected<LockTry> try_lock(const LockLease& claim, std::chrono::milliseconds lease) override {
    if (auto ok = exec("BEGIN"); !ok) return fail(ok.error());
    auto dropped = query(kDropExpiredLock, {claim.name.c_str()});
    if (!dropped) return rollback(dropped.error());
    const std::string pid = std::to_string(claim.pid), ms = std::to_string(lease.count());
    auto inserted = query(kInsertLock, {claim.name.c_str(), claim.token.c_str(), claim.holder.c_str(),
                                        claim.host.c_str(), pid.c_str(), ms.c_str()});
    if (!inserted) return rollback(inserted.error());
    LockTry out;
    out.acquired = std::atoi(PQcmdTuples(inserted->get())) == 1;
    if (!out.acquired) {
      auto row = query(kReadLock, {claim.name.c_str()});
      if (!row) return rollback(row.error());
      if (PQntuples(row->get()) > 0) {
        auto text = [&](int c) { return std::string(PQgetvalue(row->get(), 0, c)); };
        out.holder = {text(0), text(1), text(2), text(3), std::atoll(PQgetvalue(row->get(), 0, 4)), text(5)};
      }
    }
    if (auto ok = exec("COMMIT"); !ok) return rollback(ok.error());
    return out;
  }

  Expected<bool> renew_lock(std::string_view name, std::string_view token, std::chrono::milliseconds lease) override {
    const std::string n(name), t(token), ms = std::to_string(lease.count());
    auto done = query(kRenewLock, {n.c_str(), t.c_str(), ms.c_str()});
    if (!done) return fail(done.error());
    return std::atoi(PQcmdTuples(done->get())) == 1;
  }

  Expected<void> unlock(std::string_view name, std::string_view token) override {
    const std::string n(name), t(token);
    auto done = query(kUnlock, {n.c_str(), t.c_str()});
    if (!done) return fail(done.error());
    return {};
  }

 private:
  Error error(std::string_view message) const {
    return Error::runtime("manifest " + url_ + ": " + scrub_password(trimmed(std::string(message)), raw_url_));
  }

  std::unexpected<Error> rollback(Error e) {
    PQclear(PQexec(conn_.get(), "ROLLBACK"));
    return fail(std::move(e));
  }

  // Statements without parameters (several may be in one string).
  Expected<void> exec(const char* sql) {
    Result result(PQexec(conn_.get(), sql));
    auto status = PQresultStatus(result.get());
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return {};
    return fail(error(result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn_.get())));
  }

  Expected<Result> query(const char* sql, const std::vector<const char*>& params) {
    Result result(PQexecParams(conn_.get(), sql, static_cast<int>(params.size()), nullptr, params.data(),
                               nullptr, nullptr, 0));
    auto status = PQresultStatus(result.get());
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
    return fail(error(result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn_.get())));
  }

  static Expected<std::vector<Deployment>> read_rows(PGresult* result) {
    std::vector<Deployment> out;
    for (int r = 0; r < PQntuples(result); ++r) {
      Deployment d;
      std::string_view id = PQgetvalue(result, r, 0);
      std::from_chars(id.data(), id.data() + id.size(), d.id);
      int c = 0;
      for (std::string* field : {&d.git_sha, &d.git_ref, &d.git_tag, &d.migration_version, &d.bundle_hash,
                                 &d.plan_hash, &d.environment, &d.target, &d.status, &d.deployed_at,
                                 &d.deployed_by, &d.run_url, &d.run_id, &d.run_attempt})
        *field = PQgetvalue(result, r, ++c);
      if (!PQgetisnull(result, r, 15)) {
        std::string_view pr = PQgetvalue(result, r, 15);
        std::int64_t value = 0;
        std::from_chars(pr.data(), pr.data() + pr.size(), value);
        d.pr_number = value;
      }
      d.approvers = PQgetvalue(result, r, 16);
      d.break_glass = PQgetvalue(result, r, 17);
      d.managed = PQgetvalue(result, r, 18);
      d.applied = PQgetvalue(result, r, 19);
      d.dirty = std::string_view(PQgetvalue(result, r, 20)) == "t";
      d.promoted_from = PQgetvalue(result, r, 21);
      out.push_back(std::move(d));
    }
    return out;
  }

  Conn conn_;
  std::string url_;      // redacted: for messages
  std::string raw_url_;  // only to scrub its password from driver messages
};

void ignore_notice(void*, const char*) {}

}  // namespace

Expected<std::unique_ptr<Store>> open_postgres(std::string_view url, std::string_view /*path*/,
                                               const std::filesystem::path& /*base_dir*/) {
  std::string full(url);
  std::string redacted = redact_url(url);
  // Keywords before dbname are defaults the URL may override (libpq processes in order).
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {"10", "converge", full.c_str(), nullptr};
  Conn conn(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  if (!conn) return fail(Error::runtime("manifest " + redacted + ": out of memory"));
  if (PQstatus(conn.get()) != CONNECTION_OK)
    return fail(Error::runtime("manifest " + redacted + ": cannot connect: " +
                               scrub_password(trimmed(PQerrorMessage(conn.get())), url)));
  PQsetNoticeProcessor(conn.get(), ignore_notice, nullptr);
  Result tz(PQexec(conn.get(), "SET TIME ZONE 'UTC'"));
  if (PQresultStatus(tz.get()) != PGRES_COMMAND_OK)
    return fail(Error::runtime("manifest " + redacted + ": " + scrub_password(trimmed(PQerrorMessage(conn.get())), url)));

  auto store = std::make_unique<PostgresStore>(std::move(conn), url);
  if (auto ok = store->migrate(); !ok) return fail(ok.error());
  return store;
}

}  // namespace converge::manifest::detail
