// The transaction-control finder: which statements of a migration end or start a
// transaction, and what it must not mistake for one (quotes, comments, bodies).
#include <gtest/gtest.h>

#include "converge/providers/sql/transaction_control.hpp"

namespace converge::providers::sql {
namespace {

std::string found(std::string_view sql, Dialect dialect = Dialect::postgres) {
  auto hit = find_transaction_control(sql, dialect);
  return hit ? hit->statement + "@" + std::to_string(hit->line) : "";
}

TEST(TransactionControl, FindsEachStatementThatEndsOrStartsATransactionAtItsLine) {
  EXPECT_EQ(found("create table a (id int);\ncommit;\ncreate table b (id int);\n"), "COMMIT@2");
  EXPECT_EQ(found("insert into a values (1);\n\n  End Transaction;\n"), "END@3");
  EXPECT_EQ(found("rollback"), "ROLLBACK@1");
  EXPECT_EQ(found("ROLLBACK WORK;"), "ROLLBACK@1");
  EXPECT_EQ(found("abort;"), "ABORT@1");
  EXPECT_EQ(found("select 1;\nBEGIN;\n"), "BEGIN@2");
  EXPECT_EQ(found("select 1; start transaction isolation level serializable;"), "START TRANSACTION@1");
  EXPECT_EQ(found("prepare transaction 'x';"), "PREPARE TRANSACTION@1");
  EXPECT_EQ(found("commit prepared 'x';"), "COMMIT@1");
  EXPECT_EQ(found("commit and chain;"), "COMMIT@1");
  EXPECT_EQ(found("BEGIN IMMEDIATE TRANSACTION;", Dialect::sqlite), "BEGIN@1");
  EXPECT_EQ(found("/* why */ -- because\n  commit", Dialect::sqlite), "COMMIT@2");
}

TEST(TransactionControl, SavepointsAndOtherStatementsStayInsideTheTransaction) {
  EXPECT_EQ(found("savepoint s; update a set x = 1; rollback to savepoint s; release savepoint s;"), "");
  EXPECT_EQ(found("rollback to s; ROLLBACK TRANSACTION TO SAVEPOINT s; rollback work to s;"), "");
  EXPECT_EQ(found("prepare q as select 1; execute q; set transaction read only; start_x();"), "");
  EXPECT_EQ(found("select commit_id, end_at from log; update t set done = true where end_date < now();"), "");
  EXPECT_EQ(found("select case when a then 1 end from t;"), "");
  EXPECT_EQ(found(""), "");
}

TEST(TransactionControl, IgnoresStringsIdentifiersAndComments) {
  EXPECT_EQ(found("insert into t values ('a;\ncommit;');\ninsert into t values ('it''s; commit');"), "");
  EXPECT_EQ(found("create table \"x;commit\" (\"end\" int);"), "");
  EXPECT_EQ(found("-- commit;\nselect 1; /* ; commit; */ select 2;"), "");
  EXPECT_EQ(found("insert into t values (E'\\'; commit; \\\\'); commit;"), "COMMIT@1")
      << "E'…' strings have backslash escapes, so the string ends after \\\\";
  EXPECT_EQ(found("insert into t values ('\\'); commit; --');", Dialect::postgres), "COMMIT@1")
      << "standard strings have none: '\\' is a whole string";
  EXPECT_EQ(found("select [a;commit], `b;commit` from t;", Dialect::sqlite), "");
}

TEST(TransactionControl, BlockCommentsNestOnPostgresOnly) {
  // PostgreSQL: the comment is still open at "commit", so nothing is found.
  EXPECT_EQ(found("/* outer /* inner */ commit; */ select 1;", Dialect::postgres), "");
  // SQLite ends the comment at the first */.
  EXPECT_EQ(found("/* outer /* inner */ commit; */ select 1;", Dialect::sqlite), "COMMIT@1");
}

TEST(TransactionControl, DollarQuotedBodiesAreSkipped) {
  // A procedure may manage transactions when it is CALLed outside a transaction; called
  // inside one, PostgreSQL refuses its COMMIT and the migration rolls back whole.
  EXPECT_EQ(found("create procedure p() language plpgsql as $$\nbegin\n  commit;\nend;\n$$;\n"), "");
  EXPECT_EQ(found("do $body$ begin perform 1; commit; end $body$;\ncreate function f() returns text as $f$ select "
                  "'$$; commit' $f$ language sql;"),
            "");
  // $1 is a parameter, not a quote; a$b is one identifier.
  EXPECT_EQ(found("select $1; commit;"), "COMMIT@1");
  EXPECT_EQ(found("create table a$b (id int);\ncommit;"), "COMMIT@2");
  // An unterminated body swallows the rest, as the server would.
  EXPECT_EQ(found("select $x$ commit;"), "");
}

TEST(TransactionControl, TriggerBodiesEndWithTheirOwnEnd) {
  constexpr std::string_view kTrigger =
      "create trigger t_audit after update on t\nbegin\n  insert into audit values (case when new.x then 1 else 0 end);\n"
      "  select case when new.begin > 0 then raise(abort, 'no') end;\nend;\n";
  EXPECT_EQ(found(kTrigger, Dialect::sqlite), "");
  EXPECT_EQ(found(std::string(kTrigger) + "commit;\n", Dialect::sqlite), "COMMIT@6");
  EXPECT_EQ(found("CREATE TEMP TRIGGER IF NOT EXISTS t BEFORE DELETE ON t BEGIN DELETE FROM u; END; END;",
                  Dialect::sqlite),
            "END@1");
}

TEST(TransactionControl, BeginAtomicFunctionBodiesAreOneStatement) {
  constexpr std::string_view kFunction =
      "create function add(a int, b int) returns int language sql\nbegin atomic\n  select a + b;\n  select "
      "case when a > 0 then a end;\nend;\n";
  EXPECT_EQ(found(kFunction), "");
  EXPECT_EQ(found(std::string(kFunction) + "rollback;\n"), "ROLLBACK@6");
}

TEST(TransactionControl, SemicolonsInParenthesesDoNotEndTheStatement) {
  EXPECT_EQ(found("create rule r as on insert to t do also (insert into u values (1); notify u);"), "");
  EXPECT_EQ(found("create table t (begin int, \"end\" int);\ncommit;"), "COMMIT@2");
}

}  // namespace
}  // namespace converge::providers::sql
