// The plan record: a commit status converge writes and trusts only from itself
// (see plan_record.hpp).
#include "converge/github/plan_record.hpp"

#include <algorithm>

namespace converge::github {
namespace {

constexpr std::string_view kPrefix = "plan ";

}  // namespace

std::string plan_status_context(std::string_view environment) {
  return "converge/plan (" + std::string(environment) + ")";
}

std::string recorded_plan_hash(std::string_view description) {
  if (!description.starts_with(kPrefix)) return {};
  std::string_view hash = description.substr(kPrefix.size());
  hash = hash.substr(0, hash.find(' '));
  const bool hex = hash.size() == 64 && std::all_of(hash.begin(), hash.end(), [](char c) {
                     return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                   });
  return hex ? std::string(hash) : std::string();
}

Expected<CommitStatus> record_plan(Api& api, const plan::Plan& plan, const std::string& head_sha,
                                   const std::string& run_url) {
  return api.create_commit_status(head_sha, plan.has_errors() ? "failure" : "success",
                                  plan_status_context(plan.environment), std::string(kPrefix) + plan::hash(plan),
                                  run_url);
}

Expected<std::optional<CommitStatus>> find_plan_record(Api& api, const std::string& head_sha,
                                                       std::string_view environment) {
  auto self = api.identity();
  if (!self) return fail(self.error());
  auto statuses = api.commit_statuses(head_sha);
  if (!statuses) return fail(statuses.error());
  const std::string context = plan_status_context(environment);
  for (auto& s : *statuses)  // newest first
    if (s.context == context && same_login(s.creator.login, *self)) return std::optional<CommitStatus>(std::move(s));
  return std::optional<CommitStatus>();
}

}  // namespace converge::github
