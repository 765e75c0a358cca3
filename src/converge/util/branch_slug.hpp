// A branch name as a short, safe word for the names of what a feature environment
// makes per branch (its manifest rows' environment, a provider's runtime name).
#pragma once

#include <string>
#include <string_view>

namespace converge::util {

// Letters, digits, '.', '_' and '-' are kept; every run of anything else ('/', spaces,
// control characters, non-ASCII bytes) becomes one '-'; '-' and '.' are trimmed at
// both ends ("feature/JIRA-12345" → "feature-JIRA-12345"). At most kBranchSlugMax
// characters: a longer slug is cut and ends with '-' and 8 hex digits of the branch's
// SHA-256, so two long branches that share a beginning never get one name. A branch
// with nothing to keep gets "branch-" and those 8 digits. Deterministic.
inline constexpr std::size_t kBranchSlugMax = 48;
std::string branch_slug(std::string_view branch);

}  // namespace converge::util
