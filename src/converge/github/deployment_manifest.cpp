// The manifest kept in GitHub deployments (see deployment_manifest.hpp for the
// payload format and how each manifest::Store promise is kept).
#include "converge/github/deployment_manifest.hpp"

#include <algorithm>
#include <map>

namespace converge::github {
namespace {

using nlohmann::json;
using manifest::Deployment;

constexpr int kPayloadFormat = 1;

// The idempotency key of a row: (run_id, run_attempt, environment, target).
std::string key_of(const Deployment& row) {
  return json::array({row.run_id, row.run_attempt, row.environment, row.target}).dump();
}

bool is_final(const Deployment& row) { return row.status != "interrupted"; }

// GitHub's deployment status for a row's status (the Environments page shows it).
std::string github_state(const std::string& status) {
  if (status == "success") return "success";
  if (status == "failure") return "failure";
  if (status == "destroyed") return "inactive";  // converge destroy deleted the runtime
  return "in_progress";
}

// One row per key: a final row over an interrupted one, else the newest (highest id).
std::vector<Deployment> one_per_key(const std::vector<Deployment>& all) {
  std::map<std::string, const Deployment*> best;
  for (const auto& row : all) {
    auto& slot = best[key_of(row)];
    if (!slot || (is_final(row) && !is_final(*slot)) || (is_final(row) == is_final(*slot) && row.id > slot->id))
      slot = &row;
  }
  std::vector<Deployment> out;
  for (const auto& [key, row] : best) out.push_back(*row);
  std::sort(out.begin(), out.end(), [](const Deployment& a, const Deployment& b) { return a.id < b.id; });
  return out;
}

std::string text(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

json to_payload(const Deployment& row) {
  json pr = row.pr_number ? json(*row.pr_number) : json();
  return {{"converge",
           {{"format", kPayloadFormat},      {"key", key_of(row)},
            {"git_sha", row.git_sha},        {"git_ref", row.git_ref},
            {"git_tag", row.git_tag},        {"migration_version", row.migration_version},
            {"bundle_hash", row.bundle_hash}, {"plan_hash", row.plan_hash},
            {"environment", row.environment}, {"target", row.target},
            {"status", row.status},          {"deployed_at", row.deployed_at},
            {"deployed_by", row.deployed_by}, {"run_url", row.run_url},
            {"run_id", row.run_id},          {"run_attempt", row.run_attempt},
            {"pr_number", pr},               {"approvers", row.approvers},
            {"break_glass", row.break_glass}, {"managed", row.managed},
            {"applied", row.applied},        {"dirty", row.dirty},
            {"promoted_from", row.promoted_from}}}};
}

std::optional<Deployment> from_payload(const json& payload) {
  if (!payload.is_object()) return std::nullopt;
  auto it = payload.find("converge");
  if (it == payload.end() || !it->is_object()) return std::nullopt;
  const json& c = *it;
  auto format = c.find("format");
  if (format == c.end() || !format->is_number_integer() || format->get<int>() != kPayloadFormat) return std::nullopt;
  Deployment row;
  row.git_sha = text(c, "git_sha");
  row.git_ref = text(c, "git_ref");
  row.git_tag = text(c, "git_tag");
  row.migration_version = text(c, "migration_version");
  row.bundle_hash = text(c, "bundle_hash");
  row.plan_hash = text(c, "plan_hash");
  row.environment = text(c, "environment");
  row.target = text(c, "target");
  row.status = text(c, "status");
  row.deployed_at = text(c, "deployed_at");
  row.deployed_by = text(c, "deployed_by");
  row.run_url = text(c, "run_url");
  row.run_id = text(c, "run_id");
  row.run_attempt = text(c, "run_attempt");
  if (auto pr = c.find("pr_number"); pr != c.end() && pr->is_number_integer()) row.pr_number = pr->get<std::int64_t>();
  row.approvers = text(c, "approvers");
  row.break_glass = text(c, "break_glass");
  row.managed = text(c, "managed");
  row.applied = text(c, "applied");
  row.promoted_from = text(c, "promoted_from");
  if (auto dirty = c.find("dirty"); dirty != c.end() && dirty->is_boolean()) row.dirty = dirty->get<bool>();
  if (row.target.empty() || row.environment.empty() ||
      (row.status != "success" && row.status != "failure" && row.status != "interrupted" &&
       row.status != "destroyed"))
    return std::nullopt;
  return row;
}

Expected<std::vector<Deployment>> DeploymentManifest::rows(std::string_view environment) {
  // Only what converge itself wrote is a row (as its plan record): the login it writes as.
  auto self = api_.identity();
  if (!self) return fail(self.error());
  auto listed = api_.deployments(std::string(environment), std::string(kManifestTask));
  if (!listed) return fail(listed.error());
  std::vector<Deployment> all;
  for (const auto& d : *listed) {
    if (!same_login(d.creator.login, *self)) continue;
    auto row = from_payload(d.payload);
    // Only rows of this environment: the payload must agree with where GitHub keeps it.
    if (!row || row->environment != d.environment || row->environment != environment) continue;
    row->id = d.id;
    all.push_back(std::move(*row));
  }
  return all;
}

Expected<int> DeploymentManifest::record(const std::vector<Deployment>& rows_to_write) {
  std::map<std::string, std::vector<Deployment>, std::less<>> known;  // environment → its rows so far
  int written = 0;
  for (const auto& row : rows_to_write) {
    if (row.git_sha.empty())
      return fail(Error::runtime("the github: manifest records deployments of a commit, and the row of " + row.target +
                                 " names none"));
    auto found = known.find(row.environment);
    if (found == known.end()) {
      auto listed = rows(row.environment);
      if (!listed) return fail(listed.error());
      found = known.emplace(row.environment, std::move(*listed)).first;
    }
    auto& existing = found->second;
    const auto key = key_of(row);
    std::vector<std::int64_t> superseded;
    bool final_there = false;
    for (const auto& e : existing) {
      if (key_of(e) != key) continue;
      if (is_final(e)) final_there = true;
      else superseded.push_back(e.id);
    }
    if (final_there) continue;  // a retry: this row is recorded already
    auto id = api_.create_deployment(row.git_sha, row.environment, "converge " + row.status + ": " + row.target,
                                     to_payload(row), std::string(kManifestTask));
    if (!id) return fail(id.error());
    // Each target keeps its own status: no auto_inactive across the environment's targets.
    if (auto status = api_.create_deployment_status(*id, github_state(row.status), row.run_url, row.environment, false);
        !status)
      return fail(status.error());
    for (auto old : superseded) {
      // Best effort: reads prefer the new row anyway (one_per_key).
      if (api_.create_deployment_status(old, "inactive", "", row.environment, false)) (void)api_.delete_deployment(old);
    }
    std::erase_if(existing, [&](const Deployment& e) { return key_of(e) == key; });
    Deployment added = row;
    added.id = *id;
    existing.push_back(std::move(added));
    ++written;
  }
  return written;
}

Expected<std::vector<Deployment>> DeploymentManifest::current(std::string_view environment) {
  auto all = rows(environment);
  if (!all) return fail(all.error());
  std::map<std::string, Deployment> latest;  // sorted by target
  for (const auto& row : one_per_key(*all))
    if (row.status == "success") latest[row.target] = row;
  std::vector<Deployment> out;
  for (auto& [target, row] : latest) out.push_back(std::move(row));
  return out;
}

Expected<std::vector<Deployment>> DeploymentManifest::since_success(std::string_view environment) {
  auto all = rows(environment);
  if (!all) return fail(all.error());
  std::map<std::string, std::vector<Deployment>> per_target;  // oldest first within each
  for (const auto& row : one_per_key(*all)) {
    auto& list = per_target[row.target];
    if (row.status == "success") list.clear();
    list.push_back(row);
  }
  std::vector<Deployment> out;
  for (auto& [target, list] : per_target) out.insert(out.end(), list.begin(), list.end());
  return out;
}

Expected<std::vector<Deployment>> DeploymentManifest::history(std::string_view environment, int limit) {
  auto all = rows(environment);
  if (!all) return fail(all.error());
  auto out = one_per_key(*all);
  std::reverse(out.begin(), out.end());
  if (limit >= 0 && out.size() > static_cast<size_t>(limit)) out.resize(static_cast<size_t>(limit));
  return out;
}

// GitHub has no lock to give: the workflow's concurrency group is the apply lock (see
// the header). Acquiring always succeeds, so a run never waits on a row that cannot exist.
Expected<manifest::LockTry> DeploymentManifest::try_lock(const manifest::LockLease&, std::chrono::milliseconds) {
  return manifest::LockTry{true, {}};
}

Expected<bool> DeploymentManifest::renew_lock(std::string_view, std::string_view, std::chrono::milliseconds) {
  return true;
}

Expected<void> DeploymentManifest::unlock(std::string_view, std::string_view) { return {}; }

}  // namespace converge::github
