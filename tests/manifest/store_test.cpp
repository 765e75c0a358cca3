// The manifest stores' contract, run identically against a real SQLite file and a
// real PostgreSQL database.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <thread>

#include "converge/manifest/store.hpp"
#include "support/postgres.hpp"
#include "support/temp_dir.hpp"

namespace converge::manifest {
namespace {

using converge::testing::ScratchDatabase;
using converge::testing::TempDir;

// The schema as converge wrote it before the `managed` column (schema version 1),
// with one row in it: what an upgrade must keep.
constexpr const char* kVersion1Columns = R"sql(
  git_sha           TEXT NOT NULL,
  git_ref           TEXT NOT NULL,
  git_tag           TEXT NOT NULL,
  migration_version TEXT NOT NULL,
  bundle_hash       TEXT NOT NULL,
  plan_hash         TEXT NOT NULL,
  environment       TEXT NOT NULL CHECK (environment <> ''),
  target            TEXT NOT NULL CHECK (target <> ''),
  status            TEXT NOT NULL CHECK (status <> ''),
  deployed_at       %TIMESTAMP% NOT NULL,
  deployed_by       TEXT NOT NULL,
  run_url           TEXT NOT NULL,
  run_id            TEXT NOT NULL,
  run_attempt       TEXT NOT NULL,
  pr_number         %BIGINT%,
  approvers         TEXT NOT NULL,
  break_glass       TEXT NOT NULL,
  UNIQUE (run_id, run_attempt, target, environment)
)sql";
constexpr const char* kVersion1Row = R"sql(
  (git_sha, git_ref, git_tag, migration_version, bundle_hash, plan_hash, environment, target, status,
   deployed_at, deployed_by, run_url, run_id, run_attempt, pr_number, approvers, break_glass)
  VALUES ('abc', 'refs/heads/main', '', '7', 'bundle-old', 'plan-old', 'prod', 'old', 'success',
          '2025-01-02T03:04:05Z', 'octocat', 'https://example.test/runs/1', '1', '1', NULL, '', '');
)sql";

std::string version1_sql(std::string_view table, std::string_view id, std::string_view timestamp,
                         std::string_view bigint) {
  std::string columns = kVersion1Columns;
  auto put = [&](std::string_view word, std::string_view value) {
    columns.replace(columns.find(word), word.size(), value);
  };
  put("%TIMESTAMP%", timestamp);
  put("%BIGINT%", bigint);
  return "CREATE TABLE " + std::string(table) + " (\n  id " + std::string(id) + ",\n" + columns + ");\n" +
         "CREATE INDEX deployments_by_environment ON " + std::string(table) +
         " (environment, target, status, id);\nINSERT INTO " + std::string(table) + kVersion1Row;
}

struct SqliteBackend {
  static constexpr bool needs_postgres = false;
  TempDir dir;
  std::string url() const { return "sqlite:///state/manifest.db"; }
  std::filesystem::path base_dir() const { return dir.path(); }
  void create_version_1_store() const { create_store(1); }
  // Version 3: version 1 plus `managed` and `locks`, with one row that has managed keys.
  void create_version_3_store() const { create_store(3); }
  void create_store(int version) const {
    std::filesystem::create_directories(dir.path() / "state");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() / "state/manifest.db").c_str(), &db), SQLITE_OK);
    std::string sql = version1_sql("deployments", "INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT", "INTEGER");
    if (version == 3)
      sql += "ALTER TABLE deployments ADD COLUMN managed TEXT NOT NULL DEFAULT '';"
             "UPDATE deployments SET managed = '[\"chart/old\"]';"
             "CREATE TABLE locks (name TEXT PRIMARY KEY, token TEXT NOT NULL, holder TEXT NOT NULL,"
             " host TEXT NOT NULL, pid INTEGER NOT NULL, expires_ms INTEGER NOT NULL);";
    sql += "PRAGMA user_version = " + std::to_string(version) + ";";
    char* message = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    std::string text = message ? message : "";
    sqlite3_free(message);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << text;
  }
  // True while another connection holds the write lock (is inside record()).
  bool writer_in_transaction() const {
    sqlite3* db = nullptr;
    sqlite3_open((dir.path() / "state/manifest.db").c_str(), &db);
    bool busy = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_BUSY;
    if (!busy) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    return busy;
  }
};

struct PostgresBackend {
  static constexpr bool needs_postgres = true;
  ScratchDatabase db;
  std::string url() const { return db.url(); }
  std::filesystem::path base_dir() const { return "/nonexistent"; }
  void create_version_1_store() const {
    db.exec("CREATE SCHEMA meta; CREATE TABLE meta.schema_version (component text PRIMARY KEY, version integer NOT NULL);"
            "INSERT INTO meta.schema_version VALUES ('deployments', 1);" +
            version1_sql("meta.deployments", "bigserial PRIMARY KEY", "timestamptz", "bigint"));
  }
  void create_version_3_store() const {
    db.exec("CREATE SCHEMA meta; CREATE TABLE meta.schema_version (component text PRIMARY KEY, version integer NOT NULL);"
            "INSERT INTO meta.schema_version VALUES ('deployments', 3);" +
            version1_sql("meta.deployments", "bigserial PRIMARY KEY", "timestamptz", "bigint") +
            "ALTER TABLE meta.deployments ADD COLUMN managed text NOT NULL DEFAULT '';"
            "UPDATE meta.deployments SET managed = '[\"chart/old\"]';"
            "CREATE TABLE meta.locks (name text PRIMARY KEY, token text NOT NULL, holder text NOT NULL,"
            " host text NOT NULL, pid bigint NOT NULL, expires_at timestamptz NOT NULL);");
  }
  bool writer_in_transaction() const {
    return db.query_value("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                          " AND state = 'idle in transaction' AND pid <> pg_backend_pid()") != "0";
  }
};

Deployment row(std::string target, std::string run_id, std::string status = "success",
               std::string environment = "prod") {
  Deployment d;
  d.git_sha = "3f2a9c1e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e";
  d.git_ref = "refs/heads/main";
  d.git_tag = "v1.2.0";
  d.migration_version = "20260101120000";
  d.bundle_hash = "bundle-" + target;
  d.plan_hash = "plan-" + run_id;
  d.environment = std::move(environment);
  d.target = std::move(target);
  d.status = std::move(status);
  d.deployed_at = "2026-11-25T08:12:43Z";
  d.deployed_by = "octocat";
  d.run_url = "https://github.com/acme/app/actions/runs/" + run_id;
  d.run_id = std::move(run_id);
  d.run_attempt = "1";
  d.pr_number = 42;
  d.approvers = "alice,bob";
  d.managed = R"(["chart/" + d.target + R"(","database/examples"])";
  return d;
}

template <class Backend>
class ManifestStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if constexpr (Backend::needs_postgres) CONVERGE_REQUIRE_POSTGRES();
    backend_.emplace();
  }

  std::unique_ptr<Store> open_store() {
    auto store = open(backend_->url(), backend_->base_dir());
    if (!store) ADD_FAILURE() << store.error().to_string();
    return store ? std::move(*store) : nullptr;
  }

  std::optional<Backend> backend_;
};

using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
class BackendNames {
 public:
  template <class T>
  static std::string GetName(int) {
    return T::needs_postgres ? "Postgres" : "Sqlite";
  }
};
TYPED_TEST_SUITE(ManifestStoreTest, Backends, BackendNames);

TYPED_TEST(ManifestStoreTest, RecordedRowsAreTheCurrentStateAndTheHistory) {
  auto store = this->open_store();
  ASSERT_TRUE(store);
  auto first = row("warehouse", "100");
  auto second = row("assets", "100");
  second.pr_number.reset();
  second.break_glass = "incident 7";
  second.managed = "";  // a provider that does not track its items
  auto written = store->record({first, second});
  ASSERT_TRUE(written) << written.error().to_string();
  EXPECT_EQ(*written, 2);

  auto current = store->current("prod");
  ASSERT_TRUE(current) << current.error().to_string();
  ASSERT_EQ(current->size(), 2u);
  second.id = (*current)[0].id;
  first.id = (*current)[1].id;
  EXPECT_EQ((*current)[0], second);  // sorted by target
  EXPECT_EQ((*current)[1], first);
  EXPECT_LT(first.id, second.id);

  auto history = store->history("prod", 10);
  ASSERT_TRUE(history) << history.error().to_string();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0], second);  // newest first
  EXPECT_EQ((*history)[1], first);

  EXPECT_TRUE(store->current("stage")->empty());
  EXPECT_EQ(store->history("prod", 1)->size(), 1u);
}

TYPED_TEST(ManifestStoreTest, DeployedAtIsStoredAsUtcAndDefaultsToNow) {
  auto store = this->open_store();
  ASSERT_TRUE(store);
  auto offset = row("a", "1");
  offset.deployed_at = "2026-11-25T10:12:43+02:00";
  auto now = row("b", "1");
  now.deployed_at = "";
  ASSERT_TRUE(store->record({offset, now}));
  auto current = store->current("prod");
  ASSERT_TRUE(current);
  ASSERT_EQ(current->size(), 2u);
  EXPECT_EQ((*current)[0].deployed_at, "2026-11-25T08:12:43Z");
  const auto& stamped = (*current)[1].deployed_at;
  ASSERT_EQ(stamped.size(), 20u) << stamped;
  EXPECT_EQ(stamped[10], 'T');
  EXPECT_EQ(stamped.back(), 'Z');
  EXPECT_GE(stamped.substr(0, 4), "2025");
}

TYPED_TEST(ManifestStoreTest, RecordingTheSameRunAttemptTwiceWritesOnce) {
  auto store = this->open_store();
  ASSERT_TRUE(store);
  auto deployment = row("warehouse", "200");
  ASSERT_EQ(store->record({deployment}).value(), 1);
  auto before = store->current("prod").value();

  auto retried = deployment;
  retried.plan_hash = "different";
  auto again = store->record({retried});
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(store->current("prod").value(), before);
  EXPECT_EQ(store->history("prod", 10)->size(), 1u);

  retried.run_attempt = "2";  // a new attempt is a new deployment
  EXPECT_EQ(store->record({retried}).value(), 1);
}

TYPED_TEST(ManifestStoreTest, AFailedDeploymentDoesNotReplaceTheCurrentSuccessfulOne) {
  auto store = this->open_store();
  ASSERT_TRUE(store);
  ASSERT_EQ(store->record({row("warehouse", "300")}).value(), 1);
  auto good = store->current("prod").value();
  ASSERT_EQ(store->record({row("warehouse", "301", "failure")}).value(), 1);

  EXPECT_EQ(store->current("prod").value(), good);
  auto history = store->history("prod", 10).value();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].status, "failure");
  EXPECT_EQ(history[0].run_id, "301");
}

TYPED_TEST(ManifestStoreTest, ABatchWithOneInvalidRowWritesNothing) {
  auto store = this->open_store();
  ASSERT_TRUE(store);
  auto invalid = row("assets", "400");
  invalid.environment = "";  // rejected by the CHECK constraint
  auto written = store->record({row("warehouse", "400"), invalid, row("fabric", "400")});
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ExitCode::failure);
  EXPECT_TRUE(store->history("prod", 10)->empty());
  EXPECT_TRUE(store->history("", 10)->empty());

  // The store is still usable after the rolled-back transaction.
  EXPECT_EQ(store->record({row("warehouse", "400")}).value(), 1);
}

TYPED_TEST(ManifestStoreTest, OpeningAgainFindsTheSchemaAndTheRows) {
  {
    auto store = this->open_store();
    ASSERT_TRUE(store);
    ASSERT_EQ(store->record({row("warehouse", "500")}).value(), 1);
  }
  auto reopened = this->open_store();
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->current("prod")->size(), 1u);
}

TYPED_TEST(ManifestStoreTest, TheManagedKeysOfADeploymentRoundTrip) {
  auto store = this->open_store();
  ASSERT_TRUE(store);
  auto tracked = row("assets", "550");
  tracked.managed = R"(["chart/1","dashboard/é \"quoted\""])";
  auto untracked = row("warehouse", "550");
  untracked.managed = "";
  ASSERT_EQ(store->record({tracked, untracked}).value(), 2);
  auto current = store->current("prod").value();
  ASSERT_EQ(current.size(), 2u);
  EXPECT_EQ(current[0].managed, tracked.managed);
  EXPECT_EQ(current[1].managed, "");
}

TYPED_TEST(ManifestStoreTest, ADeploymentFromADirtyTreeIsRecordedAsDirtyAndItsFinalRowKeepsIt) {
  auto store = this->open_store();
  ASSERT_TRUE(store);
  auto clean = row("warehouse", "580");
  auto journal = row("assets", "580", "interrupted");
  journal.dirty = true;
  ASSERT_EQ(store->record({clean, journal}).value(), 2);
  auto final_row = row("assets", "580");
  final_row.dirty = true;
  ASSERT_EQ(store->record({final_row}).value(), 1);
  auto current = store->current("prod").value();
  ASSERT_EQ(current.size(), 2u);
  EXPECT_TRUE(current[0].dirty);   // assets
  EXPECT_FALSE(current[1].dirty);  // warehouse
}

TYPED_TEST(ManifestStoreTest, AVersionOneStoreIsUpgradedKeepingItsRows) {
  this->backend_->create_version_1_store();
  if (::testing::Test::HasFatalFailure()) return;
  auto store = this->open_store();
  ASSERT_TRUE(store);
  auto current = store->current("prod");
  ASSERT_TRUE(current) << current.error().to_string();
  ASSERT_EQ(current->size(), 1u);
  EXPECT_EQ((*current)[0].target, "old");
  EXPECT_EQ((*current)[0].bundle_hash, "bundle-old");
  EXPECT_EQ((*current)[0].deployed_at, "2025-01-02T03:04:05Z");
  EXPECT_EQ((*current)[0].managed, "");  // written before the column existed

  auto fresh = row("assets", "560");
  ASSERT_EQ(store->record({fresh}).value(), 1);
  auto history = store->history("prod", 10).value();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].managed, fresh.managed);

  store.reset();
  auto reopened = this->open_store();  // the upgrade ran once; opening again changes nothing
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->history("prod", 10)->size(), 2u);
}

TYPED_TEST(ManifestStoreTest, AVersionThreeStoreGainsTheAppliedColumnKeepingItsRowsAndManagedKeys) {
  this->backend_->create_version_3_store();
  if (::testing::Test::HasFatalFailure()) return;
  auto store = this->open_store();
  ASSERT_TRUE(store);
  auto current = store->current("prod");
  ASSERT_TRUE(current) << current.error().to_string();
  ASSERT_EQ(current->size(), 1u);
  EXPECT_EQ((*current)[0].target, "old");
  EXPECT_EQ((*current)[0].managed, R"(["chart/old"])");
  EXPECT_EQ((*current)[0].applied, "");  // written before the column existed
  EXPECT_FALSE((*current)[0].dirty);      // version 5's column: older rows read as clean
  EXPECT_EQ((*current)[0].promoted_from, "");  // version 6's: older rows were not promoted

  auto fresh = row("assets", "570");
  fresh.applied = R"(["chart/assets"])";
  fresh.promoted_from = "stage@" + std::string(40, 'c');
  ASSERT_EQ(store->record({fresh}).value(), 1);
  EXPECT_EQ(store->history("prod", 1).value().at(0).applied, fresh.applied);
  EXPECT_EQ(store->history("prod", 1).value().at(0).promoted_from, fresh.promoted_from);
  // A feature runtime's destroyed row is kept and read back as such.
  auto destroyed = row("assets", "571", "destroyed");
  destroyed.environment = "feature/feature-JIRA-1";
  ASSERT_EQ(store->record({destroyed}).value(), 1);
  EXPECT_EQ(store->history("feature/feature-JIRA-1", 1).value().at(0).status, "destroyed");
  EXPECT_TRUE(store->current("feature/feature-JIRA-1").value().empty()) << "destroyed is not running";
  store.reset();
  auto reopened = this->open_store();
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->history("prod", 10)->size(), 2u);
}

TYPED_TEST(ManifestStoreTest, AnInterruptedRowIsReplacedByItsRunsFinalRowWhichIsNeverReplaced) {
  auto store = this->open_store();
  ASSERT_TRUE(store);
  auto journal = row("assets", "580", "interrupted");
  journal.applied = R"(["chart/a"])";
  ASSERT_EQ(store->record({journal}).value(), 1);
  journal.applied = R"(["chart/a","chart/b"])";
  ASSERT_EQ(store->record({journal}).value(), 1);  // the journal grows in place
  auto rows = store->history("prod", 10).value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].applied, journal.applied);
  const auto id = rows[0].id;

  auto final_row = row("assets", "580", "failure");
  final_row.applied = journal.applied;
  ASSERT_EQ(store->record({final_row}).value(), 1);
  rows = store->history("prod", 10).value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, id);
  EXPECT_EQ(rows[0].status, "failure");

  // Final is final: neither a late journal write nor a retried record changes it.
  EXPECT_EQ(store->record({journal}).value(), 0);
  auto retried = final_row;
  retried.status = "success";
  EXPECT_EQ(store->record({retried}).value(), 0);
  EXPECT_EQ(store->history("prod", 10).value().at(0).status, "failure");
  EXPECT_TRUE(store->current("prod")->empty());  // an interrupted or failed row is never current
}

TYPED_TEST(ManifestStoreTest, SinceSuccessIsEachTargetsLastSuccessAndEveryLaterRow) {
  auto store = this->open_store();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->record({row("assets", "590"), row("warehouse", "590")}));
  ASSERT_TRUE(store->record({row("assets", "591")}));
  ASSERT_TRUE(store->record({row("assets", "592", "failure"), row("warehouse", "592", "failure")}));
  ASSERT_TRUE(store->record({row("assets", "593", "interrupted")}));
  ASSERT_TRUE(store->record({row("fabric", "594", "failure")}));  // never succeeded
  ASSERT_TRUE(store->record({row("assets", "595", "success", "stage")}));

  auto rows = store->since_success("prod");
  ASSERT_TRUE(rows) << rows.error().to_string();
  std::vector<std::string> seen;
  for (const auto& r : *rows) seen.push_back(r.target + "@" + r.run_id + ":" + r.status);
  EXPECT_EQ(seen, (std::vector<std::string>{"assets@591:success", "assets@592:failure", "assets@593:interrupted",
                                            "fabric@594:failure", "warehouse@590:success",
                                            "warehouse@592:failure"}));
  EXPECT_TRUE(store->since_success("dev")->empty());
}

TYPED_TEST(ManifestStoreTest, TwoProcessesCreatingTheSchemaAtOnceBothSucceed) {
  auto url = this->backend_->url();
  auto base = this->backend_->base_dir();
  std::vector<pid_t> children;
  for (int i = 0; i < 4; ++i) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto store = open(url, base);
      if (!store) {
        std::fprintf(stderr, "child %d: open: %s\n", i, store.error().to_string().c_str());
        _exit(1);
      }
      auto written = (*store)->record({row("t" + std::to_string(i), "600")});
      if (!written || *written != 1) {
        std::fprintf(stderr, "child %d: record: %s\n", i, written ? "no row" : written.error().to_string().c_str());
        _exit(1);
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto store = this->open_store();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->current("prod")->size(), 4u);
}

TYPED_TEST(ManifestStoreTest, AProcessKilledInTheMiddleOfRecordingLeavesNoHalfWrittenRow) {
  {
    auto store = this->open_store();  // schema exists before the child starts
    ASSERT_TRUE(store);
  }
  auto url = this->backend_->url();
  auto base = this->backend_->base_dir();
  std::vector<Deployment> rows{row("assets", "700"), row("fabric", "700"), row("warehouse", "700")};

  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    setenv("CONVERGE_FAULT_PAUSE_IN_RECORD_MS", "5000", 1);
    auto store = open(url, base);
    if (store) (void)(*store)->record(rows);
    _exit(0);
  }
  // Wait until the child holds its write transaction, then give it time to insert.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!this->backend_->writer_in_transaction() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child finished before it was killed";

  auto store = this->open_store();
  ASSERT_TRUE(store);
  auto history = store->history("prod", 10);
  ASSERT_TRUE(history) << history.error().to_string();
  EXPECT_TRUE(history->empty());

  auto written = store->record(rows);
  ASSERT_TRUE(written) << written.error().to_string();
  EXPECT_EQ(*written, 3);
  EXPECT_EQ(store->current("prod")->size(), 3u);
}

}  // namespace
}  // namespace converge::manifest
