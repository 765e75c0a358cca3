// converge's own record of a reviewed plan: a commit status that plan-comment
// writes on the pull request's head SHA, beside the sticky comment. A comment can
// be written or edited by people; this status is only trusted when its creator is
// converge's identity (Api::identity()), so apply can cross-check the comment's
// plan hash against something nobody else wrote.
//
// Format (version 2), one status per environment and head SHA (the newest wins):
//   context      "converge/plan (<environment>)"
//   description  "plan <64-hex plan hash>"
//                or "plan <64-hex plan hash> comment <id> since <YYYY-MM-DDTHH:MM:SSZ>"
//                (at most 123 characters; GitHub keeps at most 140)
//   state        success, or failure when the plan has errors
//   target_url   the run that made the plan and wrote the comment (may be absent)
// The comment part (version 2; version 1 had none) says where the sticky plan
// comment was (plan_comment.hpp CommentPlace): the next plan-comment run of the pull
// request reads it from the record on the previous head (the synchronize event's
// `before`) or on the head itself (a re-run), and lists only the comments updated
// since, instead of every comment. It is only a hint, verified against what GitHub
// lists; a record without it (a run that created the comment, or could not delete
// a copy) makes the next run list every comment. Readers of version 1 read the hash
// of version 2 unchanged (recorded_plan_hash stops at the first space).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "converge/github/api.hpp"
#include "converge/github/plan_comment.hpp"
#include "converge/plan/plan.hpp"

namespace converge::github {

std::string plan_status_context(std::string_view environment);
// The plan hash a status description carries; "" when it carries none.
std::string recorded_plan_hash(std::string_view description);
// The comment place a status description carries; nullopt when it carries none or
// any part of it is not exactly as record_plan writes it.
std::optional<CommentPlace> recorded_comment(std::string_view description);

// The description of a plan record: "plan <hash>", and the comment's place when given
// (a place with an id that is not positive or longer than 18 digits, or a time that
// is not is_timestamp, is left out).
std::string plan_description(std::string_view plan_hash, const std::optional<CommentPlace>& comment);

// Writes the plan record of `plan` on `head_sha`, with the comment's place when
// given (runtime Error naming the request).
Expected<CommitStatus> record_plan(Api& api, const plan::Plan& plan, const std::string& head_sha,
                                   const std::string& run_url,
                                   const std::optional<CommentPlace>& comment = std::nullopt);

// The comment place in the newest plan record of `environment` on `sha` written by
// api.identity(), among the newest 100 statuses of `sha` (ONE request); nullopt when
// there is none, the record carries none, or GitHub answers with an error (it is
// only a hint: the caller then lists every comment).
std::optional<CommentPlace> remembered_comment(Api& api, const std::string& sha, std::string_view environment);

// The newest plan record of `environment` on `head_sha` written by api.identity();
// nullopt when there is none. Statuses by anyone else are ignored.
Expected<std::optional<CommitStatus>> find_plan_record(Api& api, const std::string& head_sha,
                                                       std::string_view environment);

}  // namespace converge::github
