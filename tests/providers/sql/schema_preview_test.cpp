// The sql provider's schema preview (plan and plan-comment): pending migrations
// replayed on a scratch database give the PR schema diff; a committed snapshot the
// migrations do not produce is a plan error with the snapshot diff; write_snapshot
// (plan --write-snapshot) makes it clean; a failing migration is a plan error at its
// file:line; the scratch databases are gone afterwards; a role without CREATEDB gets a
// note saying the check was skipped. On SQLite and a real PostgreSQL.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "converge/providers/sql/scratch.hpp"
#include "converge/providers/sql/sql_provider.hpp"
#include "converge/util/fs.hpp"
#include "sql_test_support.hpp"
#include "support/postgres.hpp"

namespace converge::providers::sql {
namespace {

constexpr const char* kUsers = "-- migrate:up\ncreate table users (id integer primary key, name text);\n"
                               "-- migrate:down\ndrop table users;\n";
constexpr const char* kOrders = "-- migrate:up\ncreate table orders (id integer primary key, user_id integer);\n"
                                "create index orders_user on orders (user_id);\n"
                                "alter table users add column note text;\n"
                                "-- migrate:down\ndrop table orders;\n";

using test::mentions;
using test::SqlBackendTest;
using SchemaPreviewTest = SqlBackendTest;

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

// compile + plan as plan and plan-comment do (with the preview).
plan::TargetPlan preview(Provider& p) {
  auto bundle = p.compile();
  EXPECT_TRUE(bundle) << bundle.error().to_string();
  if (!bundle) return {};
  PlanContext context;
  context.preview = true;
  auto out = p.plan(*bundle, context);
  EXPECT_TRUE(out) << out.error().to_string();
  return out ? *out : plan::TargetPlan{};
}

const plan::SchemaChange* find(const std::vector<plan::SchemaChange>& changes, const std::string& kind,
                               const std::string& name) {
  for (const auto& c : changes)
    if (c.kind == kind && (c.name == name || c.name.ends_with("." + name))) return &c;
  return nullptr;
}

// Whether database `name` exists on the test server. (Tests run in parallel, so only a
// scratch database whose name a test knows can be looked for.)
bool database_exists(const std::string& name) {
  testing::ScratchDatabase probe;
  return probe.query_value("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'") == "1";
}

// The scratch database a message names ("…/converge_scratch_…: ERROR …"); "" for none.
std::string scratch_named_in(const std::string& text) {
  auto at = text.find(kScratchPrefix);
  if (at == std::string::npos) return "";
  auto end = text.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_", at);
  return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

class SchemaPreviewFixture : public SchemaPreviewTest {
 protected:
  void SetUp() override {
    SchemaPreviewTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // SQLite scratch files go to a directory of this test, so none can hide among others.
    tmp_ = repo_ / "tmp";
    std::filesystem::create_directories(tmp_);
    const char* old = std::getenv("TMPDIR");
    old_tmpdir_ = old ? std::optional<std::string>(old) : std::nullopt;
    setenv("TMPDIR", tmp_.c_str(), 1);
  }
  void TearDown() override {
    if (old_tmpdir_) setenv("TMPDIR", old_tmpdir_->c_str(), 1);
    else unsetenv("TMPDIR");
  }
  // What is left of SQLite scratch files in tmp_ (PostgreSQL: see database_exists).
  std::string leftovers() {
    std::string out;
    if (GetParam() == "postgres") return out;
    for (const auto& entry : std::filesystem::directory_iterator(tmp_)) out += entry.path().filename().string() + ",";
    return out;
  }
  std::filesystem::path tmp_;
  std::optional<std::string> old_tmpdir_;
};

TEST_P(SchemaPreviewFixture, StaleSnapshotIsAnErrorWithItsDiffAndWriteSnapshotMakesItClean) {
  repo_.write("db/migrations/1_users.sql", kUsers);
  auto p = provider();
  ASSERT_TRUE(apply(*p).ok());
  const std::string committed = snapshot();

  // The PR adds a migration but does not regenerate db/schema.sql.
  repo_.write("db/migrations/2_orders.sql", kOrders);
  auto planned = preview(*p);
  ASSERT_EQ(planned.changes.size(), 1u);
  EXPECT_TRUE(mentions(planned.errors, "db/schema.sql is stale: the pending migrations produce a different schema; "
                                       "run `converge plan --env dev --write-snapshot` and commit it"))
      << joined(planned.errors) << joined(planned.schema_preview.notes);
  const auto& preview_of = planned.schema_preview;
  EXPECT_NE(preview_of.stale_diff.find("+CREATE TABLE"), std::string::npos) << preview_of.stale_diff;
  EXPECT_NE(preview_of.stale_diff.find("orders"), std::string::npos) << preview_of.stale_diff;
  EXPECT_EQ(preview_of.snapshot, "db/schema.sql");
  EXPECT_EQ(preview_of.regenerate, "converge plan --env dev --write-snapshot");
  // The PR schema diff: the table added with its columns and index, the column added.
  const auto* orders = find(preview_of.changes, "table", "orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->action, plan::Action::create);
  EXPECT_NE(find(orders->parts, "column", "user_id"), nullptr);
  EXPECT_NE(find(orders->parts, "index", "orders_user"), nullptr);
  const auto* users = find(preview_of.changes, "table", "users");
  ASSERT_NE(users, nullptr);
  EXPECT_EQ(users->action, plan::Action::update);
  const auto* note = find(users->parts, "column", "note");
  ASSERT_NE(note, nullptr);
  EXPECT_EQ(note->action, plan::Action::create);
  EXPECT_EQ(note->detail, "text");
  EXPECT_EQ(leftovers(), "") << "the scratch database is dropped";

  // plan --write-snapshot: the replay's schema, in the file; the plan is clean.
  auto bundle = p->compile();
  ASSERT_TRUE(bundle);
  auto written = p->write_snapshot(*bundle);
  ASSERT_TRUE(written) << written.error().to_string();
  EXPECT_EQ(*written, std::vector<std::string>{"db/schema.sql"});
  EXPECT_NE(snapshot(), committed);
  const std::string regenerated = snapshot();
  planned = preview(*p);
  EXPECT_TRUE(planned.errors.empty()) << joined(planned.errors);
  EXPECT_TRUE(planned.schema_preview.stale_diff.empty());
  EXPECT_NE(find(planned.schema_preview.changes, "table", "orders"), nullptr);
  EXPECT_EQ(leftovers(), "");

  // Apply writes the very same snapshot from the live database: no warning.
  auto report = apply(*p);
  ASSERT_TRUE(report.ok()) << report.error;
  EXPECT_EQ(snapshot(), regenerated);
  EXPECT_TRUE(report.warnings.empty()) << joined(report.warnings);
}

TEST_P(SchemaPreviewFixture, WriteSnapshotWritesTheDbmateFormatWhenSetAndItReadsAsFresh) {
  repo_.write("db/migrations/1_users.sql", kUsers);
  repo_.write("db/migrations/2_orders.sql", kOrders);
  auto p = provider({{"snapshot_format", "dbmate"}});
  auto bundle = p->compile();
  ASSERT_TRUE(bundle);
  auto written = p->write_snapshot(*bundle);
  ASSERT_TRUE(written) << written.error().to_string();
  const std::string file = snapshot();
  EXPECT_NE(file.find("-- Dbmate schema migrations"), std::string::npos) << file;
  EXPECT_NE(file.find("('2')"), std::string::npos) << "the versions the migrations record: " << file;
  auto planned = preview(*p);
  EXPECT_TRUE(planned.errors.empty()) << joined(planned.errors);
  auto report = apply(*p);
  ASSERT_TRUE(report.ok()) << report.error;
  EXPECT_EQ(snapshot(), file) << "apply writes the same dbmate file";
}

TEST_P(SchemaPreviewFixture, AFailingMigrationIsAPlanErrorAtItsLineAndLeavesNoScratch) {
  repo_.write("db/migrations/1_users.sql", kUsers);
  auto p = provider();
  ASSERT_TRUE(apply(*p).ok());
  repo_.write("db/migrations/2_bad.sql",
              "-- migrate:up\ncreate table ok_one (id integer);\ninsert into no_such_table values (1);\n"
              "-- migrate:down\ndrop table ok_one;\n");
  auto planned = preview(*p);
  EXPECT_TRUE(mentions(planned.errors, "db/migrations/2_bad.sql:3: ")) << joined(planned.errors);
  EXPECT_TRUE(mentions(planned.errors, "no_such_table")) << joined(planned.errors);
  EXPECT_TRUE(mentions(planned.errors, "replayed on a scratch database")) << joined(planned.errors);
  EXPECT_TRUE(planned.schema_preview.empty());
  EXPECT_EQ(leftovers(), "");
  if (GetParam() == "postgres") {
    const std::string scratch = scratch_named_in(joined(planned.errors));
    ASSERT_NE(scratch, "") << "the error names the scratch database it ran on: " << joined(planned.errors);
    EXPECT_FALSE(database_exists(scratch)) << scratch << " is dropped after the failure";
  }
  EXPECT_FALSE(db_->has_table("ok_one")) << "the target is never touched";
}

// Backend-independent logic: on SQLite only (a PostgreSQL scratch database costs most of a second).
class SchemaPreviewSqlite : public SchemaPreviewFixture {};

TEST_P(SchemaPreviewSqlite, NoPreviewForApplyOrDriftAndNoneWithoutPendingMigrations) {
  repo_.write("db/migrations/1_users.sql", kUsers);
  auto p = provider();
  ASSERT_TRUE(apply(*p).ok());
  repo_.write("db/migrations/2_orders.sql", kOrders);
  auto planned = plan(*p);  // no PlanContext::preview: as apply and drift plan
  EXPECT_TRUE(planned.errors.empty()) << joined(planned.errors);
  EXPECT_TRUE(planned.schema_preview.empty());
  std::filesystem::remove(repo_ / "db/migrations/2_orders.sql");
  planned = preview(*p);
  EXPECT_TRUE(planned.changes.empty());
  EXPECT_TRUE(planned.schema_preview.empty());
}

TEST_P(SchemaPreviewSqlite, DriftOnTheTargetSkipsTheStaleCheckWithANote) {
  repo_.write("db/migrations/1_users.sql", kUsers);
  auto p = provider();
  ASSERT_TRUE(apply(*p).ok());
  db_->exec("create table handmade (id integer);");
  repo_.write("db/migrations/2_orders.sql", kOrders);
  auto planned = preview(*p);
  EXPECT_TRUE(planned.errors.empty()) << joined(planned.errors);
  EXPECT_TRUE(mentions(planned.schema_preview.notes, "the check of db/schema.sql was skipped"))
      << joined(planned.schema_preview.notes);
  EXPECT_NE(find(planned.schema_preview.changes, "table", "orders"), nullptr);
}

TEST_P(SchemaPreviewSqlite, AMigrationThatNeedsAHandMadeObjectIsANoteNotAnError) {
  repo_.write("db/migrations/1_users.sql", kUsers);
  auto p = provider();
  ASSERT_TRUE(apply(*p).ok());
  db_->exec("create table customers (id integer);");  // made by hand: the scratch database has none
  repo_.write("db/migrations/2_drop.sql", "-- migrate:up\ndrop table customers;\n-- migrate:down\n");
  auto planned = preview(*p);
  EXPECT_TRUE(planned.errors.empty()) << joined(planned.errors);
  EXPECT_TRUE(mentions(planned.schema_preview.notes, "a pending migration fails on a scratch database, but the applied "
                                                     "migrations replayed on an empty database do not give the target's "
                                                     "live schema"))
      << joined(planned.schema_preview.notes);
  EXPECT_TRUE(mentions(planned.schema_preview.notes, "db/migrations/2_drop.sql:2: ")) << joined(planned.schema_preview.notes);
}

INSTANTIATE_TEST_SUITE_P(Backends, SchemaPreviewFixture, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, SchemaPreviewSqlite, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

TEST(SchemaPreviewPostgres, ARoleWithoutCreatedbGetsANoteNotAnErrorAndNoPassword) {
  CONVERGE_REQUIRE_POSTGRES();
  testing::ScratchDatabase target;
  const std::string role = "converge_nocreatedb";
  target.exec("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + role +
              "') THEN CREATE ROLE " + role + " LOGIN PASSWORD 'hunter2-secret' NOCREATEDB; END IF; END $$;");
  target.exec("GRANT ALL ON SCHEMA public TO " + role);
  std::string url = target.url();
  url.replace(url.find("://") + 3, url.find('@') - url.find("://") - 3, role + ":hunter2-secret");
  testing::TempDir repo;
  repo.write("db/migrations/1_users.sql", kUsers);
  auto p = make_provider(test::spec_for(repo.path(), url));
  ASSERT_TRUE(p) << p.error().to_string();
  auto planned = preview(**p);
  EXPECT_TRUE(planned.errors.empty()) << joined(planned.errors);
  const auto& notes = planned.schema_preview.notes;
  EXPECT_TRUE(mentions(notes, "the PR schema diff and the check of db/schema.sql were skipped: role " + role +
                                  " may not create databases (CREATEDB) on the server of postgres://" + role + ":***@"))
      << joined(notes);
  EXPECT_FALSE(mentions(notes, "hunter2")) << joined(notes);
  EXPECT_FALSE(mentions(planned.notes, "hunter2")) << joined(planned.notes);
  target.exec("REVOKE ALL ON SCHEMA public FROM " + role);
}

TEST(SchemaPreviewPostgres, ScratchDatabasesOfKilledRunsOlderThanADayAreDropped) {
  CONVERGE_REQUIRE_POSTGRES();
  testing::ScratchDatabase target;
  const std::string old_one = std::string(kScratchPrefix) + "20000101000000_0123456789ab";
  target.exec("DROP DATABASE IF EXISTS " + old_one);
  target.exec("CREATE DATABASE " + old_one);
  std::string mine;
  {
    auto made = make_scratch(target.url(), {});
    ASSERT_NE(made.scratch, nullptr) << made.why_not;
    mine = scratch_named_in(made.scratch->label());
    ASSERT_NE(mine, "") << made.scratch->label();
    EXPECT_TRUE(database_exists(mine)) << "this run's own scratch exists while in use";
    EXPECT_FALSE(database_exists(old_one)) << "the leftover of a day ago is dropped";
  }
  EXPECT_FALSE(database_exists(mine)) << "this run's scratch is dropped at the end";
}

TEST(ScratchUrl, WithDatabaseReplacesOnlyTheDatabaseName) {
  EXPECT_EQ(with_database("postgres://u:p@h:5432/app?sslmode=require", "s"), "postgres://u:p@h:5432/s?sslmode=require");
  EXPECT_EQ(with_database("postgresql://h/app", "s"), "postgresql://h/s");
  EXPECT_EQ(with_database("postgres://u@h", "s"), "postgres://u@h/s");
  EXPECT_EQ(with_database("postgres://u@h?sslmode=disable", "s"), "postgres://u@h/s?sslmode=disable");
  EXPECT_EQ(with_database("postgres://h/app?dbname=app&x=1", "s"), "postgres://h/s?dbname=s&x=1");
}

}  // namespace
}  // namespace converge::providers::sql
