// The one drift issue per environment (see drift_issue.hpp).
#include "converge/github/drift_issue.hpp"

#include <algorithm>

#include "converge/github/sticky.hpp"

namespace converge::github {
namespace {

Expected<std::vector<Issue>> drift_issues(Api& api, std::string_view environment) {
  auto open = api.open_issues_with_label(std::string(kDriftLabel));
  if (!open) return fail(open.error());
  const auto marker = drift_marker(environment);
  std::vector<Issue> out;
  for (auto& issue : *open)
    if (issue.body.rfind(marker, 0) == 0) out.push_back(std::move(issue));
  std::sort(out.begin(), out.end(), [](const Issue& a, const Issue& b) { return a.number < b.number; });
  return out;
}

}  // namespace

std::string drift_marker(std::string_view environment) {
  return "<!-- converge:drift v=1 env=" + std::string(environment) + " -->";
}

Expected<Issue> report_drift(Api& api, std::string_view environment, const std::string& body) {
  const std::string full = drift_marker(environment) + "\n" + body;
  const std::string title = "converge: drift in " + std::string(environment);
  StickyOps<Issue> ops{
      [&] { return drift_issues(api, environment); },
      [&](const Issue& i) { return i.body == full; },
      [&](const Issue& i) { return api.update_issue(i.number, {{"body", full}}); },
      [&] { return api.create_issue(title, full, {std::string(kDriftLabel)}); },
      [&](const Issue& i) -> Expected<void> {
        auto closed = api.update_issue(i.number, {{"state", "closed"}, {"state_reason", "not_planned"}});
        if (!closed) return fail(closed.error());
        return {};
      },
  };
  return keep_one(ops, "drift issue of " + std::string(environment));
}

Expected<std::optional<Issue>> resolve_drift(Api& api, std::string_view environment, const std::string& resolution) {
  auto open = drift_issues(api, environment);
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
