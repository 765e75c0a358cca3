// The drift issue: ONE open issue per environment while its runtime differs from
// Git, kept up to date by the scheduled drift check and closed when drift is gone;
// a target whose drift is reported on its own (a Terraform root) has ONE of its own
// per environment.
//
// Found by the label `converge-drift` and a hidden marker on the body's first line:
//   <!-- converge:drift v=1 env=<environment> -->
//   <!-- converge:drift v=1 env=<environment> target=<target> -->
#pragma once

#include <string>
#include <string_view>

#include "converge/github/api.hpp"

namespace converge::github {

inline constexpr std::string_view kDriftLabel = "converge-drift";

// Whose drift an issue tracks: an environment's targets, or one target of it.
struct DriftSubject {
  std::string environment;
  std::string target;  // "" = the environment's targets reported together
};

std::string drift_marker(const DriftSubject& subject);

// Opens or updates the subject's drift issue so its body is `body` (the marker is
// added in front). Never opens a second one.
Expected<Issue> report_drift(Api& api, const DriftSubject& subject, const std::string& body);

// Closes the subject's open drift issue, if any, with `resolution` as its body's last
// line; nullopt when there was none.
Expected<std::optional<Issue>> resolve_drift(Api& api, const DriftSubject& subject, const std::string& resolution);

}  // namespace converge::github
