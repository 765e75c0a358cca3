// The migration lint: each rule fires on its fixture at the right file:line and stays
// quiet on the safe form; severities come from the target's `lint:` setting.
#include <gtest/gtest.h>

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
                 const LintConfig& config = {}) {
  std::string out;
  for (const auto& f : lint_migrations({m}, dialect, highest, config))
    out += (out.empty() ? "" : " ") + f.rule + "@" + std::to_string(f.line);
  return out;
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
  EXPECT_EQ(findings[0].severity, Severity::error);
  EXPECT_TRUE(findings[0].destructive());
  EXPECT_EQ(findings[1].rule, "destructive/delete-without-where");
  EXPECT_EQ(findings[1].severity, Severity::warning);
  EXPECT_EQ(format_finding(findings[0]),
            "db/migrations/20260101000000_m.sql:2: error [destructive/drop-table] DROP TABLE deletes the table and "
            "all its rows");
}

TEST(Lint, ReadsTheLintSettingAndRefusesUnknownRulesAndSeverities) {
  config::Settings settings;
  settings.set("lint", config::Setting{.value = {{"destructive/drop-table", "error"}, {"dbmate/empty-down", "off"}},
                                       .where = {}, .from_variable = false});
  auto config = read_lint_config(settings);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->at("destructive/drop-table"), Severity::error);
  EXPECT_EQ(config->at("dbmate/empty-down"), Severity::off);

  settings.set("lint", config::Setting{.value = {{"destructive/drop-tabel", "error"}}, .where = {}, .from_variable = false});
  EXPECT_FALSE(read_lint_config(settings));
  settings.set("lint", config::Setting{.value = {{"destructive/drop-table", "fatal"}}, .where = {}, .from_variable = false});
  EXPECT_FALSE(read_lint_config(settings));
  EXPECT_TRUE(read_lint_config(config::Settings{}));
}

}  // namespace
}  // namespace converge::providers::sql
