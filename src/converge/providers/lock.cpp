// Apply locks: the wait loop every lock shares (poll until taken or timed out,
// then refuse naming the holder), and the Provider default (no runtime lock).
#include <thread>

#include "converge/providers/provider.hpp"

namespace converge::providers {

Expected<std::unique_ptr<Lock>> Provider::lock(const LockRequest&) { return std::unique_ptr<Lock>(); }

Expected<std::unique_ptr<Lock>> wait_for_lock(std::string_view what, const LockRequest& request,
                                              const std::function<Expected<LockAttempt>()>& attempt) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto deadline = start + request.timeout;
  bool waiting = false;
  for (;;) {
    auto tried = attempt();
    if (!tried) return fail(tried.error());
    if (tried->lock) return std::move(tried->lock);
    const std::string holder = tried->holder.empty() ? "another run" : tried->holder;
    if (Clock::now() >= deadline) {
      auto waited = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start).count();
      return fail(Error::refused(std::string(what) + " is held by " + holder + "; waited " +
                                 std::to_string(waited) + " s for it; nothing was applied"));
    }
    if (!waiting && request.on_wait) request.on_wait(holder);
    waiting = true;
    std::this_thread::sleep_for(std::min<Clock::duration>(request.poll, deadline - Clock::now()));
  }
}

}  // namespace converge::providers
