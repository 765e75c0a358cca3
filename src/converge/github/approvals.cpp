// Approval counting for the two-person rule (see approvals.hpp).
#include "converge/github/approvals.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace converge::github {

ApprovalDecision evaluate_approvals(const PullRequest& pr, const std::vector<Review>& reviews,
                                    const std::vector<PullCommit>& commits, const config::Gates& gates) {
  ApprovalDecision d;
  // The latest deciding review per reviewer; reviews arrive in chronological order.
  std::map<std::string, const Review*> latest;
  for (const auto& r : reviews) {
    if (r.state == "COMMENTED" || r.state == "PENDING") continue;
    latest[r.user.login] = &r;
  }
  std::set<std::string> pushers;
  for (const auto& c : commits) {
    if (!c.author_login.empty()) pushers.insert(c.author_login);
    if (!c.committer_login.empty() && c.committer_login != "web-flow") pushers.insert(c.committer_login);
  }
  for (const auto& [login, review] : latest) {
    std::string why;
    if (review->state != "APPROVED") why = "latest review is " + review->state;
    else if (review->user.bot) why = "bots do not count";
    else if (login == pr.author.login) why = "the author cannot approve their own pull request";
    else if (review->commit_id != pr.head_sha) why = "approved " + review->commit_id.substr(0, 12) + ", not the head commit " + pr.head_sha.substr(0, 12);
    else if (gates.distinct_approver && pushers.contains(login)) why = "pushed commits to the pull request";
    if (why.empty()) d.approvers.push_back(login);
    else d.ignored.push_back(login + ": " + why);
  }
  std::sort(d.approvers.begin(), d.approvers.end());
  const int have = static_cast<int>(d.approvers.size());
  d.satisfied = have >= gates.approvals;
  d.reason = "pull request #" + std::to_string(pr.number) + " has " + std::to_string(have) + " qualifying approval" +
             (have == 1 ? "" : "s") + " of the head commit " + pr.head_sha.substr(0, 12) + ", " +
             std::to_string(gates.approvals) + " required";
  if (!d.satisfied && !d.ignored.empty()) {
    d.reason += " (not counted: ";
    for (size_t i = 0; i < d.ignored.size(); ++i) d.reason += (i ? "; " : "") + d.ignored[i];
    d.reason += ")";
  }
  return d;
}

}  // namespace converge::github
