// The PostgreSQL backend of the sql provider (libpq): runs migrations and tracks them
// in dbmate's schema_migrations table in the current schema.
#include <libpq-fe.h>

#include <cstdlib>

#include "converge/providers/sql/database.hpp"
#include "converge/providers/sql/dbmate_snapshot.hpp"
#include "converge/providers/sql/pg_dump.hpp"
#include "converge/providers/sql/postgres_dump.hpp"
#include "converge/providers/sql/schema_text.hpp"

namespace converge::providers::sql {
namespace {

// schema_migrations.version is varchar(128), as dbmate creates it.
constexpr size_t kVersionCapacity = 128;

void ignore_notice(void*, const char*) {}

// The byte offset in UTF-8 `text` of PostgreSQL's 1-based character `position`.
size_t byte_offset(std::string_view text, unsigned long position) {
  unsigned long chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // a continuation byte
    if (++chars == position) return i;
  }
  return text.size();
}

std::string trimmed(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(PGconn* conn, std::string url, DumpSettings dump)
      : conn_(conn), url_(std::move(url)), label_(redact_url(url_)), dump_(std::move(dump)) {}
  ~PostgresDatabase() override { PQfinish(conn_); }
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  // Each statement of a script sends back its own result, so the count of results
  // before the error is the index of the failing statement (error_spot()).
  Expected<void> exec(std::string_view script) override {
    spot_ = {};
    std::string text(script);
    if (!PQsendQuery(conn_, text.c_str()))
      return fail(Error::runtime(label_ + ": " + trimmed(PQerrorMessage(conn_))));
    std::optional<Error> error;
    size_t done = 0;
    while (PGresult* res = PQgetResult(conn_)) {
      auto status = PQresultStatus(res);
      if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
        ++done;
      } else if (!error) {
        error = Error::runtime(label_ + ": " + trimmed(PQresultErrorMessage(res)));
        spot_.script = text;
        spot_.statement = done;
        if (const char* position = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION))
          spot_.offset = byte_offset(text, std::strtoul(position, nullptr, 10));
      }
      PQclear(res);
    }
    if (error) return fail(*error);
    return {};
  }
  const ErrorSpot& error_spot() const override { return spot_; }

  Expected<void> set_timeouts(const Timeouts& timeouts) override {
    return exec("SET lock_timeout = '" + postgres_interval(timeouts.lock) + "'; SET statement_timeout = '" +
                postgres_interval(timeouts.statement) + "'");
  }
  Expected<void> begin() override { return exec("BEGIN"); }
  Expected<void> commit() override { return exec("COMMIT"); }
  void rollback() override {
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) PQclear(PQexec(conn_, "ROLLBACK"));
  }
  bool in_transaction() override { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

  Expected<std::vector<std::string>> applied_versions() override {
    auto exists = run("SELECT to_regclass('schema_migrations') IS NOT NULL", nullptr);
    if (!exists) return fail(exists.error());
    std::vector<std::string> out;
    if (exists->empty() || exists->front().front() != "t") return out;
    auto rows = run("SELECT version FROM schema_migrations", nullptr);
    if (!rows) return fail(rows.error());
    for (auto& row : *rows) out.push_back(std::move(row.front()));
    return out;
  }

  Expected<void> ensure_migrations_table() override {
    return exec("CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(" + std::to_string(kVersionCapacity) +
                ") PRIMARY KEY); " + kCreateDownsTable);
  }

  // The declared length of varchar(n) / char(n) (atttypmod is n + 4); 0 for text.
  Expected<size_t> version_capacity() override {
    auto rows = run("SELECT CASE WHEN a.atttypid IN ('varchar'::regtype, 'bpchar'::regtype) AND a.atttypmod > 4"
                    " THEN a.atttypmod - 4 ELSE 0 END FROM pg_attribute a"
                    " WHERE a.attrelid = to_regclass('schema_migrations') AND a.attname = 'version'"
                    " AND NOT a.attisdropped", nullptr);
    if (!rows) return fail(rows.error());
    if (rows->empty()) return kVersionCapacity;  // what ensure_migrations_table() will create
    return static_cast<size_t>(std::stoul(rows->front().front()));
  }

  Expected<void> insert_version(std::string_view version) override {
    std::string value(version);
    auto rows = run("INSERT INTO schema_migrations (version) VALUES ($1)", value.c_str());
    if (!rows) return fail(rows.error());
    return {};
  }

  Expected<bool> has_table(const std::string& table) override {
    auto rows = run("SELECT to_regclass($1) IS NOT NULL", table.c_str());
    if (!rows) return fail(rows.error());
    return !rows->empty() && rows->front().front() == "t";
  }

  Expected<std::vector<Row>> query(const std::string& sql, const std::vector<std::string>& params) override {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    PGresult* res = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                 nullptr, nullptr, 0);
    return collect(res);
  }

  // pg_dump's text normalised, else the catalog reader's (see database.hpp).
  Expected<std::string> dump_schema() override {
    const auto& choice = pg_dump_choice();
    if (!choice) return fail(choice.error());
    if (choice->tool) return dump_with_pg_dump(*choice->tool);
    return catalog_dump();
  }

  Expected<std::string> dump_dbmate() override { return dbmate_postgres_dump(*this, url_, dump_); }

  Expected<SchemaTexts> compare_schema(std::string_view snapshot) override {
    SnapshotDumper by = snapshot_dumper(snapshot);
    if (by == SnapshotDumper::catalog) {
      auto live = catalog_dump();
      if (!live) return fail(live.error());
      return SchemaTexts{.live = std::move(*live), .snapshot = std::string(snapshot)};
    }
    const auto& choice = pg_dump_choice();
    if (!choice) return fail(choice.error());
    if (by == SnapshotDumper::pg_dump && !choice->tool)
      return fail(Error::usage("written by pg_dump; pg_dump >= " + std::to_string(server_major()) +
                               " is needed to compare it with this server (" + choice->missing +
                               "; install postgresql-client or set the target's `pg_dump` setting)"));
    auto live = dump_schema();
    if (!live) return fail(live.error());
    return SchemaTexts{.live = std::move(*live), .snapshot = normalise_pg_dump(snapshot)};
  }

 private:
  int server_major() const { return PQserverVersion(conn_) / 10000; }

  // The pg_dump to use, looked for once per connection.
  const Expected<PgDumpChoice>& pg_dump_choice() {
    if (!choice_) choice_ = find_pg_dump(server_major(), dump_.pg_dump);
    return *choice_;
  }

  Expected<std::string> dump_with_pg_dump(const PgDumpTool& tool) {
    auto raw = run_pg_dump(tool, url_, PgDumpOptions{.privileges = dump_.privileges, .extra_args = {}});
    if (!raw) return fail(raw.error());
    return normalise_pg_dump(*raw);
  }

  // The catalog reader's text, led by kCatalogSnapshotMarker ("" for an empty schema).
  Expected<std::string> catalog_dump() {
    auto session = run("SELECT current_setting('search_path'),"
                       " coalesce(to_regclass('schema_migrations')::oid, 0)::text || '::oid, ' ||"
                       " coalesce(to_regclass('converge_migration_downs')::oid, 0)::text", nullptr);
    if (!session) return fail(session.error());
    std::string search_path = session->front()[0];
    if (auto ok = exec("SELECT set_config('search_path', '', false)"); !ok) return fail(ok.error());
    auto dump = dump_postgres_schema([this](const std::string& sql) { return run(sql, nullptr); },
                                     session->front()[1]);
    auto restored = run("SELECT set_config('search_path', $1, false)", search_path.c_str());
    if (!dump) return fail(dump.error());
    if (!restored) return fail(restored.error());
    if (dump->empty()) return dump;
    return std::string(kCatalogSnapshotMarker) + "\n\n" + *dump;
  }

  // Runs `sql` (with one text parameter when `param` is set) and returns its rows.
  Expected<std::vector<Row>> run(const std::string& sql, const char* param) {
    PGresult* res = param ? PQexecParams(conn_, sql.c_str(), 1, nullptr, &param, nullptr, nullptr, 0)
                          : PQexec(conn_, sql.c_str());
    return collect(res);
  }

  // The rows of `res` (cleared here), or the server's error.
  Expected<std::vector<Row>> collect(PGresult* res) {
    auto status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
      std::string why = trimmed(res ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
      PQclear(res);
      return fail(Error::runtime(label_ + ": " + why));
    }
    std::vector<Row> rows;
    int n = PQntuples(res), cols = PQnfields(res);
    rows.reserve(n);
    for (int r = 0; r < n; ++r) {
      Row row;
      for (int c = 0; c < cols; ++c) row.emplace_back(PQgetvalue(res, r, c));
      rows.push_back(std::move(row));
    }
    PQclear(res);
    return rows;
  }

  PGconn* conn_;
  std::string url_;  // with its password: pg_dump connects with it
  std::string label_;
  DumpSettings dump_;
  std::optional<Expected<PgDumpChoice>> choice_;
  ErrorSpot spot_;
};

}  // namespace

Expected<std::unique_ptr<Database>> open_postgres(const std::string& url, const DumpSettings& dump) {
  std::string label = redact_url(url);
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return fail(Error::runtime("cannot connect to " + label + ": " + redact_url(why)));
  }
  PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  auto db = std::make_unique<PostgresDatabase>(conn, url, dump);
  if (auto ok = db->exec("SET client_min_messages = warning"); !ok)
    return fail(ok.error());
  // A migration whose apply was killed must not run on without it (and then commit,
  // or block the next apply): PostgreSQL 14+ checks the client while a statement
  // runs and cancels it when the client is gone.
  if (PQserverVersion(conn) >= 140000)
    if (auto ok = db->exec("SET client_connection_check_interval = 1000"); !ok) return fail(ok.error());
  return db;
}

}  // namespace converge::providers::sql
