// The apply lock kept as a lease row in the manifest store (for targets whose
// runtime has no lock), run identically against a real SQLite file and a real
// PostgreSQL database: one holder at a time, the holder named to the others, the
// lease kept alive while held, and a dead holder's row taken over.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <thread>

#include "converge/manifest/lease_lock.hpp"
#include "support/postgres.hpp"
#include "support/temp_dir.hpp"

namespace converge::manifest {
namespace {

using namespace std::chrono_literals;
using converge::testing::ScratchDatabase;
using converge::testing::TempDir;

class LeaseLockTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      CONVERGE_REQUIRE_POSTGRES();
      db_ = std::make_unique<ScratchDatabase>();
      url_ = db_->url();
    } else {
      url_ = "sqlite:///manifest.db";
    }
  }

  std::unique_ptr<LeaseLock> claimant(const std::string& holder, std::int64_t pid = ::getpid(),
                                      std::chrono::milliseconds lease = 60s) {
    auto lock = LeaseLock::open(url_, dir_.path(), {"apply:prod/bi", "", holder, "this-host", pid, ""}, lease);
    EXPECT_TRUE(lock.has_value()) << (lock ? "" : lock.error().message);
    return lock ? std::move(*lock) : nullptr;
  }

  TempDir dir_;
  std::unique_ptr<ScratchDatabase> db_;
  std::string url_;
};

TEST_P(LeaseLockTest, OneHolderAtATimeAndTheOthersAreToldWho) {
  auto first = claimant("run 1 on this-host, pid 1");
  auto second = claimant("run 2 on this-host, pid 2");
  std::string holder;
  ASSERT_TRUE(*first->try_acquire(holder));
  auto taken = second->try_acquire(holder);
  ASSERT_TRUE(taken.has_value());
  EXPECT_FALSE(*taken);
  EXPECT_NE(holder.find("run 1 on this-host, pid 1 (lease until 20"), std::string::npos) << holder;
  first.reset();  // released: the row is gone
  EXPECT_TRUE(*second->try_acquire(holder));
}

TEST_P(LeaseLockTest, AHeldLeaseIsRenewedBeyondItsLength) {
  auto first = claimant("run 1", ::getpid(), 300ms);
  auto second = claimant("run 2", ::getpid(), 300ms);
  std::string holder;
  ASSERT_TRUE(*first->try_acquire(holder));
  std::this_thread::sleep_for(900ms);
  EXPECT_FALSE(*second->try_acquire(holder)) << "the holder's renewer keeps its lease alive";
}

TEST_P(LeaseLockTest, AnExpiredLeaseIsTakenOver) {
  pid_t child = ::fork();
  if (child == 0) {
    // A run that takes the lock and dies without releasing it (no destructor runs).
    auto lock = LeaseLock::open(url_, dir_.path(), {"apply:prod/bi", "", "dead run", "another-host", 1, ""}, 200ms);
    std::string holder;
    ::_exit(lock && (*lock)->try_acquire(holder).value_or(false) ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto next = claimant("next run");
  std::string holder;
  EXPECT_FALSE(*next->try_acquire(holder)) << "on another host, alive as far as anyone here knows";
  EXPECT_NE(holder.find("dead run"), std::string::npos) << holder;
  std::this_thread::sleep_for(400ms);
  EXPECT_TRUE(*next->try_acquire(holder)) << "its lease ran out";
}

TEST_P(LeaseLockTest, ALockOfADeadProcessOnThisHostIsTakenOverAtOnce) {
  pid_t child = ::fork();
  if (child == 0) {
    auto lock = LeaseLock::open(url_, dir_.path(), {"apply:prod/bi", "", "killed run", "this-host", ::getpid(), ""},
                                60s);
    std::string holder;
    ::_exit(lock && (*lock)->try_acquire(holder).value_or(false) ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);  // reaped: its pid names no process now
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto next = claimant("next run");
  std::string holder;
  EXPECT_TRUE(*next->try_acquire(holder)) << holder;
}

INSTANTIATE_TEST_SUITE_P(Stores, LeaseLockTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace converge::manifest
