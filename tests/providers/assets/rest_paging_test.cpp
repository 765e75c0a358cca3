// The assets REST runtime's list paging ends even when the server's does not: a
// json-server envelope whose `next` never runs out stops at the page limit
// (http::kMaxPages; 30 here, to stay fast) with an error naming the request. (The local GitHub server plays the broken
// runtime: its answer, altered into an endless envelope.)
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <gtest/gtest.h>

#include "converge/providers/assets/rest.hpp"
#include "github/server/github_server.hpp"

namespace converge::providers::assets {
namespace {

using testing::FaultKind;
using testing::GitHubServer;

TEST(AssetsRestPaging, AnEnvelopeWhoseNextNeverEndsStopsAtThePageLimit) {
  GitHubServer server;
  server.seed({{"pulls", {{{"number", 5}, {"head", {{"ref", "f"}}}, {"base", {{"ref", "main"}}}}}}});
  server.inject({.method = "GET", .path = "/pulls/5$", .kind = FaultKind::alter, .count = -1,
                 .set = {{"data", {{{"uuid", "a"}}}}, {"next", 2}}});
  Options options;
  options.url = server.url() + "/repos/octo-org/octo-repo";
  options.auth_header = "Bearer " + server.token();
  options.kinds = {KindSpec{.name = "charts", .path = "/pulls/5"}};
  ItemApi api(options, 30);
  auto items = api.list(options.kinds[0]);
  ASSERT_FALSE(items.has_value());
  EXPECT_EQ(items.error().message,
            "GET /pulls/5: the list has more than 30 pages; stopped (the server's paging does not end)");
  EXPECT_EQ(server.requests().size(), 30u);
}

}  // namespace
}  // namespace converge::providers::assets
