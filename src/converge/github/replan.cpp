// The re-plan comment of a merged pull request and the count of its approvals (see
// replan.hpp).
#include "converge/github/replan.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "converge/plan/markdown.hpp"
#include "converge/util/join.hpp"

namespace converge::github {
namespace {

constexpr std::string_view kPlanStart = "<!-- converge:plan ";
constexpr std::string_view kReplanStart = "<!-- converge:replan ";
// The length the re-plan marker adds to the plan comment's first line.
constexpr size_t kLonger = kReplanStart.size() - kPlanStart.size();

std::string note(std::int64_t pr, const std::string& merge_sha, std::string_view dispatcher) {
  return "\n<!-- converge:replan-note -->\n**Re-plan** of merged pull request #" + std::to_string(pr) + " at `" +
         merge_sha.substr(0, 12) + "`" + (dispatcher.empty() ? "" : ", dispatched by " + plan::md_plain(dispatcher)) +
         ". This plan replaces the one approved on the pull request for the deploy of this merge commit; that "
         "approval does not carry over. To approve it, a person with write access to the repository — not the one "
         "who dispatched this re-plan, not the pull request's author — reacts 👍 to this comment; then re-run the "
         "deploy.\n";
}

}  // namespace

std::string replan_marker_line(const Marker& marker) {
  return std::string(kReplanStart) + marker_line(marker).substr(kPlanStart.size());
}

std::optional<Marker> find_replan_marker(std::string_view body) {
  std::string_view line = body.substr(0, body.find('\n'));
  if (!line.starts_with(kReplanStart)) return std::nullopt;
  return find_marker(std::string(kPlanStart) + std::string(line.substr(kReplanStart.size())));
}

std::string replan_body(const plan::Plan& plan, const std::string& merge_sha, const std::string& run_url,
                        std::int64_t pr, std::string_view dispatcher) {
  const auto section = note(pr, merge_sha, dispatcher);
  auto body = comment_body(plan, merge_sha, run_url, kCommentLimit - section.size() - kLonger);
  const auto first = body.find('\n');
  return replan_marker_line({plan.environment, merge_sha, plan::hash(plan)}) + body.substr(first) + section;
}

bool shows_replan(std::string_view body, const plan::Plan& plan, const std::string& merge_sha,
                  const std::string& run_url, const std::function<std::string(std::string_view)>& redact) {
  auto marker = find_replan_marker(body);
  if (!marker || marker->environment != plan.environment || marker->sha != merge_sha ||
      marker->plan_hash != plan::hash(plan))
    return false;
  // Read as the plan comment it was made from: the plan marker on the first line.
  // The padding stands for the marker's extra length, so shows_plan budgets the
  // plan's room exactly as replan_body did.
  const auto rest = body.substr(std::min(body.size(), body.find('\n')));
  return shows_plan(marker_line(*marker) + std::string(rest) + std::string(kLonger, ' '), plan, merge_sha, run_url,
                    redact);
}

Expected<std::optional<Comment>> find_replan_comment(Api& api, std::int64_t pr, std::string_view environment) {
  auto self = api.identity();
  if (!self) return fail(self.error());
  auto comments = api.issue_comments(pr);
  if (!comments) return fail(comments.error());
  std::optional<Comment> newest;
  for (auto& c : *comments) {  // oldest first
    auto m = find_replan_marker(c.body);
    if (m && m->environment == environment && same_login(c.user.login, *self)) newest = std::move(c);
  }
  return newest;
}

std::int64_t run_id_of(std::string_view run_url) {
  constexpr std::string_view kRuns = "/actions/runs/";
  auto at = run_url.find(kRuns);
  if (at == std::string_view::npos) return 0;
  auto digits = run_url.substr(at + kRuns.size());
  digits = digits.substr(0, digits.find('/'));
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || end != digits.data() + digits.size() || id <= 0) return 0;
  return id;
}

ApprovalDecision evaluate_replan_approvals(const std::vector<ReplanVote>& votes, int required) {
  ApprovalDecision d;
  std::set<std::string> seen;
  for (const auto& v : votes) {
    if (v.content != "+1" || v.login.empty() || !seen.insert(v.login).second) continue;
    std::string why;
    if (v.bot) why = "bots do not count";
    else if (!v.excluded.empty()) why = v.excluded;
    else if (v.permission != "admin" && v.permission != "write")
      why = "has " + (v.permission.empty() ? std::string("no") : v.permission) + " access to the repository, not write";
    if (why.empty()) d.approvers.push_back(v.login);
    else d.ignored.push_back(v.login + ": " + why);
  }
  std::sort(d.approvers.begin(), d.approvers.end());
  const int have = static_cast<int>(d.approvers.size());
  d.satisfied = have >= required;
  d.reason = "the re-plan has " + std::to_string(have) + " qualifying approval" + (have == 1 ? "" : "s") + " (👍), " +
             std::to_string(required) + " required";
  if (!d.satisfied && !d.ignored.empty()) d.reason += " (not counted: " + util::join(d.ignored, "; ") + ")";
  return d;
}

}  // namespace converge::github
