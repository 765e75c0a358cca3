// Deterministic dump of a PostgreSQL schema from the system catalogs (no pg_dump, so
// no tool-version lines and no dependency on its output format). Every query orders
// by `name` columns (C collation), so the text is byte-identical for equal schemas
// on any server of the same major version. Objects that belong to an extension and
// dbmate's schema_migrations table are left out: they are not the user's schema.
#include "converge/providers/sql/postgres_dump.hpp"

namespace converge::providers::sql {
namespace {

// Non-system schemas.
constexpr const char* kUserSchema =
    " n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)' ";
// Not created by an extension (catalog `cat`, object id `id`).
std::string not_extension_member(const char* cat, const char* id) {
  return std::string(" NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = '") + cat +
         "'::regclass AND dep.objid = " + id + " AND dep.deptype = 'e') ";
}
constexpr const char* kQualified = " quote_ident(n.nspname) || '.' || quote_ident(c.relname) ";

std::string strip_trailing(std::string text, std::string_view chars) {
  while (!text.empty() && chars.find(text.back()) != std::string_view::npos) text.pop_back();
  return text;
}

class Dumper {
 public:
  Dumper(const QueryFn& query, const std::string& migrations_oid)
      : query_(query), not_migrations_table_(" c.oid NOT IN (" + migrations_oid + "::oid) ") {}

  Expected<std::string> run() {
    for (auto step : {&Dumper::schemas, &Dumper::extensions, &Dumper::types, &Dumper::sequences,
                      &Dumper::tables, &Dumper::constraints, &Dumper::indexes, &Dumper::views,
                      &Dumper::functions, &Dumper::triggers, &Dumper::comments}) {
      if (auto ok = (this->*step)(); !ok) return fail(ok.error());
    }
    std::string out;
    for (const auto& block : blocks_) out += (out.empty() ? "" : "\n") + block + "\n";
    return out;
  }

 private:
  Expected<std::vector<Row>> rows(const std::string& sql) { return query_(sql); }

  Expected<void> schemas() {
    auto r = rows("SELECT quote_ident(n.nspname) FROM pg_namespace n WHERE" + std::string(kUserSchema) +
                  "AND n.nspname <> 'public' AND" + not_extension_member("pg_namespace", "n.oid") +
                  "ORDER BY n.nspname");
    if (!r) return fail(r.error());
    for (const auto& row : *r) blocks_.push_back("CREATE SCHEMA " + row[0] + ";");
    return {};
  }

  Expected<void> extensions() {
    auto r = rows(
        "SELECT quote_ident(e.extname), quote_ident(n.nspname) FROM pg_extension e"
        " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' ORDER BY e.extname");
    if (!r) return fail(r.error());
    for (const auto& row : *r)
      blocks_.push_back("CREATE EXTENSION IF NOT EXISTS " + row[0] + " WITH SCHEMA " + row[1] + ";");
    return {};
  }

  Expected<void> types() {
    const std::string from = " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE" +
                             std::string(kUserSchema) + "AND" + not_extension_member("pg_type", "t.oid");
    auto enums = rows(
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(t.typname),"
        " (SELECT string_agg(quote_literal(e.enumlabel), E',\\n    ' ORDER BY e.enumsortorder)"
        "  FROM pg_enum e WHERE e.enumtypid = t.oid)" +
        from + "AND t.typtype = 'e' ORDER BY n.nspname, t.typname");
    if (!enums) return fail(enums.error());
    for (const auto& row : *enums) blocks_.push_back("CREATE TYPE " + row[0] + " AS ENUM (\n    " + row[1] + "\n);");
    auto domains = rows(
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(t.typname), format_type(t.typbasetype, t.typtypmod),"
        " t.typnotnull::text, coalesce(t.typdefault, ''),"
        " coalesce((SELECT string_agg(E'\\n    CONSTRAINT ' || quote_ident(k.conname) || ' ' ||"
        "   pg_get_constraintdef(k.oid, true), '' ORDER BY k.conname)"
        "  FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c'), '')" +
        from + "AND t.typtype = 'd' ORDER BY n.nspname, t.typname");
    if (!domains) return fail(domains.error());
    for (const auto& row : *domains) {
      std::string block = "CREATE DOMAIN " + row[0] + " AS " + row[1];
      if (!row[3].empty()) block += "\n    DEFAULT " + row[3];
      if (row[2] == "true") block += "\n    NOT NULL";
      blocks_.push_back(block + row[4] + ";");
    }
    return {};
  }

  Expected<void> sequences() {
    auto r = rows(
        "SELECT" + std::string(kQualified) + ", format_type(s.seqtypid, NULL), s.seqstart::text,"
        " s.seqincrement::text, s.seqmin::text, s.seqmax::text, s.seqcache::text, s.seqcycle::text,"
        " coalesce((SELECT quote_ident(tn.nspname) || '.' || quote_ident(tc.relname) || '.' || quote_ident(a.attname)"
        "  FROM pg_depend d JOIN pg_class tc ON tc.oid = d.refobjid"
        "  JOIN pg_namespace tn ON tn.oid = tc.relnamespace"
        "  JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
        "  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'a'"
        "  AND d.refclassid = 'pg_class'::regclass), '')"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " JOIN pg_sequence s ON s.seqrelid = c.oid WHERE c.relkind = 'S' AND" +
        kUserSchema + "AND" + not_extension_member("pg_class", "c.oid") +
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
        " AND d.objid = c.oid AND d.deptype = 'i') ORDER BY n.nspname, c.relname");
    if (!r) return fail(r.error());
    for (const auto& row : *r) {
      std::string block = "CREATE SEQUENCE " + row[0] + "\n    AS " + row[1] + "\n    START WITH " + row[2] +
                          "\n    INCREMENT BY " + row[3] + "\n    MINVALUE " + row[4] + "\n    MAXVALUE " +
                          row[5] + "\n    CACHE " + row[6] + (row[7] == "true" ? "\n    CYCLE;" : ";");
      if (!row[8].empty()) block += "\nALTER SEQUENCE " + row[0] + " OWNED BY " + row[8] + ";";
      blocks_.push_back(block);
    }
    return {};
  }

  Expected<void> tables() {
    auto r = rows(
        "SELECT c.oid::text," + std::string(kQualified) +
        ", CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) ELSE '' END,"
        " coalesce(quote_ident(a.attname), ''), coalesce(format_type(a.atttypid, a.atttypmod), ''),"
        " coalesce(a.attnotnull::text, ''), coalesce(pg_get_expr(d.adbin, d.adrelid), ''),"
        " coalesce(a.attidentity::text, ''), coalesce(a.attgenerated::text, '')"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
        " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
        " WHERE c.relkind IN ('r', 'p') AND" +
        kUserSchema + "AND" + not_migrations_table_ + "AND" + not_extension_member("pg_class", "c.oid") +
        "ORDER BY n.nspname, c.relname, a.attnum");
    if (!r) return fail(r.error());
    std::string oid, block, partition;
    int columns = 0;
    auto finish = [&] {
      if (oid.empty()) return;
      blocks_.push_back(block + (columns ? "\n)" : ")") + (partition.empty() ? "" : " PARTITION BY " + partition) + ";");
    };
    for (const auto& row : *r) {
      if (row[0] != oid) {
        finish();
        oid = row[0];
        block = "CREATE TABLE " + row[1] + " (";
        partition = row[2];
        columns = 0;
      }
      if (row[3].empty()) continue;
      std::string column = "    " + row[3] + " " + row[4];
      if (row[7] == "a") column += " GENERATED ALWAYS AS IDENTITY";
      if (row[7] == "d") column += " GENERATED BY DEFAULT AS IDENTITY";
      if (row[8] == "s") column += " GENERATED ALWAYS AS (" + row[6] + ") STORED";
      else if (!row[6].empty()) column += " DEFAULT " + row[6];
      if (row[5] == "true") column += " NOT NULL";
      block += (columns++ ? ",\n" : "\n") + column;
    }
    finish();
    return {};
  }

  Expected<void> constraints() {
    auto r = rows("SELECT" + std::string(kQualified) +
                  ", quote_ident(k.conname), pg_get_constraintdef(k.oid, true)"
                  " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
                  " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.contype <> 'n' AND" +
                  kUserSchema + "AND" + not_migrations_table_ + "AND" + not_extension_member("pg_class", "c.oid") +
                  "ORDER BY n.nspname, c.relname, k.conname");
    if (!r) return fail(r.error());
    for (const auto& row : *r)
      blocks_.push_back("ALTER TABLE ONLY " + row[0] + "\n    ADD CONSTRAINT " + row[1] + " " + row[2] + ";");
    return {};
  }

  Expected<void> indexes() {
    auto r = rows(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid"
        " JOIN pg_namespace n ON n.oid = ic.relnamespace WHERE" +
        std::string(kUserSchema) + "AND" + not_migrations_table_ + "AND" + not_extension_member("pg_class", "c.oid") +
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid"
        " AND k.contype IN ('p', 'u', 'x')) ORDER BY n.nspname, ic.relname");
    if (!r) return fail(r.error());
    for (const auto& row : *r) blocks_.push_back(row[0] + ";");
    return {};
  }

  Expected<void> views() {
    auto r = rows("SELECT" + std::string(kQualified) +
                  ", c.relkind::text, pg_get_viewdef(c.oid, true) FROM pg_class c"
                  " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND" +
                  kUserSchema + "AND" + not_extension_member("pg_class", "c.oid") + "ORDER BY n.nspname, c.relname");
    if (!r) return fail(r.error());
    for (const auto& row : *r) {
      std::string kind = row[1] == "m" ? "CREATE MATERIALIZED VIEW " : "CREATE VIEW ";
      blocks_.push_back(kind + row[0] + " AS\n" + strip_trailing(row[2], " \n;") + ";");
    }
    return {};
  }

  Expected<void> functions() {
    auto r = rows("SELECT pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                  " WHERE p.prokind IN ('f', 'p') AND" +
                  std::string(kUserSchema) + "AND" + not_extension_member("pg_proc", "p.oid") +
                  "ORDER BY n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)");
    if (!r) return fail(r.error());
    for (const auto& row : *r) blocks_.push_back(strip_trailing(row[0], " \n") + ";");
    return {};
  }

  Expected<void> triggers() {
    auto r = rows("SELECT pg_get_triggerdef(t.oid, true) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                  " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND" +
                  std::string(kUserSchema) + "AND" + not_extension_member("pg_class", "c.oid") +
                  "ORDER BY n.nspname, c.relname, t.tgname");
    if (!r) return fail(r.error());
    for (const auto& row : *r) blocks_.push_back(row[0] + ";");
    return {};
  }

  Expected<void> comments() {
    auto r = rows(
        "SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'"
        " WHEN 'i' THEN 'INDEX' ELSE 'TABLE' END," +
        std::string(kQualified) + ", coalesce(quote_ident(a.attname), ''), quote_literal(d.description)"
        " FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0"
        " WHERE" + kUserSchema + "AND" + not_migrations_table_ + "AND" + not_extension_member("pg_class", "c.oid") +
        "ORDER BY n.nspname, c.relname, d.objsubid");
    if (!r) return fail(r.error());
    for (const auto& row : *r) {
      if (row[2].empty()) blocks_.push_back("COMMENT ON " + row[0] + " " + row[1] + " IS " + row[3] + ";");
      else blocks_.push_back("COMMENT ON COLUMN " + row[1] + "." + row[2] + " IS " + row[3] + ";");
    }
    return {};
  }

  const QueryFn& query_;
  const std::string not_migrations_table_;
  std::vector<std::string> blocks_;
};

}  // namespace

Expected<std::string> dump_postgres_schema(const QueryFn& query, const std::string& migrations_table_oid) {
  return Dumper(query, migrations_table_oid).run();
}

}  // namespace converge::providers::sql
