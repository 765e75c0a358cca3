// The two-person rule, as a pure function of a pull request's facts: who approved
// the head commit, and does that satisfy an environment's gates.
//
// Fail closed: every identity and SHA the decision rests on is validated first (a
// SHA is 40 hex characters, a login is non-empty); a missing or malformed field is
// a refusal naming it, never an empty string that compares equal to another.
//
// Counting: the latest review of each reviewer decides (a COMMENTED review does not
// replace an earlier decision); only APPROVED reviews made on the PR's final head
// SHA count (an approval before the last push is stale); the PR author never
// counts; bots never count.
//
// distinct_approver: nobody who authored or committed a commit of the PR counts.
// Git identities are set by whoever makes the commit, and GitHub does not say who
// pushed, so this is conservative: every commit's author and committer must be a
// GitHub user (an unlinked one refuses, naming the commit; `web-flow`, GitHub's own
// committer of merges and web edits, is no person and is skipped), and every commit
// must be visible: a PR with more commits than GitHub lists (250) refuses unless the
// environment sets `allow_large_pull_requests`. GitHub's own "Require approval of
// the most recent reviewable push" (which knows the real pusher) is checked by
// apply through the branch rules, see last_push_approval_required().
#pragma once

#include <string>
#include <vector>

#include "converge/config/config.hpp"
#include "converge/github/api.hpp"

namespace converge::github {

struct ApprovalDecision {
  bool satisfied = false;
  std::vector<std::string> approvers;  // logins that count, sorted
  std::vector<std::string> ignored;    // "login: why it does not count", for the log
  std::string reason;                  // one line a person understands
};

// True for a full lower- or upper-case hexadecimal 40-character SHA-1.
bool is_sha(std::string_view text);

// Error::refused naming the first missing or malformed field of the pull request
// (number, head.sha, user.login, merge_commit_sha when merged).
Expected<void> validate_pull_request(const PullRequest& pr);

// The decision; Error::refused when a fact it needs is missing or malformed (a
// review without commit_id or user, a commit without sha, an unlinked commit with
// distinct_approver, a PR over GitHub's commit listing cap).
Expected<ApprovalDecision> evaluate_approvals(const PullRequest& pr, const std::vector<Review>& reviews,
                                              const std::vector<PullCommit>& commits, const config::Gates& gates);

// True when some `pull_request` rule among `rules` requires approval of the most
// recent reviewable push (`require_last_push_approval: true`).
bool last_push_approval_required(const std::vector<BranchRule>& rules);

}  // namespace converge::github
