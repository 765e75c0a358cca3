// The sticky plan comment: ONE comment per pull request and environment, found by
// a hidden marker, edited in place on every push.
//
// Marker (format 1), the first line of the body:
//   <!-- converge:plan v=1 env=<environment> sha=<head sha> plan=<plan hash> -->
// The environment identifies the comment; sha and plan record what was reviewed
// (apply's plan pinning compares the plan hash). A status line below the marker
// says whether the plan was applied or refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "converge/github/api.hpp"
#include "converge/plan/plan.hpp"

namespace converge::github {

inline constexpr size_t kCommentLimit = 65536;  // GitHub's maximum comment body

struct Marker {
  std::string environment;
  std::string sha;
  std::string plan_hash;
};

std::string marker_line(const Marker& marker);
// The marker of a comment body; nullopt when the body carries none.
std::optional<Marker> find_marker(std::string_view body);
// True when `body` is the plan comment of `environment`.
bool is_plan_comment(std::string_view body, std::string_view environment);

// The comment body for a plan, at most `limit` characters: the full markdown when
// it fits, else the same summary with diffs cut and a visible note pointing to the
// job summary and plan.json. `run_url` may be empty.
std::string comment_body(const plan::Plan& plan, const std::string& head_sha, const std::string& run_url,
                         size_t limit = kCommentLimit);

// The same comment with a status line put under the marker (replacing an earlier
// status line): e.g. "applied at <sha> by <run>" or "not applied: …".
std::string with_status(std::string_view body, std::string_view status);

}  // namespace converge::github

namespace converge::github {

// The plan comment of `environment` on pull request `pr`; nullopt when there is none.
Expected<std::optional<Comment>> find_plan_comment(Api& api, std::int64_t pr, std::string_view environment);

// Creates or edits the ONE plan comment of `environment` on `pr` so it reads `body`.
// Never duplicates: it looks for the comment before every create, so a create whose
// answer was lost (the write happened, the response did not arrive) is found and
// edited instead of created again; a create that landed only after that look (a
// very slow answer) leaves a later copy, which the next look deletes. Error after
// repeated failures, naming the request.
Expected<Comment> upsert_plan_comment(Api& api, std::int64_t pr, std::string_view environment,
                                      const std::string& body);

}  // namespace converge::github
