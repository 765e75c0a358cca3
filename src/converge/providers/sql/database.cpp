// URL handling for the sql provider (which backend a URL names, and redaction), and
// the backend-independent bookkeeping of converge_migration_downs.
#include "converge/providers/sql/database.hpp"

namespace converge::providers::sql {

bool is_sqlite_url(std::string_view url) { return url.starts_with("sqlite:///") && url.size() > 10; }

bool is_postgres_url(std::string_view url) {
  return url.starts_with("postgres://") || url.starts_with("postgresql://");
}

std::filesystem::path sqlite_path(std::string_view url, const std::filesystem::path& repo_root) {
  if (!is_sqlite_url(url)) return {};
  std::string_view rest = url.substr(std::string_view("sqlite:///").size());
  if (rest.starts_with('/')) return std::filesystem::path(rest);
  return repo_root / std::filesystem::path(rest);
}

std::string redact_url(std::string_view url) {
  std::string out(url);
  auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t end = out.find_first_of("/?#", start);
    if (end == std::string::npos) end = out.size();
    size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= start) {
      size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (std::string_view key : {"password=", "PASSWORD=", "sslpassword="}) {
    size_t pos = 0;
    while ((pos = out.find(key, pos)) != std::string::npos) {
      bool starts_param = pos == 0 || out[pos - 1] == '?' || out[pos - 1] == '&' || out[pos - 1] == ' ';
      size_t value = pos + key.size();
      if (!starts_param) {
        pos = value;
        continue;
      }
      size_t end = out.find_first_of("& ", value);
      if (end == std::string::npos) end = out.size();
      out.replace(value, end - value, "***");
      pos = value + 3;
    }
  }
  return out;
}

Expected<void> Database::record_down(const RecordedDown& down) {
  auto done = query("INSERT INTO converge_migration_downs (version, name, down_sql, transactional)"
                    " VALUES ($1, $2, $3, $4) ON CONFLICT (version) DO UPDATE SET name = excluded.name,"
                    " down_sql = excluded.down_sql, transactional = excluded.transactional",
                    {down.version, down.name, down.sql, down.transactional ? "1" : "0"});
  if (!done) return fail(done.error());
  return {};
}

Expected<std::map<std::string, Database::RecordedDown>> Database::recorded_downs() {
  std::map<std::string, RecordedDown> out;
  auto exists = has_table("converge_migration_downs");
  if (!exists) return fail(exists.error());
  if (!*exists) return out;
  auto rows = query("SELECT version, name, down_sql, transactional FROM converge_migration_downs", {});
  if (!rows) return fail(rows.error());
  for (auto& r : *rows) out[r[0]] = RecordedDown{r[0], r[1], r[2], r[3] != "0"};
  return out;
}

Expected<void> Database::delete_version(std::string_view version) {
  std::vector<std::string> v{std::string(version)};
  auto done = query("DELETE FROM schema_migrations WHERE version = $1", v);
  if (done) done = query("DELETE FROM converge_migration_downs WHERE version = $1", v);
  if (!done) return fail(done.error());
  return {};
}

Expected<Database::SchemaTexts> Database::compare_schema(std::string_view snapshot) {
  auto live = dump_schema();
  if (!live) return fail(live.error());
  return SchemaTexts{.live = std::move(*live), .snapshot = std::string(snapshot)};
}

Expected<std::unique_ptr<Database>> open_database(std::string_view url,
                                                  const std::filesystem::path& repo_root, OpenMode mode,
                                                  const DumpSettings& dump) {
  if (is_sqlite_url(url)) return open_sqlite(sqlite_path(url, repo_root), mode);
  if (is_postgres_url(url)) return open_postgres(std::string(url), dump);
  return fail(Error::runtime("unsupported database URL '" + redact_url(url) +
                             "' (expected sqlite:///path or postgres://…)"));
}

}  // namespace converge::providers::sql
