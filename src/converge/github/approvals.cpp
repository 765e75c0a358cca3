// Approval counting for the two-person rule (see approvals.hpp).
#include "converge/github/approvals.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "converge/util/short_sha.hpp"

namespace converge::github {
namespace {

using util::short_sha;

Error refused(const std::string& what) { return Error::refused(what + "; nothing was applied"); }

}  // namespace

bool is_sha(std::string_view text) {
  return text.size() == 40 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

Expected<void> validate_pull_request(const PullRequest& pr) {
  if (pr.number <= 0) return fail(refused("a pull request from GitHub has no number"));
  const std::string ref = "pull request #" + std::to_string(pr.number);
  if (!is_sha(pr.head_sha)) return fail(refused(ref + " has no valid head.sha (got \"" + pr.head_sha + "\")"));
  if (pr.author.login.empty()) return fail(refused(ref + " has no user.login (its author is unknown)"));
  if (pr.merged && !is_sha(pr.merge_commit_sha))
    return fail(refused(ref + " has no valid merge_commit_sha (got \"" + pr.merge_commit_sha + "\")"));
  return {};
}

Expected<ApprovalDecision> evaluate_approvals(const PullRequest& pr, const std::vector<Review>& reviews,
                                              const std::vector<PullCommit>& commits, const config::Gates& gates) {
  if (auto ok = validate_pull_request(pr); !ok) return fail(ok.error());
  const std::string ref = "pull request #" + std::to_string(pr.number);
  ApprovalDecision d;
  // The latest deciding review per reviewer; reviews arrive in chronological order.
  std::map<std::string, const Review*> latest;
  for (const auto& r : reviews) {
    if (r.state == "COMMENTED" || r.state == "PENDING") continue;
    if (r.user.login.empty())
      return fail(refused(ref + ": review " + std::to_string(r.id) + " has no user.login"));
    if (!is_sha(r.commit_id))
      return fail(refused(ref + ": the review by " + r.user.login + " has no valid commit_id (got \"" + r.commit_id +
                          "\")"));
    latest[r.user.login] = &r;
  }
  std::set<std::string> committers;
  if (gates.distinct_approver) {
    if (pr.commits < 0 && !gates.allow_large_pull_requests)
      return fail(refused(ref + " does not say how many commits it has (no `commits` count)"));
    if (pr.commits > static_cast<std::int64_t>(commits.size()) && !gates.allow_large_pull_requests)
      return fail(refused(ref + " has " + std::to_string(pr.commits) + " commits but GitHub lists only " +
                          std::to_string(commits.size()) +
                          ", so who made the rest cannot be checked (gates.allow_large_pull_requests accepts this)"));
    for (const auto& c : commits) {
      if (!is_sha(c.sha)) return fail(refused(ref + " has a commit without a valid sha (got \"" + c.sha + "\")"));
      if (c.author_login.empty())
        return fail(refused("commit " + short_sha(c.sha) + " of " + ref +
                            " has an author that is not linked to a GitHub user, so who wrote it cannot be checked"));
      if (c.committer_login.empty())
        return fail(refused("commit " + short_sha(c.sha) + " of " + ref +
                            " has a committer that is not linked to a GitHub user, so who made it cannot be checked"));
      committers.insert(c.author_login);
      if (c.committer_login != "web-flow") committers.insert(c.committer_login);
    }
  }
  for (const auto& [login, review] : latest) {
    std::string why;
    if (review->state != "APPROVED") why = "latest review is " + review->state;
    else if (review->user.bot) why = "bots do not count";
    else if (login == pr.author.login) why = "the author cannot approve their own pull request";
    else if (review->commit_id != pr.head_sha)
      why = "approved " + short_sha(review->commit_id) + ", not the head commit " + short_sha(pr.head_sha);
    else if (committers.contains(login)) why = "authored or committed a commit of the pull request";
    if (why.empty()) d.approvers.push_back(login);
    else d.ignored.push_back(login + ": " + why);
  }
  std::sort(d.approvers.begin(), d.approvers.end());
  const int have = static_cast<int>(d.approvers.size());
  d.satisfied = have >= gates.approvals;
  d.reason = ref + " has " + std::to_string(have) + " qualifying approval" + (have == 1 ? "" : "s") +
             " of the head commit " + short_sha(pr.head_sha) + ", " + std::to_string(gates.approvals) + " required";
  if (!d.satisfied && !d.ignored.empty()) {
    d.reason += " (not counted: ";
    for (size_t i = 0; i < d.ignored.size(); ++i) d.reason += (i ? "; " : "") + d.ignored[i];
    d.reason += ")";
  }
  return d;
}

bool last_push_approval_required(const std::vector<BranchRule>& rules) {
  return std::any_of(rules.begin(), rules.end(), [](const BranchRule& r) {
    if (r.type != "pull_request" || !r.parameters.is_object()) return false;
    auto it = r.parameters.find("require_last_push_approval");
    return it != r.parameters.end() && it->is_boolean() && it->get<bool>();
  });
}

}  // namespace converge::github
