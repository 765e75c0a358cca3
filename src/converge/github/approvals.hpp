// The two-person rule, as a pure function of a pull request's facts: who approved
// the head commit, and does that satisfy an environment's gates.
//
// Counting: the latest review of each reviewer decides (a COMMENTED review does not
// replace an earlier decision); only APPROVED reviews made on the PR's final head
// SHA count (an approval before the last push is stale); the PR author never
// counts; bots never count; with distinct_approver, neither does anyone who authored
// or committed a commit of the PR.
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

ApprovalDecision evaluate_approvals(const PullRequest& pr, const std::vector<Review>& reviews,
                                    const std::vector<PullCommit>& commits, const config::Gates& gates);

}  // namespace converge::github
