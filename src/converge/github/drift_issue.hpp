// The drift issue: ONE open issue per environment while its runtime differs from
// Git, kept up to date by the scheduled drift check and closed when drift is gone.
//
// Found by the label `converge-drift` and a hidden marker on the body's first line:
//   <!-- converge:drift v=1 env=<environment> -->
#pragma once

#include <string>
#include <string_view>

#include "converge/github/api.hpp"

namespace converge::github {

inline constexpr std::string_view kDriftLabel = "converge-drift";

std::string drift_marker(std::string_view environment);

// Opens or updates the environment's drift issue so its body is `body` (the marker
// is added in front). Never opens a second one.
Expected<Issue> report_drift(Api& api, std::string_view environment, const std::string& body);

// Closes the environment's open drift issue, if any, with `resolution` as its body's
// last line; nullopt when there was none.
Expected<std::optional<Issue>> resolve_drift(Api& api, std::string_view environment, const std::string& resolution);

}  // namespace converge::github
