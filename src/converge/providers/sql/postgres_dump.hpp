// Deterministic PostgreSQL schema dump from catalog queries (internal to the sql
// provider): the fallback where no usable pg_dump exists. The snapshot is normally
// pg_dump's text (pg_dump.hpp, normalised by schema_text.hpp); this reader sees fewer
// object kinds (docs/providers/sql.md, Drift coverage, lists which), and
// PostgresDatabase marks its text with kCatalogSnapshotMarker.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "converge/util/error.hpp"

namespace converge::providers::sql {

using Row = std::vector<std::string>;  // NULL reads as ""
using QueryFn = std::function<Expected<std::vector<Row>>(const std::string& sql)>;

// The user schema as SQL-like DDL, one object per block separated by a blank line:
// schemas, extensions, enum and domain types, sequences, tables (columns, NOT NULL,
// defaults), constraints, indexes not backing a constraint, views, functions,
// triggers, comments; each group ordered by schema then name. System schemas,
// extension members and the tables `migrations_table_oid` names (schema_migrations and
// converge_migration_downs, as "<oid>::oid, <oid>"; "0" for an absent one) are left
// out. "" for an empty database. Run it with an empty search_path so
// every name the catalog functions print is schema-qualified, whoever connects.
Expected<std::string> dump_postgres_schema(const QueryFn& query, const std::string& migrations_table_oid);

}  // namespace converge::providers::sql
