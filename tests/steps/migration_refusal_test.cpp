// Migrations that would break the all-or-nothing promise, through the built step
// executables on a real SQLite target: plan and apply refuse them with exit 2 and one
// `file:line: message` line, and the database stays as it was.
#include <filesystem>
#include <sstream>

#include "steps/repo_fixture.hpp"

namespace converge::testing {
namespace {

class MigrationRefusal : public RepoTest {
 protected:
  // 20260101000000_users applied on dev, then `file` added with `content`.
  void applied_then_added(const std::string& file, const std::string& content) {
    auto first = converge({"apply", "--env", "dev"});
    ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
    dir_.write(file, content);
  }

  // plan and apply both exit 2 with one error line, "error: <where>: target app-db:
  // <message…>", and leave the database as it was.
  void expect_refused_with(const std::string& where, const std::string& message) {
    for (const char* step : {"plan", "apply"}) {
      SCOPED_TRACE(step);
      auto r = converge({step, "--env", "dev"});
      EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
      std::vector<std::string> errors;
      std::istringstream lines(r.err);
      for (std::string line; std::getline(lines, line);)
        if (line.starts_with("error: ")) errors.push_back(line);
      ASSERT_EQ(errors.size(), 1u) << r.err;
      EXPECT_EQ(errors[0].rfind("error: " + where + ": target app-db: " + message, 0), 0u) << r.err;
    }
    EXPECT_EQ(sqlite_value(".converge/dev.db", "select group_concat(version) from schema_migrations"), "20260101000000");
    EXPECT_EQ(sqlite_value(".converge/dev.db", "select count(*) from sqlite_master where name in ('half', 'later')"),
              "0");
  }
};

TEST_F(MigrationRefusal, NulByteIsRefusedWithItsFileAndLine) {
  using namespace std::string_literals;
  applied_then_added("db/migrations/20260102000000_nul.sql",
                     "-- migrate:up\ncreate table half (id int);\n-- the rest is cut off\0\ncreate table later (id int);\n"
                     "-- migrate:down\n"s);
  expect_refused_with("db/migrations/20260102000000_nul.sql:3", "a NUL byte: the database would receive");
}

TEST_F(MigrationRefusal, CommitInATransactionalMigrationIsRefusedWithItsFileAndLine) {
  applied_then_added("db/migrations/20260102000000_commit.sql",
                     "-- migrate:up\ncreate table half (id int);\n\n  COMMIT; -- \"done\"\ncreate table later (id int);\n"
                     "-- migrate:down\n");
  expect_refused_with("db/migrations/20260102000000_commit.sql:4", "'COMMIT' in a migration that runs in a transaction");
}

TEST_F(MigrationRefusal, DanglingSymlinkIsRefusedNamingIt) {
  auto first = converge({"apply", "--env", "dev"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::filesystem::create_symlink("gone.sql", dir_ / "db/migrations/20260102000000_gone.sql");
  expect_refused_with("db/migrations/20260102000000_gone.sql", "migration file is a dangling symlink");
}

TEST_F(MigrationRefusal, TransactionFalseMigrationMayCommitAndIsApplied) {
  applied_then_added("db/migrations/20260102000000_own.sql",
                     "-- migrate:up transaction:false\nbegin;\ncreate table own (id int);\ncommit;\n-- migrate:down\n");
  auto r = converge({"apply", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(sqlite_value(".converge/dev.db", "select max(version) from schema_migrations"), "20260102000000");
}

}  // namespace
}  // namespace converge::testing
