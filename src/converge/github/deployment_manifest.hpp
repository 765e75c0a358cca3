// The manifest kept in GitHub itself (`manifest: { url: "github:" }`): each row is a
// GitHub deployment of its environment, created with task "deploy:converge" and the
// row in its payload, and a deployment status mirroring the row's status for the
// Environments page. No database and no secret: the job's GITHUB_TOKEN with
// `deployments: write` (read: `deployments: read`) is all it needs.
//
// Payload (format 1; the format documented here is what record() writes and read()
// accepts):
//   {"converge": {"format": 1, "key": "[\"<run_id>\",\"<run_attempt>\",\"<environment>\",\"<target>\"]",
//    "git_sha", "git_ref", "git_tag", "migration_version", "bundle_hash", "plan_hash",
//    "environment", "target", "status", "deployed_at", "deployed_by", "run_url",
//    "run_id", "run_attempt", "pr_number" (int or null), "approvers", "break_glass",
//    "managed", "applied", "dirty", "promoted_from"}}
// Deployments without that payload (another tool's, the `deploy` mirror of a
// sqlite/postgres manifest), and deployments another login created (only what
// converge itself wrote is trusted: Api::identity(), as for its plan record), are
// never read as rows.
//
// How it keeps manifest::Store's promises, and where GitHub cannot:
// - Idempotent: record() first lists the environment's converge deployments and
//   skips a row whose key is there with a final status; a retry never duplicates.
// - One transaction: GitHub has none. Rows are created one by one; a failure part way
//   leaves the rows before it, and a retry writes only the rest (the keys).
// - Replacing an `interrupted` row: a deployment's payload cannot change, so the new
//   row is a new deployment (a new id) and the old one is marked inactive and deleted.
//   Should the delete fail, reads still take, per key, a final row over an
//   interrupted one and else the newest.
// - Locks: GitHub has none to give. try_lock() always acquires and says so in the
//   holder line; the apply lock is the workflow's concurrency group
//   (`converge-apply-<environment>` in the reusable workflows), which runs one apply
//   of an environment at a time. A local apply against a github: manifest has no lock.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "converge/github/api.hpp"
#include "converge/manifest/store.hpp"

namespace converge::github {

inline constexpr std::string_view kManifestTask = "deploy:converge";

class DeploymentManifest final : public manifest::Store {
 public:
  // Reads and writes through `api`, which must outlive the store, or be kept alive by
  // `owner` (the connection that holds it).
  explicit DeploymentManifest(Api& api, std::shared_ptr<const void> owner = nullptr)
      : api_(api), owner_(std::move(owner)) {}

  Expected<int> record(const std::vector<manifest::Deployment>& rows) override;
  Expected<std::vector<manifest::Deployment>> current(std::string_view environment) override;
  Expected<std::vector<manifest::Deployment>> since_success(std::string_view environment) override;
  Expected<std::vector<manifest::Deployment>> history(std::string_view environment, int limit) override;
  Expected<manifest::LockTry> try_lock(const manifest::LockLease& claim, std::chrono::milliseconds lease) override;
  Expected<bool> renew_lock(std::string_view name, std::string_view token, std::chrono::milliseconds lease) override;
  Expected<void> unlock(std::string_view name, std::string_view token) override;

 private:
  // Every converge row of `environment`, one per key (see above), oldest first.
  Expected<std::vector<manifest::Deployment>> rows(std::string_view environment);
  Api& api_;
  std::shared_ptr<const void> owner_;
};

// The payload of `row` (format 1, above) and back. from_payload: nullopt when
// `payload` is not a converge row (another deployment, a damaged payload).
nlohmann::json to_payload(const manifest::Deployment& row);
std::optional<manifest::Deployment> from_payload(const nlohmann::json& payload);

}  // namespace converge::github
