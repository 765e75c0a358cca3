// Safe, visible applies of the sql provider: lock_timeout and statement_timeout from
// the settings on real PostgreSQL (a migration queued behind another session's lock
// stops and leaves nothing), a failed migration names the file:line of its failing
// statement, and transaction:false migrations are flagged in the plan as not atomic.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <string>
#include <vector>

#include "converge/providers/sql/sql_provider.hpp"
#include "sql_test_support.hpp"
#include "support/postgres.hpp"
#include "support/temp_dir.hpp"

namespace converge::providers::sql {
namespace {

using nlohmann::json;

// compile → plan → apply of the repo's migrations with `extra` settings; the report.
ApplyReport apply_repo(const testing::TempDir& repo, const std::string& url, const json& extra) {
  auto p = make_provider(test::spec_for(repo.path(), url, extra));
  EXPECT_TRUE(p) << p.error().to_string();
  if (!p) return {};
  auto bundle = (*p)->compile();
  EXPECT_TRUE(bundle) << bundle.error().to_string();
  auto planned = (*p)->plan(*bundle, {});
  EXPECT_TRUE(planned) << planned.error().to_string();
  auto report = (*p)->apply(*bundle, *planned);
  EXPECT_TRUE(report) << report.error().to_string();
  return report ? *report : ApplyReport{};
}

// Another session holding ACCESS EXCLUSIVE on `table` until destroyed.
class LockHolder {
 public:
  LockHolder(const std::string& url, const std::string& table) : conn_(PQconnectdb(url.c_str())) {
    EXPECT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
    PGresult* res = PQexec(conn_, ("BEGIN; LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE").c_str());
    EXPECT_EQ(PQresultStatus(res), PGRES_COMMAND_OK) << PQerrorMessage(conn_);
    PQclear(res);
  }
  ~LockHolder() { PQfinish(conn_); }
  LockHolder(const LockHolder&) = delete;
  LockHolder& operator=(const LockHolder&) = delete;

 private:
  PGconn* conn_;
};

TEST(SqlApplySafety, AMigrationWaitingForALockStopsAfterLockTimeoutAndLeavesNothing) {
  CONVERGE_REQUIRE_POSTGRES();
  testing::ScratchDatabase db;
  db.exec("CREATE TABLE busy (id integer)");
  testing::TempDir repo;
  repo.write("db/migrations/1_wait.sql",
             "-- migrate:up\ncreate table fresh (id integer);\n\nalter table busy add column note text;\n"
             "-- migrate:down\n");
  LockHolder holder(db.url(), "busy");
  auto started = std::chrono::steady_clock::now();
  auto report = apply_repo(repo, db.url(), {{"lock_timeout", "200ms"}});
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_EQ(report.failed_key, "1_wait");
  EXPECT_NE(report.error.find("lock timeout"), std::string::npos) << report.error;
  EXPECT_TRUE(report.error.starts_with("db/migrations/1_wait.sql:4: ")) << report.error;
  EXPECT_EQ(db.query_value("SELECT count(*) FROM pg_class WHERE relname = 'fresh'"), "0");
  EXPECT_EQ(db.query_value("SELECT count(*) FROM schema_migrations"), "0");
}

TEST(SqlApplySafety, StatementTimeoutStopsALongStatement) {
  CONVERGE_REQUIRE_POSTGRES();
  testing::ScratchDatabase db;
  testing::TempDir repo;
  repo.write("db/migrations/1_slow.sql", "-- migrate:up\nselect pg_sleep(5);\n-- migrate:down\n");
  auto started = std::chrono::steady_clock::now();
  auto report = apply_repo(repo, db.url(), {{"statement_timeout", "200ms"}});
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
  EXPECT_NE(report.error.find("statement timeout"), std::string::npos) << report.error;
  EXPECT_TRUE(report.error.starts_with("db/migrations/1_slow.sql:2: ")) << report.error;
}

TEST(SqlApplySafety, TheDefaultsAndZeroAreSetOnTheMigrationsConnection) {
  CONVERGE_REQUIRE_POSTGRES();
  testing::ScratchDatabase db;
  testing::TempDir repo;
  // The migration records the timeouts it ran under.
  repo.write("db/migrations/1_seen.sql",
             "-- migrate:up\ncreate table seen as select current_setting('lock_timeout') as lock_t,"
             " current_setting('statement_timeout') as statement_t;\n-- migrate:down\n");
  auto report = apply_repo(repo, db.url(), {});
  ASSERT_TRUE(report.ok()) << report.error;
  EXPECT_EQ(db.query_value("SELECT lock_t || ' ' || statement_t FROM seen"), "10s 30min");

  testing::ScratchDatabase off;
  testing::TempDir repo2;
  repo2.write("db/migrations/1_seen.sql",
              "-- migrate:up\ncreate table seen as select current_setting('lock_timeout') as lock_t,"
              " current_setting('statement_timeout') as statement_t;\n-- migrate:down\n");
  report = apply_repo(repo2, off.url(), {{"lock_timeout", 0}, {"statement_timeout", "15min"}});
  ASSERT_TRUE(report.ok()) << report.error;
  EXPECT_EQ(off.query_value("SELECT lock_t || ' ' || statement_t FROM seen"), "0 15min");
}

TEST(SqlApplySafety, ASyntaxErrorNamesTheLineOfThePositionPostgresReports) {
  CONVERGE_REQUIRE_POSTGRES();
  testing::ScratchDatabase db;
  testing::TempDir repo;
  repo.write("db/migrations/1_bad.sql",
             "-- a comment\n-- migrate:up\ncreate table ok (id integer);\ncreate table bad (\n  id integer,\n"
             "  x nosuchtype\n);\n-- migrate:down\n");
  auto report = apply_repo(repo, db.url(), {});
  EXPECT_TRUE(report.error.starts_with("db/migrations/1_bad.sql:6: ")) << report.error;
  EXPECT_NE(report.error.find("nosuchtype"), std::string::npos) << report.error;
  EXPECT_EQ(db.query_value("SELECT count(*) FROM pg_class WHERE relname = 'ok'"), "0");
}

TEST(SqlApplySafety, ASqliteFailureNamesTheLineOfTheFailingStatement) {
  testing::TempDir repo;
  repo.write("db/migrations/1_bad.sql",
             "-- migrate:up\ncreate table a (id integer);\n-- why\ninsert into nope values (1);\n-- migrate:down\n");
  auto report = apply_repo(repo, "sqlite:///data/app.db", {{"lock_timeout", "200ms"}});
  EXPECT_EQ(report.failed_key, "1_bad");
  EXPECT_TRUE(report.error.starts_with("db/migrations/1_bad.sql:4: ")) << report.error;
  EXPECT_NE(report.error.find("no such table: nope"), std::string::npos) << report.error;
}

TEST(SqlApplySafety, BadTimeoutSettingsAreConfigErrorsAtTheValue) {
  testing::TempDir repo;
  for (const json& bad : {json("5 seconds"), json("5"), json(5), json("-1s"), json("30d"), json(true), json("900h")}) {
    auto p = make_provider(test::spec_for(repo.path(), "sqlite:///data/app.db", {{"lock_timeout", bad}}));
    ASSERT_FALSE(p) << bad.dump();
    EXPECT_EQ(p.error().code, ExitCode::usage);
    EXPECT_NE(p.error().to_string().find("converge.yaml:5"), std::string::npos) << p.error().to_string();
    EXPECT_NE(p.error().to_string().find("lock_timeout"), std::string::npos) << p.error().to_string();
  }
  for (const json& good : {json("0"), json(0), json("250ms"), json("5s"), json("15min"), json("2h")})
    EXPECT_TRUE(make_provider(test::spec_for(repo.path(), "sqlite:///data/app.db", {{"statement_timeout", good}})))
        << good.dump();
}

TEST(SqlApplySafety, EachMigrationReportsItsStartAndItsEndWithItsDuration) {
  testing::TempDir repo;
  repo.write("db/migrations/1_a.sql", "-- migrate:up\ncreate table a (id integer);\n-- migrate:down\n");
  repo.write("db/migrations/2_b.sql", "-- migrate:up\ninsert into nope values (1);\n-- migrate:down\n");
  auto p = make_provider(test::spec_for(repo.path(), "sqlite:///data/app.db"));
  ASSERT_TRUE(p);
  std::vector<std::string> events;
  (*p)->on_change([&](const Provider::ChangeEvent& e) {
    events.push_back((e.done ? (e.failed ? "failed " : "done ") : "start ") + e.key);
    if (e.done) {
      EXPECT_GE(e.took.count(), 0);
    }
  });
  auto bundle = (*p)->compile();
  ASSERT_TRUE(bundle);
  auto planned = (*p)->plan(*bundle, {});
  ASSERT_TRUE(planned) << planned.error().to_string();
  auto report = (*p)->apply(*bundle, *planned);
  ASSERT_TRUE(report);
  EXPECT_EQ(events, (std::vector<std::string>{"start 1_a", "done 1_a", "start 2_b", "failed 2_b"}));
}

TEST(SqlApplySafety, TransactionFalseMigrationsAreFlaggedInThePlanAsNotAtomic) {
  testing::TempDir repo;
  repo.write("db/migrations/1_a.sql", "-- migrate:up\ncreate table a (id integer);\n-- migrate:down\n");
  repo.write("db/migrations/2_b.sql",
             "-- migrate:up transaction:false\ncreate table b (id integer);\n-- migrate:down\n");
  auto p = make_provider(test::spec_for(repo.path(), "sqlite:///data/app.db"));
  ASSERT_TRUE(p);
  auto bundle = (*p)->compile();
  ASSERT_TRUE(bundle);
  auto planned = (*p)->plan(*bundle, {});
  ASSERT_TRUE(planned) << planned.error().to_string();
  std::string notes;
  for (const auto& n : planned->notes) notes += n + "\n";
  EXPECT_NE(notes.find("migration 2_b is transaction:false and NOT atomic"), std::string::npos) << notes;
  EXPECT_EQ(notes.find("1_a is transaction:false"), std::string::npos) << notes;
}

}  // namespace
}  // namespace converge::providers::sql
