// Following the pages of a list, for every client that reads one (the GitHub API's
// Link headers, a REST runtime's page numbers): the `rel="next"` link of a Link
// header, and a guard that ends paging that would not end by itself — more pages
// than a limit, or a page asked for twice (a server whose next link loops).
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "converge/util/error.hpp"

namespace converge::http {

// Pages of one list a client follows at most (100 items a page: 100,000 items).
inline constexpr int kMaxPages = 1000;

// The URL of the `rel="next"` link in a Link header (RFC 8288:
// `<url>; rel="next", <url>; rel="last"`), or "" when there is none.
std::string next_link(std::string_view link_header);

class PageGuard {
 public:
  // `label` names the list's request in errors ("GET /repos/o/r/pulls/5/reviews").
  explicit PageGuard(std::string label, int max_pages = kMaxPages);

  // Call before asking for each page; `page` identifies it (its URL, or its
  // number). Error (runtime) naming the label when this page would be one more than
  // the limit, or was asked for before.
  Expected<void> visit(const std::string& page);

  int pages() const { return pages_; }

 private:
  std::string label_;
  int max_pages_;
  int pages_ = 0;
  std::set<std::string> seen_;
};

}  // namespace converge::http
