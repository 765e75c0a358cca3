// branch_slug (branch_slug.hpp).
#include "converge/util/branch_slug.hpp"

#include "converge/util/sha256.hpp"

namespace converge::util {

std::string branch_slug(std::string_view branch) {
  std::string slug;
  for (char c : branch) {
    const bool kept = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
    if (kept)
      slug += c;
    else if (!slug.empty() && slug.back() != '-')
      slug += '-';
  }
  auto trimmed = [](char c) { return c == '-' || c == '.'; };
  while (!slug.empty() && trimmed(slug.back())) slug.pop_back();
  std::size_t start = 0;
  while (start < slug.size() && trimmed(slug[start])) ++start;
  slug.erase(0, start);
  const std::string digest = sha256_hex(branch).substr(0, 8);
  if (slug.empty()) return "branch-" + digest;
  if (slug.size() <= kBranchSlugMax) return slug;
  slug.resize(kBranchSlugMax - 9);
  while (!slug.empty() && trimmed(slug.back())) slug.pop_back();
  return slug + "-" + digest;
}

}  // namespace converge::util
