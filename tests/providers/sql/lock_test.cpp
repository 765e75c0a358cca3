// The sql provider's apply lock, the same on SQLite (flock) and PostgreSQL (advisory
// lock): held until released, a waiter from another process refused with the
// holder's line, and targets of one process on one database sharing one lock.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "converge/providers/sql/sql_provider.hpp"
#include "sql_test_support.hpp"
#include "support/postgres.hpp"
#include "support/temp_dir.hpp"

namespace converge::providers::sql {
namespace {

using namespace std::chrono_literals;

class SqlLockTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      CONVERGE_REQUIRE_POSTGRES();
      db_ = test::postgres_backend();
    } else {
      db_ = test::sqlite_backend(repo_.path());
    }
  }

  std::unique_ptr<Provider> provider() {
    auto p = make_provider(test::spec_for(repo_.path(), db_->url()));
    EXPECT_TRUE(p) << p.error().to_string();
    return p ? std::move(*p) : nullptr;
  }

  static LockRequest request(const std::string& holder, std::chrono::milliseconds timeout) {
    LockRequest r;
    r.holder = holder;
    r.host = "test-host";
    r.pid = ::getpid();
    r.timeout = timeout;
    r.poll = 20ms;
    return r;
  }

  // Tries the lock from another process (as a second run would); its exit code: 0
  // taken, 1 refused naming `expected_holder`, 2 refused otherwise, 3 an error.
  int try_from_another_process(const std::string& expected_holder) {
    pid_t child = ::fork();
    if (child == 0) {
      auto lock = provider()->lock(request("run B", 200ms));
      if (lock) ::_exit(0);
      if (lock.error().code != ExitCode::refused) ::_exit(3);
      const auto& m = lock.error().message;
      ::_exit(m.find("is held by " + expected_holder) != std::string::npos &&
                      m.find("nothing was applied") != std::string::npos
                  ? 1
                  : 2);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  converge::testing::TempDir repo_;
  std::unique_ptr<test::Backend> db_;
};

TEST_P(SqlLockTest, AHeldLockRefusesAnotherRunNamingTheHolderUntilReleased) {
  auto held = provider()->lock(request("run A on test-host, pid 1, since 2026-12-03T08:00:00Z", 1s));
  ASSERT_TRUE(held) << held.error().to_string();
  ASSERT_NE(*held, nullptr);
  EXPECT_EQ(try_from_another_process("run A on test-host, pid 1, since 2026-12-03T08:00:00Z"), 1);
  held->reset();
  EXPECT_EQ(try_from_another_process(""), 0) << "released with the Lock";
}

TEST_P(SqlLockTest, TargetsOfOneRunOnOneDatabaseShareTheLock) {
  auto first = provider()->lock(request("run A", 100ms));
  ASSERT_TRUE(first) << first.error().to_string();
  auto second = provider()->lock(request("run A", 100ms));
  ASSERT_TRUE(second) << "a second target on the same database must not wait for its own run: "
                      << second.error().to_string();
  first->reset();
  EXPECT_EQ(try_from_another_process("run A"), 1) << "still held while one of its targets holds it";
  second->reset();
  EXPECT_EQ(try_from_another_process(""), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlLockTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace converge::providers::sql
