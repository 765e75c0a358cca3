// dbmate's schema file, written byte for byte as `dbmate dump` (2.x) writes it, and
// SQLite schema texts made comparable whichever tool wrote them.
//
// SQLite: dbmate runs `sqlite3 FILE ".schema --nosys"`. The shell selects
//   SELECT shell_add_schema(sql, NULL, name) … FROM sqlite_schema
//   WHERE name NOT LIKE 'sqlite_%' AND sql IS NOT NULL ORDER BY rowid
// where shell_add_schema appends "\n/* name(col,col) */" to a view or virtual table
// (its columns from PRAGMA table_info, each name double-quoted when it is not a plain
// identifier or is a keyword), and prints each row with printSchemaLine: a statement
// that a trailing comment would leave open gets "", "*/" or "\n" added until
// sqlite3_complete() accepts it, and `CREATE TABLE "x"` / `CREATE TABLE 'x'` is
// printed as `CREATE TABLE IF NOT EXISTS "x"`; then ";\n".
#include "converge/providers/sql/dbmate_snapshot.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <regex>

#include "converge/providers/sql/pg_dump.hpp"
#include "converge/util/lines.hpp"
#include "converge/util/subprocess.hpp"

namespace converge::providers::sql {
namespace {

constexpr std::string_view kTrailer = "-- Dbmate schema migrations";
constexpr const char* kDownsTable = "converge_migration_downs";

// The length of the Unicode whitespace (Go's unicode.IsSpace) ending `s` at its end,
// 0 when it does not end in whitespace.
size_t trailing_space(std::string_view s) {
  if (s.empty()) return 0;
  unsigned char last = static_cast<unsigned char>(s.back());
  if (last == ' ' || (last >= '\t' && last <= '\r')) return 1;
  static const std::vector<std::string_view> wide = {
      "\xC2\x85", "\xC2\xA0", "\xE1\x9A\x80", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF",
      "\xE2\x81\x9F", "\xE3\x80\x80"};
  for (auto w : wide)
    if (s.ends_with(w)) return w.size();
  size_t n = s.size();  // U+2000 … U+200A: E2 80 80 … E2 80 8A
  if (n >= 3 && s[n - 3] == '\xE2' && s[n - 2] == '\x80' && last >= 0x80 && last <= 0x8A) return 3;
  return 0;
}

// The sqlite3 shell's quoteChar(): '"' unless `name` is a plain identifier that is
// not a keyword.
bool needs_quotes(const std::string& name) {
  if (name.empty()) return true;
  auto plain = [](unsigned char c) { return std::isalnum(c) || c == '_'; };
  if (!std::isalpha(static_cast<unsigned char>(name[0])) && name[0] != '_') return true;
  if (!std::all_of(name.begin(), name.end(), [&](char c) { return plain(static_cast<unsigned char>(c)); }))
    return true;
  return sqlite3_keyword_check(name.c_str(), static_cast<int>(name.size())) != 0;
}

std::string shell_quoted(const std::string& name) {
  if (!needs_quotes(name)) return name;
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// shell_add_schema() for the main schema: the "/* name(columns) */" line of a view or
// virtual table, "" for anything else or a view with no columns.
Expected<std::string> fake_schema(Database& db, const std::string& sql, const std::string& name) {
  if (!sql.starts_with("CREATE VIEW ") && !sql.starts_with("CREATE VIRTUAL TABLE ")) return std::string();
  auto columns = db.query("SELECT name FROM pragma_table_info($1, 'main')", {name});
  if (!columns) return fail(columns.error());
  if (columns->empty()) return std::string();
  std::string out = "\n/* " + shell_quoted(name);
  const char* div = "(";
  for (const auto& column : *columns) {
    out += div + shell_quoted(column.empty() ? "" : column.front());
    div = ",";
  }
  return out + ") */";
}

// printSchemaLine(sql, ";\n").
std::string schema_line(std::string sql) {
  if (sql.find("/*") != std::string::npos || sql.find("--") != std::string::npos) {
    for (const char* term : {"", "*/", "\n"}) {
      std::string candidate = sql + term + ";";
      if (sqlite3_complete(candidate.c_str())) {
        sql += term;
        break;
      }
    }
  }
  if (sql.starts_with("CREATE TABLE \"") || sql.starts_with("CREATE TABLE '"))
    return "CREATE TABLE IF NOT EXISTS " + sql.substr(13) + ";\n";
  return sql + ";\n";
}

// The applied versions as dbmate lists them: `values` are already SQL literals in
// version order; `table` is the quoted table name; `indent` dbmate's per driver.
std::string versions_block(const std::string& table, const std::vector<std::vector<std::string>>& values,
                           const std::string& indent) {
  if (values.empty()) return "";
  std::string out = "INSERT INTO " + table + " (version) VALUES\n" + indent + "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += "),\n" + indent + "(";
    out += values[i].empty() ? "" : values[i].front();
  }
  return out + ");\n";
}

// The name a `CREATE TABLE` statement creates: unquoted, "" when it does not parse.
std::string created_table(std::string_view entry) {
  for (std::string_view prefix : {"CREATE TABLE IF NOT EXISTS ", "CREATE TABLE "}) {
    if (!entry.starts_with(prefix)) continue;
    std::string_view rest = entry.substr(prefix.size());
    if (rest.empty()) return "";
    char open = rest.front();
    char close = open == '[' ? ']' : open;
    if (open == '"' || open == '\'' || open == '`' || open == '[') {
      std::string name;
      for (size_t i = 1; i < rest.size(); ++i) {
        if (rest[i] == close) {
          if (close != ']' && i + 1 < rest.size() && rest[i + 1] == close) {
            name += close;
            ++i;
            continue;
          }
          return name;
        }
        name += rest[i];
      }
      return "";
    }
    size_t end = rest.find_first_of(" (\n\t");
    return std::string(rest.substr(0, end));
  }
  return "";
}

}  // namespace

Expected<SnapshotFormat> read_snapshot_format(const config::Settings& settings) {
  auto value = settings.string_or("snapshot_format", "converge");
  if (!value) return fail(value.error());
  if (*value == "converge") return SnapshotFormat::converge;
  if (*value == "dbmate") return SnapshotFormat::dbmate;
  return fail(Error::config("setting 'snapshot_format' must be 'converge' or 'dbmate', not '" + *value + "'",
                            settings.find("snapshot_format")->where));
}

bool is_dbmate_snapshot(std::string_view text) {
  for (auto line : util::split_lines(text)) {
    if (line == kTrailer) return true;
  }
  return false;
}

std::string trim_leading_sql_comments(std::string_view text) {
  std::string out;
  bool preamble = true;
  for (auto line : util::split_lines(text)) {
    // (split_lines drops a "\r" before the "\n", as Go's bufio.ScanLines does)
    if (preamble && (line.empty() || line.starts_with("--"))) continue;
    preamble = false;
    while (size_t n = trailing_space(line)) line.remove_suffix(n);
    out.append(line);
    out += '\n';
  }
  return out;
}

bool pg_dump_has_restrict_key(std::string_view version_output) {
  static const std::regex version(R"(\(PostgreSQL\) (\d+)\.(\d+))");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_search(version_output.begin(), version_output.end(), m, version)) return false;
  int major = std::stoi(m[1].str()), minor = std::stoi(m[2].str());
  return major > 17 || (major == 17 && minor >= 6) || (major == 16 && minor >= 10) || (major == 15 && minor >= 14);
}

Expected<std::string> dbmate_sqlite_dump(Database& db) {
  auto rows = db.query(
      "SELECT sql, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND sql IS NOT NULL"
      " AND tbl_name <> '" + std::string(kDownsTable) + "' ORDER BY rowid", {});
  if (!rows) return fail(rows.error());
  std::string schema;
  for (const auto& row : *rows) {
    auto fake = fake_schema(db, row[0], row[1]);
    if (!fake) return fail(fake.error());
    schema += schema_line(row[0] + *fake);
  }
  schema += std::string(kTrailer) + "\n";
  auto exists = db.has_table("schema_migrations");
  if (!exists) return fail(exists.error());
  if (*exists) {
    auto versions = db.query("SELECT quote(version) FROM \"schema_migrations\" ORDER BY version ASC", {});
    if (!versions) return fail(versions.error());
    schema += versions_block("\"schema_migrations\"", *versions, "  ");
  }
  return trim_leading_sql_comments(schema);
}

Expected<std::string> dbmate_postgres_file(Database& db, std::string_view pg_dump) {
  auto table = db.query("SELECT quote_ident(current_schema()) || '.' || quote_ident('schema_migrations')", {});
  if (!table) return fail(table.error());
  std::string name = table->empty() ? "public.schema_migrations" : table->front().front();
  std::string out(pg_dump);
  out += "\n--\n" + std::string(kTrailer) + "\n--\n\n";
  auto exists = db.has_table("schema_migrations");
  if (!exists) return fail(exists.error());
  if (*exists) {
    auto versions = db.query("SELECT quote_literal(version) FROM " + name + " ORDER BY version ASC", {});
    if (!versions) return fail(versions.error());
    out += versions_block(name, *versions, "    ");
  }
  return trim_leading_sql_comments(out);
}

Expected<std::string> dbmate_postgres_dump(Database& db, const std::string& url, const DumpSettings& dump) {
  auto server = db.query("SELECT current_setting('server_version_num')", {});
  if (!server) return fail(server.error());
  int major = server->empty() ? 0 : std::stoi(server->front().front()) / 10000;
  auto choice = find_pg_dump(major, dump.pg_dump);
  if (!choice) return fail(choice.error());
  if (!choice->tool)
    return fail(Error::runtime("snapshot_format: dbmate writes pg_dump's output, and no usable pg_dump was found (" +
                               choice->missing + ")"));
  // dbmate's arguments are converge's (pg_dump.hpp) and, where pg_dump knows it, a
  // fixed restrict key; converge's own table is left out.
  PgDumpOptions options{.privileges = false, .extra_args = {"--exclude-table=" + std::string(kDownsTable)}};
  auto version = util::run_process({choice->tool->path, "--version"}, {},
                                   {.time = std::chrono::seconds(10), .output_bytes = 4096});
  if (version && version->exit_code == 0 && pg_dump_has_restrict_key(version->out))
    options.extra_args.push_back("--restrict-key=dbmate");
  auto raw = run_pg_dump(*choice->tool, url, options);
  if (!raw) return fail(raw.error());
  return dbmate_postgres_file(db, *raw);
}

std::string comparable_sqlite_schema(std::string_view text) {
  std::vector<std::string> entries;
  std::string current;
  auto flush = [&] {
    while (!current.empty() && (current.back() == '\n' || current.back() == ' ')) current.pop_back();
    if (!current.empty()) entries.push_back(std::move(current));
    current.clear();
  };
  for (auto line : util::split_lines(text)) {
    if (line == kTrailer) break;
    std::string_view last = current;
    while (!last.empty() && (last.back() == '\n' || last.back() == ' ')) last.remove_suffix(1);
    if (line.starts_with("CREATE ") && (last.empty() || last.ends_with(';'))) flush();
    if (current.empty() && line.find_first_not_of(" \t") == std::string_view::npos) continue;
    current.append(line);
    current += '\n';
  }
  flush();

  std::vector<std::string> kept;
  for (auto& entry : entries) {
    std::string table = created_table(entry);
    if (table == "schema_migrations" || table == kDownsTable) continue;
    for (std::string_view shell : {"CREATE TABLE IF NOT EXISTS \"", "CREATE TABLE IF NOT EXISTS '"})
      if (entry.starts_with(shell)) entry.erase(13, 14);
    if (entry.starts_with("CREATE VIEW ") || entry.starts_with("CREATE VIRTUAL TABLE ")) {
      size_t nl = entry.rfind('\n');
      if (nl != std::string::npos && entry.compare(nl + 1, 3, "/* ") == 0 && entry.ends_with(" */;"))
        entry = entry.substr(0, nl) + ";";
    }
    kept.push_back(std::move(entry));
  }
  std::sort(kept.begin(), kept.end());
  std::string out;
  for (const auto& entry : kept) out += entry + "\n\n";
  return out;
}

}  // namespace converge::providers::sql
