// The sticky plan comment: ONE comment per pull request and environment, found by
// a hidden marker, edited in place on every push.
//
// Marker (format 1), the FIRST line of the body:
//   <!-- converge:plan v=1 env=<environment> sha=<head sha> plan=<plan hash> -->
// The environment identifies the comment; sha and plan record what was reviewed
// (apply's plan pinning compares the plan hash). A status line below the marker
// says whether the plan was applied or refused; the last line links the run.
//
// Trust: only a comment written by converge's own identity (Api::identity()) with
// the marker on its first line is the plan comment. A marker anywhere else, or in
// anyone else's comment (a PR author can post one), is ignored: never adopted,
// edited or deleted. A comment is still not the root of trust on its own: apply
// also checks the commit status plan-comment writes (plan_record.hpp) and that
// the visible plan is exactly what converge renders for the plan made now.
#pragma once

#include <optional>
#include <functional>
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

// Throws Failure when a field would not read back: an environment that is not a
// name (letters, digits, '-', '_', '.'), a SHA that is not 40 hexadecimal digits, a
// plan hash that is not 64 (callers check what came from outside first).
std::string marker_line(const Marker& marker);
// The marker on the FIRST line of a comment body; nullopt when that line is not
// exactly a marker as marker_line writes it (version 1, each field once and in
// order, each well formed; a marker further down does not count).
std::optional<Marker> find_marker(std::string_view body);
// True when `body` is the plan comment of `environment` (by its first line only;
// who wrote it is checked by the API functions below).
bool is_plan_comment(std::string_view body, std::string_view environment);

// The comment body for a plan, at most `limit` characters: the full markdown when
// it fits, else the same summary with diffs cut and a visible note pointing to the
// job summary and plan.json. `run_url` may be empty. Throws as marker_line does.
std::string comment_body(const plan::Plan& plan, const std::string& head_sha, const std::string& run_url,
                         size_t limit = kCommentLimit);

// The same comment with a status line put under the marker (replacing an earlier
// status line): e.g. "applied at <sha> by <run>" or "not applied: …".
std::string with_status(std::string_view body, std::string_view status);

// True when `body` reads exactly as comment_body(plan, head_sha, run_url) writes
// it, ignoring only a status line as with_status writes it (second line, plain
// text) and a section plan-comment appends after the footer that starts with
// "<!-- converge:" (the gate-change notice; not compared, it only takes room from
// the plan): a comment somebody edited — its plan, its footer, or markup slipped
// into the status line — does not match. `run_url` is the run that wrote the
// comment (the target_url of converge's own plan status). `redact` is what
// plan-comment passed the body through before posting it (the console's secret
// redaction): a plan that shows a value of a secret (a workspace id given as
// ${NAME}) was posted with it hidden, and is compared so.
bool shows_plan(std::string_view body, const plan::Plan& plan, const std::string& head_sha,
                const std::string& run_url,
                const std::function<std::string(std::string_view)>& redact = {});

}  // namespace converge::github

namespace converge::github {

// Where the plan comment was seen, so the next run need not list every comment of a
// long pull request: its id, and its updated_at as the run found it (before the
// run's own edit). plan-comment keeps it in its plan record (plan_record.hpp).
// Every duplicate that can appear later (a concurrent run's create, a create answered
// too late) is created after that moment, so it is among the comments updated since.
struct CommentPlace {
  std::int64_t id = 0;
  std::string since;  // "YYYY-MM-DDTHH:MM:SSZ", as GitHub writes timestamps
};

// True for a timestamp exactly as GitHub writes them: "YYYY-MM-DDTHH:MM:SSZ".
bool is_timestamp(std::string_view text);

// The plan comment of `environment` on pull request `pr` written by api.identity()
// (the oldest, when there are several); nullopt when there is none. Comments by
// anyone else are ignored whatever they say. With `hint` (where converge's plan
// record says the comment was), only the comments updated since are listed, when
// the oldest of converge's plan comments among them is hint->id; otherwise every
// comment is, as upsert_plan_comment below looks.
Expected<std::optional<Comment>> find_plan_comment(Api& api, std::int64_t pr, std::string_view environment,
                                                   const std::optional<CommentPlace>& hint = std::nullopt);

struct KeptComment {
  Comment comment;
  // Where the next run may look first; nullopt when this run created the comment
  // (or tried to) or failed to delete a copy: a copy may then exist that only a
  // full listing finds.
  std::optional<CommentPlace> place;
};

// Creates or edits the ONE plan comment of `environment` on `pr` so it reads `body`.
// Only converge's own comments are edited or deleted; a comment by anyone else
// that carries (or quotes) a marker is left alone.
// Never duplicates: it looks for the comment before every create, so a create whose
// answer was lost (the write happened, the response did not arrive) is found and
// edited instead of created again; a create that landed only after that look (a
// very slow answer) leaves a later copy, which the next look deletes. Error after
// repeated failures, naming the request.
// With `hint` (a place an earlier run remembered), the first look lists only the
// comments updated since hint->since (one page on a busy pull request instead of
// all of them); it is used only when converge's oldest plan comment of `environment`
// among them is hint->id (written by api.identity(), on `pr`, carrying the marker).
// Otherwise — the comment deleted, an id of another pull request or of somebody
// else's comment, an error — the look lists every comment, as without a hint.
Expected<KeptComment> upsert_plan_comment(Api& api, std::int64_t pr, std::string_view environment,
                                          const std::string& body,
                                          const std::optional<CommentPlace>& hint = std::nullopt);

}  // namespace converge::github
