// Partial failure bookkeeping, end to end on a real json-server with injected
// faults: the items an apply created before it failed stay converge's (the next plan
// deletes them once they leave Git), and an apply killed with SIGKILL part way leaves
// an "interrupted" manifest row naming what it applied.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <thread>

#include "providers/assets/json_server.hpp"
#include "support/git_repo.hpp"
#include "support/postgres.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"

namespace converge::testing {
namespace {

struct Row {
  std::string status, applied, managed;
};

class PartialApply : public ::testing::Test {
 protected:
  void SetUp() override {
    bi_ = std::make_unique<JsonServer>(JsonServer::empty_bi());
    dir_.write("converge.yaml", "environments:\n  - {name: dev, branch: \"dev/**\"}\ntargets:\n  - name: bi\n"
                                "    provider: assets\n    settings:\n      url: " + bi_->url() + "\n");
    dir_.write(".gitignore", ".converge/\n");
    for (const char* id : {"ca", "cb", "cc"}) dir_.write(chart(id), "slice_name: " + std::string(id) + "\nuuid: " + id + "\n");
    repo_ = std::make_unique<GitRepo>(dir_.path(), "dev/bi");
    repo_->commit_all("three charts");
  }

  static std::string chart(const std::string& id) { return "assets/charts/" + id + ".yaml"; }

  RunResult converge(std::vector<std::string> args) {
    return run_step("converge", args, dir_.path(), {{"GITHUB_ACTIONS", "false"}});
  }

  std::vector<std::string> chart_ids() const {
    std::vector<std::string> ids;
    const auto database = bi_->database();
    for (const auto& c : database["charts"]) ids.push_back(c["uuid"].get<std::string>());
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  std::vector<Row> manifest_rows() const {
    std::vector<Row> rows;
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2((dir_.path() / ".converge/manifest.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
              SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT status, applied, managed FROM deployments ORDER BY id", -1, &stmt, nullptr) ==
        SQLITE_OK)
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        auto text = [&](int c) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c))); };
        rows.push_back({text(0), text(1), text(2)});
      }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
  }

  // Removes the charts from Git and plans: the plan's text.
  std::string plan_without_charts() {
    for (const char* id : {"ca", "cb", "cc"}) std::filesystem::remove(dir_.path() / chart(id));
    repo_->commit_all("no charts");
    auto plan = converge({"plan", "--env", "dev"});
    EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
    return plan.out;
  }

  TempDir dir_;
  std::unique_ptr<JsonServer> bi_;
  std::unique_ptr<GitRepo> repo_;
};

// Regression: the next plan read managed keys only from the last successful row, so
// the items a failed apply created were never deleted.
TEST_F(PartialApply, ItemsAFailedApplyCreatedAreDeletedWhenTheyLeaveGit) {
  bi_->set_faults(nlohmann::json::array({{{"method", "POST"}, {"path", "/charts"}, {"skip", 2}, {"fault", "500"}}}));
  auto apply = converge({"apply", "--env", "dev"});
  ASSERT_EQ(apply.exit_code, 3) << apply.out << apply.err;
  EXPECT_NE(apply.err.find("charts/cc"), std::string::npos) << apply.err;
  ASSERT_EQ(chart_ids(), (std::vector<std::string>{"ca", "cb"}));
  auto record = converge({"record-manifest", "--env", "dev"});
  ASSERT_EQ(record.exit_code, 0) << record.out << record.err;
  auto rows = manifest_rows();
  ASSERT_EQ(rows.size(), 1u) << "the journal row became the final row";
  EXPECT_EQ(rows[0].status, "failure");
  EXPECT_EQ(rows[0].applied, R"(["charts/ca","charts/cb"])");

  auto plan = plan_without_charts();
  EXPECT_NE(plan.find("0 to create, 0 to update, 2 to delete"), std::string::npos) << plan;
  EXPECT_NE(plan.find("charts/ca"), std::string::npos) << plan;
  EXPECT_NE(plan.find("charts/cb"), std::string::npos) << plan;
}

// Regression (found by the fault soak): a create whose answer was lost (a 500 after
// the write, a dropped connection) left an item in the runtime that no row named as
// converge's, so it was never deleted once it left Git.
TEST_F(PartialApply, AnItemWhoseCreateAnswerWasLostIsStillConverges) {
  for (const char* fault : {"500-after-write", "drop-after-write"}) {
    SCOPED_TRACE(fault);
    std::filesystem::remove(dir_.path() / ".converge/manifest.db");
    for (const auto& id : chart_ids()) bi_->send("DELETE", "/charts/" + id);
    bi_->set_faults(nlohmann::json::array({{{"method", "POST"}, {"path", "/charts"}, {"skip", 1}, {"fault", fault}}}));
    auto apply = converge({"apply", "--env", "dev"});
    ASSERT_EQ(apply.exit_code, 3) << apply.out << apply.err;
    ASSERT_EQ(chart_ids(), (std::vector<std::string>{"ca", "cb"})) << "the second create happened";
    ASSERT_EQ(converge({"record-manifest", "--env", "dev"}).exit_code, 0);
    auto rows = manifest_rows();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].applied, R"(["charts/ca"])") << "only what was confirmed is applied";
    EXPECT_EQ(rows[0].managed, R"(["charts/ca","charts/cb"])") << "what exists after the lost answer is converge's";
  }
}

TEST_F(PartialApply, AnApplyKilledPartWayLeavesAnInterruptedRowNamingWhatItApplied) {
  // The second create never gets an answer: the apply waits on it until killed.
  bi_->set_faults(nlohmann::json::array({{{"method", "POST"}, {"path", "/charts"}, {"skip", 1}, {"fault", "hang"}}}));
  const auto out = dir_.path() / "apply.out", err = dir_.path() / "apply.err";
  const int pid = start_step("converge", {"apply", "--env", "dev"}, dir_.path(), {{"GITHUB_ACTIONS", "false"}}, out, err);
  auto posts = [&] {
    int n = 0;
    for (const auto& line : bi_->log()) n += line.starts_with("POST /charts");
    return n;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (posts() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(posts(), 2) << "the apply did not reach the second create";
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));

  auto rows = manifest_rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, "interrupted");
  EXPECT_EQ(rows[0].applied, R"(["charts/ca"])");
  EXPECT_EQ(rows[0].managed, R"(["charts/ca"])");
  EXPECT_EQ(chart_ids(), std::vector<std::string>{"ca"});

  auto describe = converge({"describe", "--env", "dev"});
  EXPECT_EQ(describe.exit_code, 0) << describe.err;

  auto plan = plan_without_charts();
  EXPECT_NE(plan.find("0 to create, 0 to update, 1 to delete"), std::string::npos) << plan;
  EXPECT_NE(plan.find("charts/ca"), std::string::npos) << plan;
}

// A sql target on PostgreSQL, its manifest in SQLite.
class PartialSqlApply : public ::testing::Test {
 protected:
  void SetUp() override {
    CONVERGE_REQUIRE_POSTGRES();
    db_.emplace();
    dir_.write("converge.yaml", "environments:\n  - {name: dev, branch: \"dev/**\"}\ntargets:\n  - name: app-db\n"
                                "    provider: sql\n    settings:\n      url: " + db_->url() + "\n");
    dir_.write(".gitignore", ".converge/\n");
    dir_.write("db/migrations/20260101000000_users.sql", "-- migrate:up\ncreate table users (id integer);\n-- migrate:down\n");
    repo_ = std::make_unique<GitRepo>(dir_.path(), "dev/db");
    repo_->commit_all("users");
  }
  RunResult converge(std::vector<std::string> args) {
    return run_step("converge", args, dir_.path(), {{"GITHUB_ACTIONS", "false"}});
  }
  std::string manifest_value(const std::string& sql) const {
    sqlite3* db = nullptr;
    sqlite3_open_v2((dir_.path() / ".converge/manifest.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    std::string out = "<no row>";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }

  std::optional<ScratchDatabase> db_;
  TempDir dir_;
  std::unique_ptr<GitRepo> repo_;
};

// Regression (found by the fault soak): the journal's first row of a target had an
// empty migration_version, so an apply killed in its first migration left a row
// naming no version although the database ran the earlier one.
TEST_F(PartialSqlApply, AnApplyKilledInAMigrationLeavesAnInterruptedRowWithTheVersionTheDatabaseRuns) {
  ASSERT_EQ(converge({"apply", "--env", "dev"}).exit_code, 0);
  ASSERT_EQ(converge({"record-manifest", "--env", "dev"}).exit_code, 0);
  dir_.write("db/migrations/20260102000000_slow.sql", "-- migrate:up\nselect pg_sleep(60);\n-- migrate:down\n");
  repo_->commit_all("slow");

  const int pid = start_step("converge", {"apply", "--env", "dev"}, dir_.path(), {{"GITHUB_ACTIONS", "false"}},
                             dir_.path() / ".converge/out", dir_.path() / ".converge/err");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (db_->query_value("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%'"
                          " AND pid <> pg_backend_pid()") == "0" &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  ASSERT_EQ(waitpid(pid, nullptr, 0), pid);

  EXPECT_EQ(manifest_value("SELECT status || ' ' || migration_version || ' ' || applied FROM deployments"
                           " ORDER BY id DESC LIMIT 1"),
            "interrupted 20260101000000 []");
  EXPECT_EQ(db_->query_value("SELECT max(version) FROM schema_migrations"), "20260101000000");
}

TEST_F(PartialSqlApply, AnApplyWhoseManifestCannotBeOpenedAppliesNothing) {
  dir_.write("converge.yaml", "manifest:\n  url: postgres://converge@127.0.0.1:1/nowhere\n" +
                                  [&] {
                                    std::ifstream in(dir_.path() / "converge.yaml");
                                    return std::string(std::istreambuf_iterator<char>(in), {});
                                  }());
  repo_->commit_all("manifest nowhere");
  auto apply = converge({"apply", "--env", "dev"});
  EXPECT_EQ(apply.exit_code, 3) << apply.out << apply.err;
  EXPECT_NE(apply.err.find("the manifest, where apply journals what it applies, cannot be opened (nothing was "
                           "applied)"),
            std::string::npos)
      << apply.err;
  EXPECT_EQ(db_->query_value("SELECT count(*) FROM pg_tables WHERE tablename = 'users'"), "0");
}

}  // namespace
}  // namespace converge::testing
