// LeaseLock: a lock row in the manifest store with a lease renewed by a background
// thread every third of the lease (see lease_lock.hpp).
#include "converge/manifest/lease_lock.hpp"

#include <signal.h>

#include <cerrno>

#include "converge/util/hex.hpp"

namespace converge::manifest {
namespace {

std::string random_token() { return util::random_hex(32); }

}  // namespace

bool process_gone(std::int64_t pid) {
  return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH;
}

Expected<std::unique_ptr<LeaseLock>> LeaseLock::open(std::string_view url, const std::filesystem::path& base_dir,
                                                     LockLease claim, std::chrono::milliseconds lease) {
  auto store = manifest::open(url, base_dir);
  if (!store) return fail(store.error());
  return on(std::move(*store), std::move(claim), lease);
}

std::unique_ptr<LeaseLock> LeaseLock::on(std::unique_ptr<Store> store, LockLease claim, std::chrono::milliseconds lease) {
  claim.token = random_token();
  return std::unique_ptr<LeaseLock>(new LeaseLock(std::move(store), std::move(claim), lease));
}

LeaseLock::LeaseLock(std::unique_ptr<Store> store, LockLease claim, std::chrono::milliseconds lease)
    : store_(std::move(store)), claim_(std::move(claim)), lease_(lease) {}

Expected<bool> LeaseLock::try_acquire(std::string& holder) {
  if (held_) return true;
  for (int round = 0; round < 2; ++round) {
    auto tried = store_->try_lock(claim_, lease_);
    if (!tried) return fail(tried.error());
    if (tried->acquired) {
      held_ = true;
      renewer_ = std::thread([this] { renew_until_released(); });
      return true;
    }
    holder = tried->holder.holder + " (lease until " + tried->holder.expires_at + ")";
    // A holder that died on this host will never release its row: take it over now.
    if (round > 0 || tried->holder.host != claim_.host || !process_gone(tried->holder.pid)) return false;
    if (auto ok = store_->unlock(tried->holder.name, tried->holder.token); !ok) return fail(ok.error());
  }
  return false;
}

void LeaseLock::renew_until_released() {
  std::unique_lock guard(mutex_);
  while (!released_.wait_for(guard, lease_ / 3, [this] { return stopping_; })) {
    // A failed renewal is retried at the next tick; a lost row cannot be won back
    // without racing the run that took it, so the thread stops.
    auto renewed = store_->renew_lock(claim_.name, claim_.token, lease_);
    if (renewed && !*renewed) return;
  }
}

LeaseLock::~LeaseLock() {
  if (!held_) return;
  {
    std::lock_guard guard(mutex_);
    stopping_ = true;
  }
  released_.notify_all();
  if (renewer_.joinable()) renewer_.join();
  (void)store_->unlock(claim_.name, claim_.token);
}

}  // namespace converge::manifest
