// The plan record: a commit status converge writes and trusts only from itself
// (see plan_record.hpp).
#include "converge/github/plan_record.hpp"

#include <algorithm>

#include "converge/github/approvals.hpp"

namespace converge::github {
namespace {

constexpr std::string_view kPrefix = "plan ";
constexpr std::string_view kComment = " comment ";
constexpr std::string_view kSince = " since ";

// The newest status of `context` written by `self` among `statuses` (newest first).
const CommitStatus* newest_own(const std::vector<CommitStatus>& statuses, const std::string& context,
                               const std::string& self) {
  for (const auto& s : statuses)
    if (s.context == context && same_login(s.creator.login, self)) return &s;
  return nullptr;
}

// A positive id as record_plan writes it: decimal digits, no leading zero, at most 18.
std::int64_t parse_id(std::string_view text) {
  if (text.empty() || text.size() > 18 || text[0] == '0' ||
      text.find_first_not_of("0123456789") != std::string_view::npos)
    return 0;
  std::int64_t id = 0;
  for (char c : text) id = id * 10 + (c - '0');
  return id;
}

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

std::optional<CommentPlace> recorded_comment(std::string_view description) {
  const std::string hash = recorded_plan_hash(description);
  if (hash.empty()) return std::nullopt;
  std::string_view rest = description.substr(kPrefix.size() + hash.size());
  if (!rest.starts_with(kComment)) return std::nullopt;
  rest.remove_prefix(kComment.size());
  const auto id_end = rest.find(' ');
  const std::int64_t id = parse_id(rest.substr(0, id_end));
  if (id == 0 || id_end == std::string_view::npos || !rest.substr(id_end).starts_with(kSince)) return std::nullopt;
  const std::string_view since = rest.substr(id_end + kSince.size());
  if (!is_timestamp(since)) return std::nullopt;
  return CommentPlace{id, std::string(since)};
}

std::string plan_description(std::string_view plan_hash, const std::optional<CommentPlace>& comment) {
  std::string description(kPrefix);
  description += plan_hash;
  if (comment && comment->id > 0 && comment->id < 1'000'000'000'000'000'000 && is_timestamp(comment->since)) {
    description += kComment;
    description += std::to_string(comment->id);
    description += kSince;
    description += comment->since;
  }
  return description;
}

Expected<CommitStatus> record_plan(Api& api, const plan::Plan& plan, const std::string& head_sha,
                                   const std::string& run_url, const std::optional<CommentPlace>& comment) {
  return api.create_commit_status(head_sha, plan.has_errors() ? "failure" : "success",
                                  plan_status_context(plan.environment), plan_description(plan::hash(plan), comment),
                                  run_url);
}

Expected<std::optional<CommitStatus>> find_plan_record(Api& api, const std::string& head_sha,
                                                       std::string_view environment) {
  auto self = api.identity();
  if (!self) return fail(self.error());
  auto statuses = api.commit_statuses(head_sha);
  if (!statuses) return fail(statuses.error());
  const CommitStatus* own = newest_own(*statuses, plan_status_context(environment), *self);
  return own ? std::optional<CommitStatus>(*own) : std::optional<CommitStatus>();
}

std::optional<CommentPlace> remembered_comment(Api& api, const std::string& sha, std::string_view environment) {
  auto self = api.identity();
  if (!self || !is_sha(sha)) return std::nullopt;
  auto statuses = api.recent_commit_statuses(sha);
  if (!statuses) return std::nullopt;
  const CommitStatus* own = newest_own(*statuses, plan_status_context(environment), *self);
  return own ? recorded_comment(own->description) : std::nullopt;
}

}  // namespace converge::github
