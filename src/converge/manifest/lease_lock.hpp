// A lock held as a row in the manifest store (table `locks`), for targets whose
// runtime has no lock of its own. The row carries a lease that a background thread
// renews while the lock is held; a run that dies stops renewing, so its row expires
// after one lease, and a row whose holder process is gone on this very host is
// taken over at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "converge/manifest/store.hpp"

namespace converge::manifest {

class LeaseLock {
 public:
  // A claimant of `claim.name` (claim.token is filled with a fresh random token) on
  // its own connection to the store at `url`. Error as manifest::open().
  static Expected<std::unique_ptr<LeaseLock>> open(std::string_view url, const std::filesystem::path& base_dir,
                                                  LockLease claim, std::chrono::milliseconds lease);
  // The same on a store already open (one of a scheme manifest::open does not know).
  static std::unique_ptr<LeaseLock> on(std::unique_ptr<Store> store, LockLease claim, std::chrono::milliseconds lease);

  // One attempt: true when the lock is held now (renewed from then on); false when
  // another holder has it, whose line is put in `holder`. Error (runtime) from the store.
  Expected<bool> try_acquire(std::string& holder);

  // When held: stops renewing and deletes the row.
  ~LeaseLock();
  LeaseLock(const LeaseLock&) = delete;
  LeaseLock& operator=(const LeaseLock&) = delete;

 private:
  LeaseLock(std::unique_ptr<Store> store, LockLease claim, std::chrono::milliseconds lease);
  void renew_until_released();

  std::unique_ptr<Store> store_;
  LockLease claim_;
  std::chrono::milliseconds lease_;
  bool held_ = false;
  std::mutex mutex_;
  std::condition_variable released_;
  bool stopping_ = false;
  std::thread renewer_;
};

// True when `pid` names no process on this host (kill(pid, 0) fails with ESRCH).
bool process_gone(std::int64_t pid);

}  // namespace converge::manifest
