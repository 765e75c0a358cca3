// Following long-running operations (http/long_running.hpp) through a scripted
// transport: the Location on another host is polled with the caller's headers, the
// waits are the server's Retry-After, a Failed operation is an error with its code
// and message, and an operation that never ends stops at the timeout.
#include <gtest/gtest.h>

#include <deque>

#include "converge/http/long_running.hpp"

namespace converge::http {
namespace {

using std::chrono::milliseconds;

class PollTransport : public Transport {
 public:
  std::deque<Response> script;
  std::vector<Request> seen;
  Expected<Response> send(const Request& request) override {
    seen.push_back(request);
    if (script.empty()) return Response{.status = 500};
    Response next = script.front();
    script.pop_front();
    return next;
  }
};

Response poll(const std::string& status, const std::string& retry_after = "2", std::string error = "null") {
  return Response{.status = 200,
                  .headers = {{"retry-after", retry_after}, {"x-ms-operation-id", "op-1"}},
                  .body = R"({"status": ")" + status + R"(", "percentComplete": null, "error": )" + error + "}"};
}

Response accepted() {
  return Response{.status = 202,
                  .headers = {{"location", "https://ops.example/v1/operations/op-1"},
                              {"retry-after", "20"},
                              {"x-ms-operation-id", "op-1"}}};
}

RequestFor with_token = [](const std::string& url) {
  Request r;
  r.url = url;
  r.headers["Authorization"] = "Bearer t";
  r.label = "GET " + url;
  return r;
};

TEST(LongRunning, PollsTheLocationOnItsHostWaitingRetryAfterUntilSucceeded) {
  PollTransport transport;
  transport.script = {poll("NotStarted", "3"), poll("Running", "1"), poll("Succeeded")};
  std::vector<milliseconds> waits;
  Client client(transport, {}, [](milliseconds) {});
  auto op = follow_operation(client, accepted(), "POST /items", with_token,
                             [&](milliseconds wait) { waits.push_back(wait); });
  ASSERT_TRUE(op) << op.error().message;
  EXPECT_EQ(op->url, "https://ops.example/v1/operations/op-1");
  EXPECT_EQ(op->result_url(), "https://ops.example/v1/operations/op-1/result");
  EXPECT_EQ(op->id, "op-1");
  ASSERT_EQ(transport.seen.size(), 3u);
  for (const auto& r : transport.seen) {
    EXPECT_EQ(r.url, "https://ops.example/v1/operations/op-1");
    EXPECT_EQ(r.headers.at("Authorization"), "Bearer t");
  }
  // The first wait is the 202's Retry-After (20 s), then each poll's.
  EXPECT_EQ(waits, (std::vector<milliseconds>{milliseconds(20000), milliseconds(3000), milliseconds(1000)}));
}

TEST(LongRunning, AFailedOperationIsAnErrorWithItsCodeAndMessage) {
  PollTransport transport;
  transport.script = {poll("Running"),
                      poll("Failed", "0", R"({"errorCode": "InvalidDefinition", "message": "The part is bad"})")};
  Client client(transport, {}, [](milliseconds) {});
  auto op = follow_operation(client, accepted(), "POST /items", with_token, [](milliseconds) {});
  ASSERT_FALSE(op);
  EXPECT_NE(op.error().message.find("ended Failed: InvalidDefinition: The part is bad"), std::string::npos)
      << op.error().message;
  EXPECT_NE(op.error().message.find("POST /items (operation op-1)"), std::string::npos) << op.error().message;
}

TEST(LongRunning, AnAnswerThatIsFinalAtOnceIsNotPolled) {
  PollTransport transport;
  Client client(transport, {}, [](milliseconds) {});
  auto op = follow_operation(client, Response{.status = 201, .body = R"({"id": "x"})"}, "POST /items", with_token);
  ASSERT_TRUE(op);
  EXPECT_TRUE(op->url.empty());
  EXPECT_EQ(op->final.body, R"({"id": "x"})");
  EXPECT_TRUE(transport.seen.empty());
}

TEST(LongRunning, AnOperationThatNeverEndsStopsAtTheTimeoutAndSaysItMayStillFinish) {
  PollTransport transport;
  for (int i = 0; i < 100; ++i) transport.script.push_back(poll("Running", "60"));
  Client client(transport, {}, [](milliseconds) {});
  OperationPolicy policy;
  policy.timeout = std::chrono::minutes(5);
  auto op = follow_operation(client, accepted(), "POST /items", with_token, [](milliseconds) {}, policy);
  ASSERT_FALSE(op);
  EXPECT_NE(op.error().message.find("may still finish"), std::string::npos) << op.error().message;
  EXPECT_LE(transport.seen.size(), 6u);
}

TEST(LongRunning, AcceptedWithoutLocationOrAPollWithoutStatusIsAnError) {
  PollTransport transport;
  Client client(transport, {}, [](milliseconds) {});
  auto none = follow_operation(client, Response{.status = 202}, "POST /items", with_token, [](milliseconds) {});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("without a Location"), std::string::npos);
  transport.script = {Response{.status = 200, .body = "<html>"}};
  auto garbled = follow_operation(client, accepted(), "POST /items", with_token, [](milliseconds) {});
  ASSERT_FALSE(garbled);
  EXPECT_NE(garbled.error().message.find("no operation status"), std::string::npos);
}

TEST(LongRunning, APollThatFailsWithAServerErrorIsAskedAgain) {
  PollTransport transport;
  transport.script = {Response{.status = 503, .headers = {{"retry-after", "0"}}}, poll("Succeeded")};
  Client client(transport, {}, [](milliseconds) {});
  auto op = follow_operation(client, accepted(), "POST /items", with_token, [](milliseconds) {});
  ASSERT_TRUE(op) << op.error().message;
  EXPECT_EQ(transport.seen.size(), 2u);
}

}  // namespace
}  // namespace converge::http
