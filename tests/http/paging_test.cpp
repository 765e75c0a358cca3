// SPDX-License-Identifier: MIT
// The shared paging rules: the next link of a Link header, and the guard that ends
// paging that does not end (a page limit, a page asked for twice).
#include "converge/http/paging.hpp"

#include <gtest/gtest.h>

namespace converge::http {
namespace {

TEST(Paging, FindsTheNextLinkAmongOthers) {
  EXPECT_EQ(next_link(R"(<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=9>; rel="last")"),
            "https://api.github.com/x?page=2");
  EXPECT_EQ(next_link(R"(<https://a/x?page=1>; rel="prev", <https://a/x?page=3>; rel="next")"), "https://a/x?page=3");
  EXPECT_EQ(next_link("<https://a/x?page=3>; rel=next"), "https://a/x?page=3");
  EXPECT_EQ(next_link(R"(<https://a/x?page=9>; rel="last")"), "");
  EXPECT_EQ(next_link(""), "");
  EXPECT_EQ(next_link("<unterminated; rel=\"next\""), "");
  EXPECT_EQ(next_link(">< ; rel=\"next\""), "") << "a > before the < is no link";
}

TEST(Paging, TheGuardStopsAtTheLimitNamingTheRequest) {
  PageGuard guard("GET /items", 3);
  EXPECT_TRUE(guard.visit("/items?page=1"));
  EXPECT_TRUE(guard.visit("/items?page=2"));
  EXPECT_TRUE(guard.visit("/items?page=3"));
  auto fourth = guard.visit("/items?page=4");
  ASSERT_FALSE(fourth);
  EXPECT_EQ(fourth.error().code, ExitCode::failure);
  EXPECT_EQ(fourth.error().message, "GET /items: the list has more than 3 pages; stopped (the server's paging does not end)");
  EXPECT_EQ(guard.pages(), 3);
}

TEST(Paging, TheGuardStopsAtAPageAskedForBefore) {
  PageGuard guard("GET /items");
  EXPECT_TRUE(guard.visit("/items?page=1"));
  EXPECT_TRUE(guard.visit("/items?page=2"));
  auto again = guard.visit("/items?page=1");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message,
            "GET /items: the server's next page after page 2 is one it sent before; stopped (its paging loops)");
}

TEST(Paging, TheDefaultLimitIsAThousandPages) {
  PageGuard guard("GET /items");
  for (int i = 0; i < kMaxPages; ++i) ASSERT_TRUE(guard.visit(std::to_string(i)));
  EXPECT_FALSE(guard.visit("one more"));
  EXPECT_EQ(kMaxPages, 1000);
}

}  // namespace
}  // namespace converge::http
