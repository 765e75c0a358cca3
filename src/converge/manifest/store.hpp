// The deployment manifest: an append-only record of what was deployed where.
// Stores are found by URL scheme (sqlite:///path, postgres://…); the schema each
// store writes is documented at the top of its .cpp file.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "converge/util/error.hpp"

namespace converge::manifest {

struct Deployment {
  std::int64_t id = 0;            // assigned by the store
  std::string git_sha;
  std::string git_ref;            // branch or ref the run was for
  std::string git_tag;            // tag(s) pointing at git_sha, comma-separated; empty if none
  std::string migration_version;  // runtime version after the deployment (provider-specific)
  std::string bundle_hash;
  std::string plan_hash;
  std::string environment;
  std::string target;
  std::string status;             // "success" | "failure" | "interrupted" (apply's own row while it
                                  // runs: an apply killed, or not yet recorded by record-manifest)
                                  // | "destroyed" (converge destroy deleted a feature environment's
                                  // runtime of this branch)
  std::string deployed_at;        // UTC, ISO 8601 ("2026-11-25T08:12:43Z")
  std::string deployed_by;
  std::string run_url;
  // Idempotency key with (target, environment): a retried step writes nothing new.
  std::string run_id;
  std::string run_attempt;
  std::optional<std::int64_t> pr_number;
  std::string approvers;          // comma-separated logins
  std::string break_glass;        // reason, when the approval gate was skipped
  std::string managed;            // JSON array of the item keys converge manages in the target
                                  // after this deployment; "" = the provider does not track them
  std::string applied;            // JSON array of the change keys this deployment applied; "" = unknown
  std::string promoted_from;      // "<environment>@<sha>": the source environment's deployment this
                                  // one was promoted from (`promote_from`: the commit the source ran
                                  // when the gate compared the bundles); "" when not promoted
  bool dirty = false;             // made from a work tree with files git_sha does not hold (a local
                                  // apply; a runner refuses one: steps/work_tree_check.hpp)
  bool operator==(const Deployment&) const = default;
};

// A lock row: who holds the lock `name` until its lease runs out. Used for the
// apply lock of targets whose runtime has no lock of its own.
struct LockLease {
  std::string name;        // "apply:<environment>/<target>"
  std::string token;       // random, names this holder's row (only it renews or releases it)
  std::string holder;      // one line naming the holder (run, host, pid, since when)
  std::string host;        // the holder's host name
  std::int64_t pid = 0;    // the holder's process id on that host
  std::string expires_at;  // read back: UTC ISO 8601
};

struct LockTry {
  bool acquired = false;
  LockLease holder;  // when not acquired: the row that holds the lock
};

class Store {
 public:
  virtual ~Store() = default;

  // Appends all rows in ONE transaction: all are written or none. A row whose
  // (run_id, run_attempt, target, environment) already exists is skipped, so a
  // retried step never writes twice, unless the existing row is "interrupted": then
  // it is replaced (keeping its id), so an apply's journal row becomes its final
  // row. Returns the number of rows written or replaced.
  virtual Expected<int> record(const std::vector<Deployment>& rows) = 0;

  // "What is <environment> running?": the latest successful row per target,
  // sorted by target. Empty when nothing was deployed.
  virtual Expected<std::vector<Deployment>> current(std::string_view environment) = 0;

  // What the rows since the last success say, per target: its latest successful row
  // and every later row (any status; all of its rows when none succeeded), sorted by
  // target, then oldest first. The plan's managed keys are their union, so items a
  // failed or interrupted apply created are never forgotten.
  virtual Expected<std::vector<Deployment>> since_success(std::string_view environment) = 0;

  // The last `limit` rows of an environment (any status), newest first.
  virtual Expected<std::vector<Deployment>> history(std::string_view environment, int limit) = 0;

  // Takes the lock `claim.name` for `lease` when nobody holds it or its holder's
  // lease has expired (that row is replaced), in one transaction. Not acquired:
  // LockTry::holder is the row that holds it.
  virtual Expected<LockTry> try_lock(const LockLease& claim, std::chrono::milliseconds lease) = 0;
  // Extends the lease of the row (name, token) to now + `lease`. false: the row is
  // gone (the lease expired and another run took the lock).
  virtual Expected<bool> renew_lock(std::string_view name, std::string_view token, std::chrono::milliseconds lease) = 0;
  // Deletes the row (name, token); nothing when it is not there.
  virtual Expected<void> unlock(std::string_view name, std::string_view token) = 0;
};

// Opens (and creates or upgrades the schema of) the store at `url`. A relative
// sqlite path is relative to `base_dir`. Error (usage) for an unknown scheme,
// (runtime) when the store cannot be opened.
Expected<std::unique_ptr<Store>> open(std::string_view url, const std::filesystem::path& base_dir);

}  // namespace converge::manifest
