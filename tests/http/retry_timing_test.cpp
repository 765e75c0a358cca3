// SPDX-License-Identifier: MIT
// Pure retry-timing rules of http::Client, with a scripted Transport and a Sleeper
// that records instead of waiting (everything else is tested against a real server).
// Designated initializers name only the fields a test cares about; g++ 12 warns about
// the rest even though they have default member initializers.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <gtest/gtest.h>

#include <deque>

#include "converge/http/client.hpp"

namespace converge::http {
namespace {

using std::chrono::milliseconds;

class ScriptedTransport : public Transport {
 public:
  std::deque<Expected<Response>> script;
  Expected<Response> fallback = Response{.status = 502};
  int calls = 0;
  Expected<Response> send(const Request&) override {
    ++calls;
    if (script.empty()) return fallback;
    auto next = script.front();
    script.pop_front();
    return next;
  }
};

Response status(long code, std::map<std::string, std::string> headers = {}, std::string body = {}) {
  return Response{.status = code, .headers = std::move(headers), .body = std::move(body)};
}

TEST(RetryTiming, BackoffUsesFullJitterWithinTheExponentialCap) {
  const RetryPolicy policy{.max_attempts = 9, .base_delay = milliseconds(100), .max_delay = milliseconds(1000)};
  std::vector<std::vector<milliseconds>> runs;
  for (int run = 0; run < 200; ++run) {
    ScriptedTransport transport;
    std::vector<milliseconds> waits;
    Client client(transport, policy, [&](milliseconds d) { waits.push_back(d); });
    auto response = client.send(Request{.url = "http://127.0.0.1:1/x"});
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 502);
    EXPECT_EQ(response->attempts, 9);
    ASSERT_EQ(waits.size(), 8u);
    runs.push_back(waits);
  }
  for (size_t n = 0; n < 8; ++n) {
    const milliseconds cap = std::min(milliseconds(1000), milliseconds(100) * (1 << n));
    milliseconds low = cap;
    milliseconds high{0};
    for (const auto& waits : runs) {
      EXPECT_GE(waits[n].count(), 0);
      EXPECT_LE(waits[n], cap) << "retry " << n;
      low = std::min(low, waits[n]);
      high = std::max(high, waits[n]);
    }
    // Full jitter spreads over the whole range, not just near the cap.
    EXPECT_LT(low, cap / 4) << "retry " << n;
    EXPECT_GT(high, cap * 3 / 4) << "retry " << n;
  }
}

TEST(RetryTiming, RetryAfterIsWaitedExactly) {
  ScriptedTransport transport;
  transport.script = {status(429, {{"retry-after", "7"}}), status(200)};
  std::vector<milliseconds> waits;
  Client client(transport, {}, [&](milliseconds d) { waits.push_back(d); });
  auto response = client.send(Request{.url = "http://h/x"});
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->attempts, 2);
  EXPECT_EQ(waits, std::vector<milliseconds>{milliseconds(7000)});
}

TEST(RetryTiming, ServerRequestedWaitsAreCappedAtMaxDelay) {
  ScriptedTransport transport;
  auto reset = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch() + std::chrono::hours(1))
                   .count();
  transport.script = {status(429, {{"retry-after", "3600"}}),
                      status(403, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", std::to_string(reset)}}),
                      status(200)};
  std::vector<milliseconds> waits;
  Client client(transport, {.max_delay = milliseconds(5000)}, [&](milliseconds d) { waits.push_back(d); });
  ASSERT_TRUE(client.send(Request{.url = "http://h/x"}).has_value());
  EXPECT_EQ(waits, (std::vector<milliseconds>{milliseconds(5000), milliseconds(5000)}));
}

TEST(RetryTiming, AForbiddenWithoutARateLimitSignalIsFinal) {
  ScriptedTransport transport;
  transport.script = {status(403, {}, R"({"message":"Resource not accessible by integration"})")};
  Client client(transport, {}, [](milliseconds) { FAIL() << "no wait expected"; });
  auto response = client.send(Request{.url = "http://h/x"});
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 403);
  EXPECT_EQ(transport.calls, 1);
}

TEST(RetryTiming, APostIsRetriedAfterARateLimitButNotAfterANetworkError) {
  ScriptedTransport transport;
  transport.script = {status(403, {}, R"({"message":"You have exceeded a secondary rate limit."})"),
                      fail(Error::runtime("Server returned nothing"))};
  std::vector<milliseconds> waits;
  Client client(transport, {}, [&](milliseconds d) { waits.push_back(d); });
  auto response = client.send(Request{.method = "POST", .url = "http://h/repos/o/r/issues/1/comments?x=1"});
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().message, "POST /repos/o/r/issues/1/comments: Server returned nothing (after 2 attempts)");
  EXPECT_EQ(transport.calls, 2);
  EXPECT_EQ(waits.size(), 1u);
}

}  // namespace
}  // namespace converge::http
