// The --json documents of plan, apply and drift-verify (formats in json_documents.hpp).
#include "converge/steps/json_documents.hpp"

namespace converge::steps {
namespace {

constexpr int kFormat = 1;

nlohmann::json counts_json(const plan::Counts& c) {
  return {{"create", c.create}, {"update", c.update}, {"delete", c.remove}, {"replace", c.replace},
          {"total", c.total()}};
}

nlohmann::json plan_targets(const plan::Plan& plan) {
  auto targets = nlohmann::json::array();
  for (const auto& t : plan.targets)
    targets.push_back({{"target", t.target},
                       {"provider", t.provider},
                       {"has_changes", !t.changes.empty()},
                       {"has_errors", t.has_errors()},
                       {"destructive", t.destructive()},
                       {"counts", counts_json(plan::count(t))},
                       {"errors", t.errors}});
  return targets;
}

// Per target: drift or not, and its items as plan.json names them (without the
// before/after content: the plan document has that).
nlohmann::json drift_targets(const plan::Plan& plan) {
  const auto full = plan::to_json(plan);
  auto targets = nlohmann::json::array();
  for (size_t i = 0; i < plan.targets.size(); ++i) {
    const auto& t = plan.targets[i];
    auto items = nlohmann::json::array();
    for (auto change : full["targets"][i]["changes"]) {
      change.erase("before");
      change.erase("after");
      items.push_back(std::move(change));
    }
    targets.push_back({{"target", t.target},
                       {"drift", !t.changes.empty() || t.has_errors()},
                       {"items", std::move(items)},
                       {"errors", t.errors}});
  }
  return targets;
}

}  // namespace

nlohmann::json plan_document(const plan::Plan& plan) {
  return {{"format", kFormat},
          {"environment", plan.environment},
          {"git_sha", plan.git_sha},
          {"plan_hash", plan::hash(plan)},
          {"has_changes", plan.has_changes()},
          {"has_errors", plan.has_errors()},
          {"destructive", plan.destructive()},
          {"counts", counts_json(plan::count(plan))},
          {"targets", plan_targets(plan)},
          {"plan", plan::to_json(plan)}};
}

nlohmann::json apply_document(const plan::Plan& plan, const ApplyResult* result, const std::vector<std::string>& gates) {
  return {{"format", kFormat},
          {"environment", plan.environment},
          {"git_sha", plan.git_sha},
          {"plan_hash", plan::hash(plan)},
          {"dry_run", result == nullptr},
          {"status", result == nullptr ? "dry-run" : result->ok() ? "success" : "failure"},
          {"has_changes", plan.has_changes()},
          {"counts", counts_json(plan::count(plan))},
          {"gates", gates},
          {"result", result ? result_json(*result) : nlohmann::json(nullptr)}};
}

nlohmann::json drift_document(const plan::Plan& found, const ApplyResult* result, const plan::Plan* after) {
  const plan::Plan& final_plan = after ? *after : found;
  return {{"format", kFormat},
          {"environment", found.environment},
          {"git_sha", found.git_sha},
          {"drift", !found.clean()},
          {"applied", result != nullptr},
          {"reconciled", after != nullptr && after->clean()},
          {"drift_remains", !final_plan.clean()},
          {"targets", drift_targets(found)},
          {"result", result ? result_json(*result) : nlohmann::json(nullptr)},
          {"remaining", after ? drift_targets(*after) : nlohmann::json(nullptr)}};
}

}  // namespace converge::steps
