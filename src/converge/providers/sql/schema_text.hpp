// converge's PostgreSQL schema snapshot text: `pg_dump --schema-only` output (or a
// `dbmate dump` file, which is that plus its schema_migrations INSERTs) normalised so
// that equal schemas give byte-equal text on any machine with the same pg_dump major.
// Pure text functions (internal to the sql provider; the dbmate snapshot writer uses
// them too).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace converge::providers::sql {

// One object as pg_dump writes it: its "-- Name: …; Type: …; Schema: …; Owner: …"
// header split into fields, and the SQL under it (trimmed, blank-line runs collapsed).
struct PgDumpEntry {
  std::string name;    // "users", "users users_pkey", "TABLE users", "f(integer)"
  std::string type;    // "TABLE", "CONSTRAINT", "ACL", "COMMENT", …
  std::string schema;  // "-" for objects outside a schema
  std::string sql;
};

// The entries of a raw pg_dump text in pg_dump's order (deterministic for a given
// schema and pg_dump major). Leaves out what is not the user's schema: the header and
// footer comments, `SET` / `SELECT pg_catalog.set_config(…)` lines, `\restrict` /
// `\unrestrict` keys, dbmate's trailing "-- Dbmate schema migrations" INSERT block,
// entries that only hold a comment ("-- *not* creating schema …"), and dbmate's and
// converge's bookkeeping (schema_migrations, converge_migration_downs: the tables, their
// constraints, comments and grants, in any schema).
std::vector<PgDumpEntry> pg_dump_entries(std::string_view dump);

// The snapshot text of a raw pg_dump text: the SQL of pg_dump_entries() separated by
// one blank line, with a final newline; "" when there is no entry (an empty schema).
// Text that is not raw pg_dump output (is_raw_pg_dump() false: already normalised)
// comes back with only blank-line runs collapsed, so normalising twice changes nothing.
std::string normalise_pg_dump(std::string_view dump);

// True when `text` is raw pg_dump output (a dbmate schema.sql): it has pg_dump's
// "-- PostgreSQL database dump" banner, a `\restrict` key or an entry header.
bool is_raw_pg_dump(std::string_view text);

// The first line of a snapshot written by converge's catalog reader (the fallback
// where no usable pg_dump exists), so a comparison knows which dumper to use.
inline constexpr std::string_view kCatalogSnapshotMarker =
    "-- converge catalog dump: written without pg_dump, fewer object kinds are compared "
    "(docs/providers/sql.md, Drift coverage)";

// Which dumper wrote a committed PostgreSQL snapshot.
enum class SnapshotDumper {
  none,     // "" (no snapshot, or an empty schema): any dumper compares
  pg_dump,  // normalised or raw pg_dump text (converge's default, or dbmate's file)
  catalog,  // starts with kCatalogSnapshotMarker
};
SnapshotDumper snapshot_dumper(std::string_view snapshot);

}  // namespace converge::providers::sql
