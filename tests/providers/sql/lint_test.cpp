// The migration lint: each rule fires on its fixture at the right file:line and stays
// quiet on the safe form; severities come from the rule's default and the target's
// `lint:` setting; the type rules compare with the type earlier migrations declared.
#include <gtest/gtest.h>

#include <set>

#include "converge/plan/findings.hpp"
#include "converge/providers/sql/lint.hpp"

namespace converge::providers::sql {
namespace {

// A migration whose up marker is on line 1, so the up block's line n is file line n + 1.
Migration migration(std::string up, std::string down = "drop table x;\n", bool transaction = true,
                    std::string version = "20260101000000") {
  return Migration{.version = version, .name = "m", .file = "db/migrations/" + version + "_m.sql", .content = {},
                   .up = std::move(up), .down = std::move(down), .transaction = transaction, .up_line = 1,
                   .down_line = 9};
}

// "rule@line" of every finding, joined by spaces.
std::string lint(const Migration& m, Dialect dialect = Dialect::postgres, std::string_view highest = "",
                 const LintConfig& config = {}, const std::vector<Migration>& history = {}) {
  std::string out;
  for (const auto& f : lint_migrations({m}, dialect, highest, config, history))
    out += (out.empty() ? "" : " ") + f.rule + "@" + std::to_string(f.line);
  return out;
}

// The findings on `up` when an applied migration created `table_sql` first.
std::string lint_after(std::string_view table_sql, std::string up, Dialect dialect = Dialect::postgres) {
  Migration applied = migration(std::string(table_sql), "drop table x;", true, "20250101000000");
  return lint(migration(std::move(up)), dialect, "", {}, {applied});
}

TEST(Lint, DestructiveRulesFireAtTheStatementsLine) {
  EXPECT_EQ(lint(migration("select 1;\ndrop table users;\n")), "destructive/drop-table@3");
  EXPECT_EQ(lint(migration("ALTER TABLE users DROP COLUMN email;")), "destructive/drop-column@2");
  EXPECT_EQ(lint(migration("alter table only public.users drop email, add x int;")), "destructive/drop-column@2");
  EXPECT_EQ(lint(migration("drop schema app cascade;")), "destructive/drop-schema@2");
  EXPECT_EQ(lint(migration("truncate users;")), "destructive/truncate@2");
  EXPECT_EQ(lint(migration("delete from users;")), "destructive/delete-without-where@2");
  EXPECT_EQ(lint(migration("update users set active = false;")), "destructive/update-without-where@2");
  EXPECT_EQ(lint(migration("alter table users alter column email set not null;")), "destructive/set-not-null@2");
}

TEST(Lint, DestructiveRulesStayQuietOnTheSafeForm) {
  EXPECT_EQ(lint(migration("create table users (id int);\ndrop index users_idx;\ndrop view v;")), "");
  EXPECT_EQ(lint(migration("alter table users drop constraint c, alter column a drop default, "
                           "alter column b drop not null;")),
            "");
  EXPECT_EQ(lint(migration("delete from users where id = 1;\nupdate users set a = 1 where id = 2;")), "");
  EXPECT_EQ(lint(migration("create table t (a int);\nalter table t alter column a set not null;")), "");
  // Words in strings, comments and dollar-quoted bodies are not statements.
  EXPECT_EQ(lint(migration("insert into log values ('drop table users; truncate x');\n"
                           "-- drop table users;\n/* delete from users; */\n"
                           "do $$ begin delete from users; end $$;")),
            "");
}

TEST(Lint, LockRulesFireOnPostgres) {
  EXPECT_EQ(lint(migration("create index users_email on users (email);")), "locks/index-not-concurrent@2");
  EXPECT_EQ(lint(migration("create unique index i on public.users (email);")), "locks/index-not-concurrent@2");
  EXPECT_EQ(lint(migration("create index concurrently i on users (email);")), "locks/concurrently-in-transaction@2");
  EXPECT_EQ(lint(migration("alter table orders add constraint fk foreign key (user_id) references users (id);")),
            "locks/constraint-not-valid@2");
  EXPECT_EQ(lint(migration("alter table orders add check (total > 0);")), "locks/constraint-not-valid@2");
}

TEST(Lint, LockRulesStayQuietOnTheSafeForm) {
  EXPECT_EQ(lint(migration("create index concurrently i on users (email);", "drop index i;", false)), "");
  EXPECT_EQ(lint(migration("create table users (id int, email text);\ncreate index i on users (email);")), "");
  EXPECT_EQ(lint(migration("alter table orders add constraint fk foreign key (user_id) references users (id) "
                           "not valid;\nalter table orders validate constraint fk;")),
            "");
  EXPECT_EQ(lint(migration("create table o (id int);\nalter table o add check (id > 0);")), "");
  // SQLite has no CONCURRENTLY and takes no such locks.
  EXPECT_EQ(lint(migration("create index i on users (email);"), Dialect::sqlite), "");
}

TEST(Lint, DbmatePitfalls) {
  EXPECT_EQ(lint(migration("create table t (a int);", "\n-- nothing to undo\n")), "dbmate/empty-down@9");
  EXPECT_EQ(lint(migration("create table t (a int);"), Dialect::postgres, "20270101000000"), "dbmate/out-of-order@1");
  EXPECT_EQ(lint(migration("create table t (a int);"), Dialect::postgres, "20250101000000"), "");
}

TEST(Lint, SeverityComesFromTheConfigAndOffSilencesARule) {
  LintConfig config{{"destructive/drop-table", Severity::error}, {"destructive/truncate", Severity::off}};
  auto findings = lint_migrations({migration("drop table a;\ntruncate b;\ndelete from c;")}, Dialect::postgres, "",
                                  config);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].severity, plan::Severity::error);
  EXPECT_TRUE(findings[0].destructive);
  EXPECT_EQ(findings[0].doc, "docs/providers/sql.md#destructive-drop-table");
  EXPECT_EQ(findings[1].rule, "destructive/delete-without-where");
  EXPECT_EQ(findings[1].severity, plan::Severity::warning);
  EXPECT_EQ(plan::format_finding(findings[0]),
            "db/migrations/20260101000000_m.sql:2: error [destructive/drop-table] DROP TABLE deletes the table and "
            "all its rows");
}

TEST(Lint, ReadsTheLintSettingAndRefusesUnknownRulesAndSeverities) {
  config::Settings settings;
  settings.set("lint", config::Setting{.value = {{"destructive/drop-table", "error"}, {"dbmate/empty-down", "off"},
                                                 {"locks/volatile-default", "notice"}},
                                       .where = {}, .from_variable = false});
  auto config = read_lint_config(settings);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->at("destructive/drop-table"), Severity::error);
  EXPECT_EQ(config->at("dbmate/empty-down"), Severity::off);
  EXPECT_EQ(config->at("locks/volatile-default"), Severity::notice);

  settings.set("lint", config::Setting{.value = {{"destructive/drop-tabel", "error"}}, .where = {}, .from_variable = false});
  EXPECT_FALSE(read_lint_config(settings));
  settings.set("lint", config::Setting{.value = {{"destructive/drop-table", "fatal"}}, .where = {}, .from_variable = false});
  EXPECT_FALSE(read_lint_config(settings));
  EXPECT_TRUE(read_lint_config(config::Settings{}));
}

TEST(Lint, TypeNarrowingFiresOnlyWhenTheNewTypeHoldsLessThanTheDeclaredOne) {
  const std::string users = "create table users (id bigint, email varchar(200), bio text, price numeric(10,2));";
  EXPECT_EQ(lint_after(users, "alter table users alter column email type varchar(50);"),
            "destructive/narrow-type@2 locks/alter-column-type@2");
  EXPECT_EQ(lint_after(users, "alter table users alter column id set data type integer;"),
            "destructive/narrow-type@2 locks/alter-column-type@2");
  EXPECT_EQ(lint_after(users, "alter table users alter bio type varchar(20);"),
            "destructive/narrow-type@2 locks/alter-column-type@2");
  EXPECT_EQ(lint_after(users, "alter table users alter column price type numeric(8,2);"),
            "destructive/narrow-type@2 locks/alter-column-type@2");
  EXPECT_EQ(lint_after(users, "alter table users alter column bio type integer using bio::integer;"),
            "destructive/narrow-type@2 locks/alter-column-type@2");
  // The message names both types.
  auto findings = lint_migrations({migration("alter table users alter column email type varchar(50);")},
                                  Dialect::postgres, "", {}, {migration(users, "drop table users;", true, "1")});
  ASSERT_FALSE(findings.empty());
  EXPECT_NE(findings[0].message.find("from VARCHAR(200) to VARCHAR(50)"), std::string::npos) << findings[0].message;
  EXPECT_TRUE(findings[0].destructive);
}

TEST(Lint, WideningAVarcharOrNumericNeitherNarrowsNorRewrites) {
  const std::string users = "create table users (id int, email varchar(50), price numeric(10,2));";
  EXPECT_EQ(lint_after(users, "alter table users alter column email type varchar(100);"), "");
  EXPECT_EQ(lint_after(users, "alter table users alter column email type text;"), "");
  EXPECT_EQ(lint_after(users, "alter table users alter column price type numeric(12,2);"), "");
  EXPECT_EQ(lint_after(users, "alter table users alter column id type integer;"), "");
  // Widening an integer is safe for the data but rewrites the table.
  EXPECT_EQ(lint_after(users, "alter table users alter column id type bigint;"), "locks/alter-column-type@2");
  // A table created in the same migration is empty: nothing to lose or lock.
  EXPECT_EQ(lint(migration("create table t (a bigint);\nalter table t alter column a type int;")), "");
  // Types are learnt from earlier ALTERs too: after widening to text, text -> varchar narrows.
  EXPECT_EQ(lint_after(users, "alter table users alter column email type text;\n"
                              "alter table users alter column email type varchar(10);"),
            "destructive/narrow-type@3 locks/alter-column-type@3");
}

TEST(Lint, AColumnTypeChangeOfAnUnknownColumnIsARewriteButNotANarrowing) {
  EXPECT_EQ(lint(migration("alter table users alter column email type varchar(10);")), "locks/alter-column-type@2");
  // SQLite has no ALTER COLUMN TYPE and takes no such locks.
  EXPECT_EQ(lint_after("create table users (id bigint);", "alter table users alter column id type int;",
                       Dialect::sqlite),
            "");
}

TEST(Lint, AVolatileDefaultOnAnExistingTableRewritesIt) {
  EXPECT_EQ(lint(migration("alter table users add column token uuid default gen_random_uuid();")),
            "locks/volatile-default@2");
  EXPECT_EQ(lint(migration("alter table users add r float8 not null default random();")), "locks/volatile-default@2");
  EXPECT_EQ(lint(migration("alter table users add column seen timestamptz default clock_timestamp();")),
            "locks/volatile-default@2");
  EXPECT_EQ(lint(migration("alter table users add column n bigserial;")), "locks/volatile-default@2");
}

TEST(Lint, AStableOrConstantDefaultIsNotVolatile) {
  // now() is stable: PostgreSQL 11+ stores the default once and rewrites nothing.
  EXPECT_EQ(lint(migration("alter table users add column created timestamptz not null default now();")), "");
  EXPECT_EQ(lint(migration("alter table users add column active boolean not null default true;")), "");
  EXPECT_EQ(lint(migration("alter table users add column token uuid;\n"
                           "alter table users alter column token set default gen_random_uuid();")),
            "");
  EXPECT_EQ(lint(migration("create table t (id int);\nalter table t add column u uuid default gen_random_uuid();")), "");
  // The word in a string is no call.
  EXPECT_EQ(lint(migration("alter table users add column note text default 'random()';")), "");
}

TEST(Lint, ANotNullColumnAddedWithoutADefaultFailsOnAnyRow) {
  EXPECT_EQ(lint(migration("alter table users add column email text not null;")),
            "destructive/add-not-null-without-default@2");
  EXPECT_EQ(lint(migration("alter table users add column if not exists code int primary key;")),
            "destructive/add-not-null-without-default@2");
  EXPECT_EQ(lint(migration("ALTER TABLE users ADD email text NOT NULL;"), Dialect::sqlite),
            "destructive/add-not-null-without-default@2");
  auto findings = lint_migrations({migration("alter table users add column email text not null;")}, Dialect::sqlite,
                                  "", {});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("SQLite refuses it even on an empty table"), std::string::npos);
}

TEST(Lint, ANotNullColumnWithADefaultOrANullableOneIsSafe) {
  EXPECT_EQ(lint(migration("alter table users add column email text not null default '';")), "");
  EXPECT_EQ(lint(migration("alter table users add column email text;")), "");
  EXPECT_EQ(lint(migration("alter table users add column id2 serial not null;")), "locks/volatile-default@2");
  EXPECT_EQ(lint(migration("alter table users add column total int generated always as (1) stored not null;")), "");
  EXPECT_EQ(lint(migration("create table t (id int);\nalter table t add column a text not null;")), "");
  EXPECT_EQ(lint(migration("alter table users add constraint users_pk primary key (id);")), "");
}

TEST(Lint, EveryRuleHasAnIdADefaultAndADocsAnchor) {
  std::set<std::string_view> ids;
  for (const auto& rule : lint_rules()) {
    EXPECT_TRUE(ids.insert(rule.id).second) << rule.id;
    EXPECT_EQ(rule.destructive, rule.id.starts_with("destructive/")) << rule.id;
    EXPECT_NE(rule.severity, Severity::off) << rule.id;
    EXPECT_EQ(lint_anchor(rule.id).find('/'), std::string::npos);
  }
  EXPECT_EQ(ids.size(), 16u);
  // CONCURRENTLY in a transaction always fails at apply: an error unless configured.
  auto findings = lint_migrations({migration("create index concurrently i on users (email);")}, Dialect::postgres, "", {});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, plan::Severity::error);
  findings = lint_migrations({migration("create index concurrently i on users (email);")}, Dialect::postgres, "",
                             {{"locks/concurrently-in-transaction", Severity::notice}});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, plan::Severity::notice);
}

TEST(Lint, AppliedMigrationsAreReadForTypesButNeverReported) {
  Migration applied = migration("drop table old;\ncreate table users (email varchar(9));", "", true, "20250101000000");
  EXPECT_EQ(lint(migration("select 1;"), Dialect::postgres, "", {}, {applied}), "");
}

}  // namespace
}  // namespace converge::providers::sql
