// A consumer repository in a temp dir (converge.yaml, migrations, a git commit) and
// helpers to run the step executables in it and look into its SQLite files.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <string>
#include <vector>

#include "support/git_repo.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"

namespace converge::testing {

inline constexpr std::string_view kSqliteConfig = R"(environments:
  - {name: dev, branch: "dev/**"}
  - name: prod
    branch: main
    gates: {approvals: 1, distinct_approver: true, plan_pinning: true}
targets:
  - name: app-db
    provider: sql
    settings:
      url: sqlite:///.converge/${CONVERGE_ENV}.db
)";

inline constexpr std::string_view kUsers = "-- migrate:up\ncreate table users (id integer primary key, name text);\n\n"
                                           "-- migrate:down\ndrop table users;\n";
inline constexpr std::string_view kPosts = "-- migrate:up\ncreate table posts (id integer primary key, title text);\n\n"
                                           "-- migrate:down\ndrop table posts;\n";

class RepoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("converge.yaml", kSqliteConfig);
    dir_.write(".gitignore", ".converge/\n");
    dir_.write("db/migrations/20260101000000_users.sql", kUsers);
    repo_ = std::make_unique<GitRepo>(dir_.path(), "dev/feature");
    sha_ = repo_->commit_all("users");
  }

  RunResult converge(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    env.emplace("GITHUB_ACTIONS", "false");
    return run_step("converge", args, dir_.path(), env);
  }

  // First column of the first row of `sql` on a SQLite file of the repo; "" when
  // there is no row or no such file.
  std::string sqlite_value(const std::string& file, const std::string& sql) {
    if (!std::filesystem::exists(dir_ / file)) return "";
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2((dir_ / file).c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW &&
        sqlite3_column_text(stmt, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }

  void sqlite_exec(const std::string& file, const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / file).c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    std::string message = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  TempDir dir_;
  std::unique_ptr<GitRepo> repo_;
  std::string sha_;
};

}  // namespace converge::testing
