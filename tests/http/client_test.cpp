// SPDX-License-Identifier: MIT
// http::Client over the libcurl transport against the local GitHub server on
// loopback, with faults injected by the server. The Sleeper records the waits so
// retries take no time.
// Designated initializers name only the fields a test cares about; g++ 12 warns about
// the rest even though they have default member initializers.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <gtest/gtest.h>

#include "converge/http/client.hpp"
#include "github/server/github_server.hpp"

namespace converge::http {
namespace {

using std::chrono::milliseconds;
using testing::Fault;
using testing::FaultKind;
using testing::GitHubServer;

class HttpClient : public ::testing::Test {
 protected:
  void SetUp() override { server_.seed({{"pulls", {{{"number", 1}, {"user", "alice"}}}}}); }

  Request get(const std::string& path) {
    return Request{.url = server_.url() + path, .headers = {{"Authorization", "Bearer " + server_.token()}}};
  }
  Request post_comment(const std::string& body) {
    return Request{.method = "POST",
                   .url = server_.url() + "/repos/octo-org/octo-repo/issues/1/comments",
                   .headers = {{"Authorization", "Bearer " + server_.token()}, {"Content-Type", "application/json"}},
                   .body = nlohmann::json{{"body", body}}.dump()};
  }
  Client client(RetryPolicy policy = {}) {
    return Client(*transport_, policy, [this](milliseconds d) { waits_.push_back(d); });
  }

  GitHubServer server_;
  std::unique_ptr<Transport> transport_ = make_curl_transport(milliseconds(5000));
  std::vector<milliseconds> waits_;
};

TEST_F(HttpClient, RetriesA502ThenSucceeds) {
  server_.inject({.method = "GET", .path = "/pulls/1$", .kind = FaultKind::server_error, .status = 502});
  auto c = client();
  auto response = c.send(get("/repos/octo-org/octo-repo/pulls/1"));
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->attempts, 2);
  EXPECT_EQ(nlohmann::json::parse(response->body)["number"], 1);
  EXPECT_EQ(server_.requests().size(), 2u);
  EXPECT_EQ(waits_.size(), 1u);
}

TEST_F(HttpClient, HonoursRetryAfterOnA429) {
  server_.inject({.path = "/pulls/1$", .kind = FaultKind::rate_limit_429, .retry_after_s = 3});
  auto c = client();
  auto response = c.send(get("/repos/octo-org/octo-repo/pulls/1"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(waits_, std::vector<milliseconds>{milliseconds(3000)});
}

TEST_F(HttpClient, RetriesASecondaryRateLimit403WithRetryAfter) {
  server_.inject({.path = "/pulls/1$", .kind = FaultKind::secondary_rate_limit, .retry_after_s = 2});
  auto c = client();
  auto response = c.send(get("/repos/octo-org/octo-repo/pulls/1"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(waits_, std::vector<milliseconds>{milliseconds(2000)});
}

TEST_F(HttpClient, RetriesASecondaryRateLimit403KnownOnlyByItsMessage) {
  server_.inject({.path = "/pulls/1$", .kind = FaultKind::secondary_rate_limit, .retry_after_s = -1});
  auto c = client({.base_delay = milliseconds(100)});
  auto response = c.send(get("/repos/octo-org/octo-repo/pulls/1"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  ASSERT_EQ(waits_.size(), 1u);
  EXPECT_LE(waits_[0], milliseconds(100));  // backoff, nothing from the server
}

TEST_F(HttpClient, WaitsUntilThePrimaryRateLimitResets) {
  server_.inject({.path = "/pulls/1$", .kind = FaultKind::primary_rate_limit, .reset_in_s = 5});
  auto c = client();
  auto response = c.send(get("/repos/octo-org/octo-repo/pulls/1"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  ASSERT_EQ(waits_.size(), 1u);
  EXPECT_GE(waits_[0], milliseconds(4000));
  EXPECT_LE(waits_[0], milliseconds(6100));
}

TEST_F(HttpClient, RetriesAPostAfterA429BecauseTheServerDidNotProcessIt) {
  server_.inject({.method = "POST", .path = "/comments$", .kind = FaultKind::rate_limit_429});
  auto c = client();
  auto response = c.send(post_comment("once"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(server_.comments(1).size(), 1u);
}

TEST_F(HttpClient, DoesNotRetryAPostAfterA502) {
  server_.inject({.method = "POST", .path = "/comments$", .kind = FaultKind::server_error, .count = -1});
  auto c = client();
  auto response = c.send(post_comment("hello"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 502);
  EXPECT_EQ(response->attempts, 1);
  EXPECT_EQ(server_.requests().size(), 1u);
  EXPECT_TRUE(waits_.empty());
}

TEST_F(HttpClient, DoesNotRetryAPostAfterADroppedResponse) {
  server_.inject({.method = "POST", .path = "/comments$", .kind = FaultKind::drop_after_write});
  auto c = client();
  auto response = c.send(post_comment("written once"));
  ASSERT_FALSE(response.has_value());
  EXPECT_NE(response.error().message.find("POST /repos/octo-org/octo-repo/issues/1/comments: "), std::string::npos)
      << response.error().message;
  EXPECT_NE(response.error().message.find("(after 1 attempt)"), std::string::npos) << response.error().message;
  // The write happened exactly once: the caller must look before creating again.
  auto comments = server_.comments(1);
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0]["body"], "written once");
}

// libcurl silently resends a request whose reused connection died before any
// answer; for a POST whose write happened that is a duplicate comment.
TEST_F(HttpClient, APostOnAReusedConnectionIsNotResentWhenItsAnswerIsDropped) {
  auto c = client();
  ASSERT_TRUE(c.send(get("/repos/octo-org/octo-repo/pulls/1")).has_value());  // leaves a connection to reuse
  server_.inject({.method = "POST", .path = "/comments$", .kind = FaultKind::drop_after_write});
  auto response = c.send(post_comment("once"));
  EXPECT_FALSE(response.has_value());
  EXPECT_EQ(server_.comments(1).size(), 1u) << "the write happened exactly once";
}

TEST_F(HttpClient, RetriesAGetAfterADroppedResponse) {
  server_.inject({.method = "GET", .path = "/pulls/1$", .kind = FaultKind::drop_after_write});
  auto c = client();
  auto response = c.send(get("/repos/octo-org/octo-repo/pulls/1"));
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->attempts, 2);
}

TEST_F(HttpClient, GivesUpAfterMaxAttemptsAndReturnsTheLastResponse) {
  server_.inject({.path = "/pulls/1$", .kind = FaultKind::server_error, .count = -1, .status = 503});
  auto c = client({.max_attempts = 4, .base_delay = milliseconds(1)});
  auto response = c.send(get("/repos/octo-org/octo-repo/pulls/1"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->attempts, 4);
  EXPECT_EQ(server_.requests().size(), 4u);
  EXPECT_EQ(waits_.size(), 3u);
}

TEST_F(HttpClient, GivesUpAfterMaxAttemptsWithAnErrorNamingTheRequest) {
  // A port nobody listens on: every attempt is a connection failure.
  auto c = client({.max_attempts = 3, .base_delay = milliseconds(1)});
  auto response = c.send(Request{.url = "http://127.0.0.1:1/repos/o/r/pulls/5?access_token=hunter2"});
  ASSERT_FALSE(response.has_value());
  const auto& message = response.error().message;
  EXPECT_TRUE(message.starts_with("GET /repos/o/r/pulls/5: ")) << message;
  EXPECT_TRUE(message.ends_with("(after 3 attempts)")) << message;
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  EXPECT_EQ(waits_.size(), 2u);
}

TEST_F(HttpClient, ATimeoutIsANetworkError) {
  server_.inject({.path = "/pulls/1$", .kind = FaultKind::slow, .delay_ms = 1500});
  auto fast = make_curl_transport(milliseconds(300));
  Client c(*fast, {.max_attempts = 1}, [](milliseconds) {});
  auto response = c.send(get("/repos/octo-org/octo-repo/pulls/1"));
  ASSERT_FALSE(response.has_value());
  EXPECT_NE(response.error().message.find("Timeout"), std::string::npos) << response.error().message;
  EXPECT_TRUE(response.error().message.starts_with("GET /repos/octo-org/octo-repo/pulls/1: "));
}

TEST_F(HttpClient, ATimedOutGetIsRetried) {
  server_.inject({.path = "/pulls/1$", .kind = FaultKind::slow, .delay_ms = 1500});
  auto fast = make_curl_transport(milliseconds(300));
  Client c(*fast, {.base_delay = milliseconds(1)}, [](milliseconds) {});
  auto response = c.send(get("/repos/octo-org/octo-repo/pulls/1"));
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpClient, TransportLowerCasesResponseHeadersAndSendsBodiesWithPatch) {
  auto created = client().send(post_comment("before"));
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(created->headers.count("content-type"), 1u);
  EXPECT_EQ(created->header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_NE(created->header("LOCATION").find("/issues/comments/"), std::string::npos);
  auto id = nlohmann::json::parse(created->body)["id"].get<std::int64_t>();

  Request patch{.method = "PATCH",
                .url = server_.url() + "/repos/octo-org/octo-repo/issues/comments/" + std::to_string(id),
                .headers = {{"Authorization", "Bearer " + server_.token()}, {"Content-Type", "application/json"}},
                .body = R"({"body":"after"})"};
  auto updated = client().send(patch);
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ(updated->status, 200);
  EXPECT_EQ(server_.comments(1)[0]["body"], "after");
  EXPECT_EQ(server_.requests().back()["body"], R"({"body":"after"})");
}

TEST_F(HttpClient, RedirectsAreNotFollowed) {
  // The server answers 401 without a token; a 3xx would be returned the same way, as a Response.
  auto response = client().send(Request{.url = server_.url() + "/repos/octo-org/octo-repo/pulls/1"});
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(nlohmann::json::parse(response->body)["message"], "Bad credentials");
}


TEST_F(HttpClient, TheTransportReadsAtMostThirtyTwoMebibytesOfABodyByDefault) {
  // 300 MB once went into memory whole; now the transfer stops at the limit.
  EXPECT_EQ(kMaxBody, 32u << 20);
  for (bool chunked : {false, true}) {
    server_.inject({.path = "/pulls/1$", .kind = FaultKind::huge_body, .bytes = (32 << 20) + 1, .chunked = chunked});
    auto c = client({.max_attempts = 1});
    auto response = c.send(get("/repos/octo-org/octo-repo/pulls/1"));
    ASSERT_FALSE(response.has_value());
    EXPECT_EQ(response.error().message, "GET /repos/octo-org/octo-repo/pulls/1: the response body is larger than the "
                                        "limit of 32 MiB; stopped reading it (after 1 attempt)");
  }
  server_.inject({.path = "/pulls/1$", .kind = FaultKind::huge_body, .bytes = 32 << 20, .chunked = true});
  auto c = client({.max_attempts = 1});
  auto exactly = c.send(get("/repos/octo-org/octo-repo/pulls/1"));
  ASSERT_TRUE(exactly.has_value()) << exactly.error().message;
  EXPECT_EQ(exactly->body.size(), 32u << 20) << "a body of exactly the limit is read";
}

TEST_F(HttpClient, AnOversizedBodyIsNotDownloadedAgain) {
  // Retrying would fetch the same oversized answer up to max_attempts times.
  server_.inject({.path = "/pulls/1$", .kind = FaultKind::huge_body, .count = -1, .bytes = (1 << 20) + 1});
  server_.clear_requests();
  auto fast = make_curl_transport(std::chrono::seconds(30), 1 << 20);
  Client c(*fast, {.max_attempts = 4, .base_delay = milliseconds(1)}, [](milliseconds) {});
  auto response = c.send(get("/repos/octo-org/octo-repo/pulls/1"));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().message, "GET /repos/octo-org/octo-repo/pulls/1: the response body is larger than the "
                                      "limit of 1 MiB; stopped reading it (after 1 attempt)");
  EXPECT_EQ(server_.requests().size(), 1u) << "asked once, not max_attempts times";
}

}  // namespace
}  // namespace converge::http
