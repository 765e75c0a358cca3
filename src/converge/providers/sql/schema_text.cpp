// Normalisation of pg_dump's plain-text schema dump into converge's snapshot text.
//
// pg_dump writes a preamble (banner, `\restrict KEY`, `SET …` lines, the search_path
// set_config), then one entry per object: a three-line comment header
//   --
//   -- Name: users; Type: TABLE; Schema: public; Owner: -
//   --
// a blank line, the object's SQL and two blank lines. Session settings it needs for
// the next entry (`SET default_tablespace = '';`, `SET default_table_access_method =
// heap;`) are written between entries, before the next header. The dump ends with a
// "-- PostgreSQL database dump complete" footer and `\unrestrict KEY`; dbmate appends
// its "-- Dbmate schema migrations" INSERTs after that. This file cuts the text at the
// headers, keeps each entry's SQL and drops everything else.
#include "converge/providers/sql/schema_text.hpp"

#include "converge/util/lines.hpp"

namespace converge::providers::sql {
namespace {

using util::split_lines;

bool blank(std::string_view line) { return line.find_first_not_of(" \t") == std::string_view::npos; }

// The session lines pg_dump writes outside entries (and that are never an entry's SQL
// on a line of their own between two entries).
bool session_line(std::string_view line) {
  return (line.starts_with("SET ") && line.ends_with(";")) || line.starts_with("SELECT pg_catalog.set_config(") ||
         line.starts_with("\\restrict ") || line.starts_with("\\unrestrict ");
}

// A line after which nothing is schema: pg_dump's footer and dbmate's trailer.
bool ends_dump(std::string_view line) {
  return line == "-- PostgreSQL database dump complete" || line == "-- Dbmate schema migrations";
}

// "-- Name: n; Type: t; Schema: s; Owner: o" at lines[i - 1..i + 1] as an entry; false
// when these lines are not an entry header.
bool parse_header(const std::vector<std::string_view>& lines, size_t i, PgDumpEntry& entry) {
  if (i == 0 || i + 1 >= lines.size() || lines[i - 1] != "--" || lines[i + 1] != "--") return false;
  std::string_view line = lines[i];
  constexpr std::string_view kName = "-- Name: ";
  if (!line.starts_with(kName)) return false;
  // From the right: a name may hold "; " (a quoted identifier), the fields after it do not.
  size_t owner = line.rfind("; Owner: ");
  size_t schema = line.rfind("; Schema: ", owner);
  size_t type = line.rfind("; Type: ", schema);
  if (owner == std::string_view::npos || schema == std::string_view::npos || type == std::string_view::npos ||
      type < kName.size())
    return false;
  entry.name = line.substr(kName.size(), type - kName.size());
  entry.type = line.substr(type + 8, schema - type - 8);
  entry.schema = line.substr(schema + 10, owner - schema - 10);
  return true;
}

// dbmate's and converge's bookkeeping tables, and everything pg_dump names after them
// ("schema_migrations schema_migrations_pkey", "TABLE schema_migrations",
// "COLUMN schema_migrations.version").
bool bookkeeping(std::string_view name) {
  for (std::string_view prefix : {"TABLE ", "COLUMN ", "SEQUENCE "})
    if (name.starts_with(prefix)) name.remove_prefix(prefix.size());
  for (std::string_view table : {"schema_migrations", "converge_migration_downs"}) {
    if (!name.starts_with(table)) continue;
    std::string_view rest = name.substr(table.size());
    if (rest.empty() || rest.front() == ' ' || rest.front() == '.') return true;
  }
  return false;
}

// The SQL of `lines`: session lines at its end dropped, blank-line runs collapsed,
// trimmed; "" when only comments remain.
std::string entry_sql(std::vector<std::string_view> lines) {
  while (!lines.empty() && (blank(lines.back()) || session_line(lines.back()))) lines.pop_back();
  std::string sql;
  bool only_comments = true, after_blank = false;
  for (auto line : lines) {
    if (blank(line)) {
      after_blank = !sql.empty();
      continue;
    }
    if (!line.starts_with("--")) only_comments = false;
    if (after_blank) sql += "\n";
    sql.append(line).append("\n");
    after_blank = false;
  }
  if (only_comments) return "";
  sql.pop_back();
  return sql;
}

}  // namespace

bool is_raw_pg_dump(std::string_view text) {
  auto lines = split_lines(text);
  PgDumpEntry ignored;
  for (size_t i = 0; i < lines.size(); ++i)
    if (lines[i] == "-- PostgreSQL database dump" || lines[i].starts_with("\\restrict ") ||
        parse_header(lines, i, ignored))
      return true;
  return false;
}

std::vector<PgDumpEntry> pg_dump_entries(std::string_view dump) {
  auto lines = split_lines(dump);
  std::vector<PgDumpEntry> out;
  PgDumpEntry current;
  bool in_entry = false;
  std::vector<std::string_view> body;
  auto close = [&] {
    if (in_entry && !bookkeeping(current.name)) {
      current.sql = entry_sql(std::move(body));
      if (!current.sql.empty()) out.push_back(std::move(current));
    }
    body.clear();
    current = {};
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    if (ends_dump(lines[i])) {
      if (!body.empty() && body.back() == "--") body.pop_back();
      break;
    }
    PgDumpEntry header;
    if (parse_header(lines, i, header)) {
      if (!body.empty()) body.pop_back();  // the header's opening "--"
      close();
      current = std::move(header);
      in_entry = true;
      ++i;  // the header's closing "--"
      continue;
    }
    body.push_back(lines[i]);
  }
  close();
  return out;
}

std::string normalise_pg_dump(std::string_view dump) {
  if (!is_raw_pg_dump(dump)) {
    std::string sql = entry_sql(split_lines(dump));
    return sql.empty() ? "" : sql + "\n";
  }
  std::string out;
  for (const auto& entry : pg_dump_entries(dump)) out += (out.empty() ? "" : "\n") + entry.sql + "\n";
  return out;
}

SnapshotDumper snapshot_dumper(std::string_view snapshot) {
  if (snapshot.find_first_not_of(" \t\r\n") == std::string_view::npos) return SnapshotDumper::none;
  if (snapshot.starts_with(kCatalogSnapshotMarker)) return SnapshotDumper::catalog;
  return SnapshotDumper::pg_dump;
}

}  // namespace converge::providers::sql
