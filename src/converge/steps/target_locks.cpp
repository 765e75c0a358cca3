// lock_targets (session.hpp): every target's apply lock for the whole apply, so two
// runs never apply the same change twice. A provider with a lock in its runtime
// takes that one (providers' lock()); for the others the lock is a lease row in the
// manifest store, renewed while held.
#include <unistd.h>

#include <ctime>

#include "converge/manifest/lease_lock.hpp"
#include "converge/util/utc_time.hpp"
#include "converge/steps/manifest_store.hpp"
#include "converge/steps/session.hpp"

namespace converge::steps {
namespace {

constexpr std::chrono::milliseconds kDefaultTimeout = std::chrono::minutes(5);
constexpr std::chrono::milliseconds kDefaultLease = std::chrono::minutes(1);

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

// The line a waiting run shows: which run, where, since when.
std::string holder_line(const github::RunContext& ctx, const std::string& host, std::int64_t pid) {
  std::string who;
  if (ctx.in_actions && !ctx.run_url().empty()) {
    who = "run " + ctx.run_url();
    if (auto job = ctx.variable("GITHUB_JOB"); job && !job->empty()) who += " (job " + *job + ")";
  } else {
    who = "a local run" + (ctx.actor.empty() ? std::string() : " by " + ctx.actor);
  }
  return who + " on host " + host + ", pid " + std::to_string(pid) + ", since " + utc_now();
}

class ManifestLock final : public providers::Lock {
 public:
  explicit ManifestLock(std::unique_ptr<manifest::LeaseLock> lease) : lease_(std::move(lease)) {}

 private:
  std::unique_ptr<manifest::LeaseLock> lease_;
};

Expected<std::unique_ptr<providers::Lock>> lock_in_manifest(const Session& session, const TargetHandle& target,
                                                            const providers::LockRequest& request,
                                                            std::chrono::milliseconds lease) {
  manifest::LockLease claim;
  claim.name = "apply:" + session.runtime + "/" + target.name;
  claim.holder = request.holder;
  claim.host = request.host;
  claim.pid = request.pid;
  const StepIo io = *session.io;
  auto url = manifest_url(session, io);
  if (!url) return fail(url.error());
  auto store = open_manifest(*url, session.config.root, io);
  if (!store) return fail(store.error());
  if (is_github_manifest(*url))
    io.console.info("The github: manifest has no lock to give: the workflow's concurrency group (converge-apply-" +
                    session.environment().name + ") keeps one apply of " + session.environment().name +
                    " at a time for target " + target.name + ".");
  auto claimant = manifest::LeaseLock::on(std::move(*store), claim, lease);
  return providers::wait_for_lock(
      "the apply lock " + claim.name + " in the manifest", request, [&]() -> Expected<providers::LockAttempt> {
        std::string holder;
        auto held = claimant->try_acquire(holder);
        if (!held) return fail(held.error());
        if (!*held) return providers::LockAttempt{nullptr, holder};
        return providers::LockAttempt{std::make_unique<ManifestLock>(std::move(claimant)), ""};
      });
}

}  // namespace

std::string utc_now() { return util::utc_time("%Y-%m-%dT%H:%M:%SZ"); }

Expected<void> lock_targets(Session& session, StepIo io) {
  if (!session.locks.empty() || session.targets.empty()) return {};
  providers::LockRequest request;
  request.host = host_name();
  request.pid = static_cast<std::int64_t>(::getpid());
  request.holder = holder_line(io.ctx, request.host, request.pid);
  request.timeout = io.ctx.milliseconds("CONVERGE_LOCK_TIMEOUT_MS").value_or(kDefaultTimeout);
  const auto lease = io.ctx.milliseconds("CONVERGE_LOCK_LEASE_MS").value_or(kDefaultLease);

  std::vector<std::unique_ptr<providers::Lock>> held;
  for (const auto& target : session.targets) {
    request.on_wait = [&](const std::string& holder) {
      io.console.info("Waiting up to " + std::to_string(request.timeout.count() / 1000) +
                      " s for the apply lock of target " + target.name + ", held by " + holder);
    };
    auto lock = target.impl->lock(request);
    if (!lock) return fail(lock.error().with_context("target " + target.name));
    if (!*lock) {
      lock = lock_in_manifest(session, target, request, lease);
      if (!lock) return fail(lock.error().with_context("target " + target.name));
    }
    held.push_back(std::move(*lock));
  }
  session.locks = std::move(held);
  return {};
}

}  // namespace converge::steps
