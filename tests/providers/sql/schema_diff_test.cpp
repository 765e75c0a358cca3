// The PR schema diff on dump texts: SQLite (sqlite_master statements) and PostgreSQL
// (normalised pg_dump and catalog-reader forms) — tables, columns (type, default,
// nullability), indexes, constraints and other objects added, changed and dropped;
// text inside strings and function bodies is never read as structure.
#include <gtest/gtest.h>

#include "converge/plan/schema_preview.hpp"
#include "converge/providers/sql/schema_diff.hpp"

namespace converge::providers::sql {
namespace {

// One line per change and part: "+ table users: 2 columns", "  + column note: text".
std::string lines(const std::vector<plan::SchemaChange>& changes) {
  std::string out;
  auto line = [&](const plan::SchemaChange& c, const char* indent) {
    out += std::string(indent) + (c.action == plan::Action::create ? "+" : c.action == plan::Action::remove ? "-" : "~") +
           " " + c.kind + " " + c.name + (c.detail.empty() ? "" : ": " + c.detail) + "\n";
  };
  for (const auto& c : changes) {
    line(c, "");
    for (const auto& p : c.parts) line(p, "  ");
  }
  return out;
}

TEST(SchemaDiff, EqualDumpsHaveNoChanges) {
  const char* dump = "CREATE TABLE users (id integer primary key, name text);\n\nCREATE INDEX users_name ON users (name);\n";
  EXPECT_TRUE(diff_schemas(dump, dump, Dialect::sqlite).empty());
  EXPECT_TRUE(diff_schemas("", "", Dialect::postgres).empty());
}

TEST(SchemaDiff, SqliteTableAddedWithItsColumnsAndIndexAndAColumnAdded) {
  const char* before = "CREATE TABLE users (id integer primary key, name text);\n";
  const char* after =
      "CREATE TABLE orders (\n  id integer primary key,\n  user_id integer not null references users(id),\n"
      "  total numeric(10, 2) default 0\n);\n\n"
      "CREATE TABLE users (id integer primary key, name text, note text default '');\n\n"
      "CREATE INDEX orders_user ON orders (user_id);\n";
  EXPECT_EQ(lines(diff_schemas(before, after, Dialect::sqlite)),
            "+ table orders: 3 columns\n"
            "  + column id: integer primary key\n"
            "  + column user_id: integer references users(id) NOT NULL\n"
            "  + column total: numeric(10, 2) DEFAULT 0\n"
            "  + index orders_user: (user_id)\n"
            "~ table users\n"
            "  + column note: text DEFAULT ''\n");
}

TEST(SchemaDiff, PostgresColumnTypeDefaultNullabilityConstraintsAndIndexes) {
  const char* before =
      "CREATE TABLE public.accounts (\n    id integer NOT NULL,\n    amount integer,\n    legacy text\n);\n\n"
      "ALTER TABLE ONLY public.accounts\n    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);\n\n"
      "ALTER TABLE ONLY public.accounts\n    ADD CONSTRAINT accounts_amount_check CHECK ((amount > 0));\n";
  const char* after =
      "CREATE TABLE public.accounts (\n    id integer NOT NULL,\n    amount bigint DEFAULT 0 NOT NULL,\n"
      "    email character varying(200)\n);\n\n"
      "ALTER TABLE ONLY public.accounts\n    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);\n\n"
      "CREATE UNIQUE INDEX accounts_email_idx ON public.accounts USING btree (email);\n";
  EXPECT_EQ(lines(diff_schemas(before, after, Dialect::postgres)),
            "~ table public.accounts\n"
            "  ~ column amount: type integer → bigint, default 0 added, NOT NULL added\n"
            "  + column email: character varying(200)\n"
            "  - column legacy\n"
            "  + index accounts_email_idx: UNIQUE USING btree (email)\n"
            "  - constraint accounts_amount_check\n");
}

TEST(SchemaDiff, PgDumpSerialDefaultsBelongToTheirColumn) {
  const char* before = "CREATE TABLE public.t (\n    id integer NOT NULL\n);\n";
  const char* after =
      "CREATE TABLE public.t (\n    id integer NOT NULL\n);\n\n"
      "CREATE SEQUENCE public.t_id_seq\n    AS integer\n    START WITH 1;\n\n"
      "ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;\n\n"
      "ALTER TABLE ONLY public.t ALTER COLUMN id SET DEFAULT nextval('public.t_id_seq'::regclass);\n";
  EXPECT_EQ(lines(diff_schemas(before, after, Dialect::postgres)),
            "~ table public.t\n"
            "  ~ column id: default nextval('public.t_id_seq'::regclass) added\n"
            "+ sequence public.t_id_seq\n");
}

TEST(SchemaDiff, ViewsFunctionsAndTypesByName) {
  const char* before =
      "CREATE TYPE public.mood AS ENUM (\n    'sad',\n    'ok'\n);\n\n"
      "CREATE VIEW public.v AS\n SELECT 1 AS one;\n\n"
      "CREATE FUNCTION public.f(a integer) RETURNS integer\n    LANGUAGE sql\n    AS $$ select a $$;\n";
  const char* after =
      "CREATE VIEW public.v AS\n SELECT 2 AS two;\n\n"
      "CREATE FUNCTION public.f(a integer) RETURNS integer\n    LANGUAGE sql\n    AS $$ select a + 1 $$;\n\n"
      "CREATE FUNCTION public.f(a text) RETURNS text\n    LANGUAGE sql\n    AS $$ select a $$;\n\n"
      "CREATE MATERIALIZED VIEW public.mv AS\n SELECT 1 AS one\n  WITH NO DATA;\n";
  EXPECT_EQ(lines(diff_schemas(before, after, Dialect::postgres)),
            "~ function public.f(a integer): definition changed\n"
            "+ function public.f(a text)\n"
            "+ materialized view public.mv\n"
            "- type public.mood\n"
            "~ view public.v: definition changed\n");
}

TEST(SchemaDiff, TextInStringsAndBodiesIsNotStructure) {
  const char* after =
      "CREATE FUNCTION public.g() RETURNS void\n    LANGUAGE plpgsql\n"
      "    AS $$ begin execute 'CREATE TABLE evil (x int); CREATE INDEX i ON evil (x)'; end $$;\n\n"
      "COMMENT ON FUNCTION public.g() IS 'CREATE TABLE nope (y int);';\n";
  EXPECT_EQ(lines(diff_schemas("", after, Dialect::postgres)),
            "+ comment on function public.g()\n"
            "+ function public.g()\n");
}

TEST(SchemaDiff, QuotedAndUnquotedNamesAreTheSameTable) {
  const char* before = "CREATE TABLE \"users\" (id integer);\n";
  const char* after = "CREATE TABLE \"users\" (id integer);\n\nCREATE INDEX users_id ON Users (id);\n";
  EXPECT_EQ(lines(diff_schemas(before, after, Dialect::sqlite)), "~ table users\n  + index users_id: (id)\n");
}

TEST(SchemaDiff, TriggersPoliciesCommentsAndTableSettingsArePartsOfTheirTable) {
  const char* before = "CREATE TABLE public.t (\n    id integer\n);\n";
  const char* after =
      "CREATE TABLE public.t (\n    id integer\n);\n\n"
      "COMMENT ON COLUMN public.t.id IS 'the id';\n\n"
      "ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;\n\n"
      "CREATE POLICY own ON public.t USING ((id > 0));\n\n"
      "CREATE TRIGGER t_touch BEFORE UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION public.touch();\n";
  EXPECT_EQ(lines(diff_schemas(before, after, Dialect::postgres)),
            "~ table public.t\n"
            "  + comment on column id\n"
            "  + policy own\n"
            "  + statement ENABLE ROW LEVEL SECURITY\n"
            "  + trigger t_touch\n");
}

TEST(SchemaDiff, AStatementItDoesNotKnowIsStillListed) {
  EXPECT_EQ(lines(diff_schemas("", "SELECT pg_catalog.set_config('x', '', false);\n", Dialect::postgres)),
            "+ statement SELECT pg_catalog.set_config('x', '', false)\n");
}

TEST(SchemaDiff, DroppedTableIsOneLine) {
  EXPECT_EQ(lines(diff_schemas("CREATE TABLE a (x int);\n\nCREATE INDEX ax ON a (x);\n", "", Dialect::sqlite)),
            "- table a\n");
}

}  // namespace
}  // namespace converge::providers::sql
