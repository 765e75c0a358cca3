// SPDX-License-Identifier: MIT
// Link headers and the page guard (see paging.hpp).
#include "converge/http/paging.hpp"

namespace converge::http {

// Parsed by hand (std::regex trips g++ 12's -Wmaybe-uninitialized under the
// sanitizers): each link starts at a '<'; its parameters run to the next '<'.
std::string next_link(std::string_view link) {
  while (!link.empty()) {
    auto open = link.find('<');
    if (open == std::string_view::npos) break;
    auto close = link.find('>', open);
    if (close == std::string_view::npos) break;
    std::string_view url = link.substr(open + 1, close - open - 1);
    auto end = link.find('<', close);  // the next link starts at the next '<'
    std::string_view params = link.substr(close + 1, end == std::string_view::npos ? link.npos : end - close - 1);
    if (params.find("rel=\"next\"") != std::string_view::npos || params.find("rel=next") != std::string_view::npos) {
      return std::string(url);
    }
    if (end == std::string_view::npos) break;
    link.remove_prefix(end);
  }
  return {};
}

PageGuard::PageGuard(std::string label, int max_pages) : label_(std::move(label)), max_pages_(max_pages) {}

Expected<void> PageGuard::visit(const std::string& page) {
  if (pages_ >= max_pages_)
    return fail(Error::runtime(label_ + ": the list has more than " + std::to_string(max_pages_) +
                               " pages; stopped (the server's paging does not end)"));
  if (!seen_.insert(page).second)
    return fail(Error::runtime(label_ + ": the server's next page after page " + std::to_string(pages_) +
                               " is one it sent before; stopped (its paging loops)"));
  ++pages_;
  return {};
}

}  // namespace converge::http
