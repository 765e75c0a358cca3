// The one drift issue per environment, or per environment and target (see drift_issue.hpp).
#include "converge/github/drift_issue.hpp"

#include <algorithm>

#include "converge/github/sticky.hpp"

namespace converge::github {
namespace {

Expected<std::vector<Issue>> drift_issues(Api& api, const DriftSubject& subject) {
  auto open = api.open_issues_with_label(std::string(kDriftLabel));
  if (!open) return fail(open.error());
  const auto marker = drift_marker(subject);
  std::vector<Issue> out;
  for (auto& issue : *open)
    if (issue.body.rfind(marker, 0) == 0) out.push_back(std::move(issue));
  std::sort(out.begin(), out.end(), [](const Issue& a, const Issue& b) { return a.number < b.number; });
  return out;
}

}  // namespace

std::string drift_marker(const DriftSubject& subject) {
  return "<!-- converge:drift v=1 env=" + subject.environment +
         (subject.target.empty() ? "" : " target=" + subject.target) + " -->";
}

Expected<Issue> report_drift(Api& api, const DriftSubject& subject, const std::string& body) {
  const std::string full = drift_marker(subject) + "\n" + body;
  const std::string title =
      "converge: drift in " + subject.environment + (subject.target.empty() ? "" : " (" + subject.target + ")");
  StickyOps<Issue> ops{
      [&] { return drift_issues(api, subject); },
      [&](const Issue& i) { return i.body == full; },
      [&](const Issue& i) { return api.update_issue(i.number, {{"body", full}}); },
      [&] { return api.create_issue(title, full, {std::string(kDriftLabel)}); },
      [&](const Issue& i) -> Expected<void> {
        auto closed = api.update_issue(i.number, {{"state", "closed"}, {"state_reason", "not_planned"}});
        if (!closed) return fail(closed.error());
        return {};
      },
  };
  return keep_one(ops, "drift issue of " + subject.environment +
                            (subject.target.empty() ? "" : " target " + subject.target));
}

Expected<std::optional<Issue>> resolve_drift(Api& api, const DriftSubject& subject, const std::string& resolution) {
  auto open = drift_issues(api, subject);
  if (!open) return fail(open.error());
  std::optional<Issue> closed;
  for (const auto& issue : *open) {
    auto done = api.update_issue(issue.number, {{"state", "closed"}, {"body", issue.body + "\n\n" + resolution}});
    if (!done) return fail(done.error());
    closed = *done;
  }
  return closed;
}

}  // namespace converge::github
