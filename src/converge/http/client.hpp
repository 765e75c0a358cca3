// HTTP for converge (libcurl underneath): one request/response model, a transport
// that makes one attempt, and a client that retries what is safe to retry with
// exponential backoff and full jitter, honouring Retry-After and rate-limit resets.
// Knows nothing of GitHub or of deployments.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "converge/util/error.hpp"

namespace converge::http {

struct Request {
  std::string method = "GET";  // GET, POST, PATCH, PUT, DELETE
  std::string url;
  std::map<std::string, std::string> headers;  // sent as given
  std::string body;
  // What names this request in errors and logs: "GET /repos/o/r/pulls/5" (never a
  // token or a query string with secrets). Filled from method and URL path when empty.
  std::string label;
};

struct Response {
  long status = 0;
  std::map<std::string, std::string> headers;  // keys lower-cased; last value wins
  std::string body;
  int attempts = 1;  // attempts the Client made to get this response (for error messages)
  // Set by a transport that got an answer it will not read (a body over the limit):
  // why, in a few words. Final: the Client returns it as an Error without retrying,
  // since asking again would download the same oversized answer.
  std::string unreadable;
  std::string header(std::string_view name) const;  // "" when absent (name any case)
};

// One attempt. Error (runtime) for a network failure: DNS, connect, TLS, timeout,
// a connection dropped before a full response. Any HTTP status is a Response.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Expected<Response> send(const Request& request) = 0;
};

// The largest response body a transport reads by default (after decoding).
inline constexpr std::size_t kMaxBody = 32u << 20;

// libcurl transport. `timeout` bounds a whole attempt; `max_body` bounds the
// response body (decoded): a larger one (by Content-Length, or as it arrives) ends
// the attempt with a Response whose `unreadable` says "the response body is larger
// than the limit of 32 MiB…" (the Client returns it, with the request's label in
// front, as an Error and does not ask again), so memory stays bounded.
std::unique_ptr<Transport> make_curl_transport(std::chrono::milliseconds timeout = std::chrono::seconds(30),
                                               std::size_t max_body = kMaxBody);

struct RetryPolicy {
  int max_attempts = 6;
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{std::chrono::seconds(60)};
};

// Percent-encodes everything but RFC 3986's unreserved characters (for a path
// segment or a query value).
std::string percent_encode(std::string_view text);

// Waits; replaced in tests so retries take no time.
using Sleeper = std::function<void(std::chrono::milliseconds)>;

// Retrying client over a Transport.
//
// Retried: network errors, 5xx, 429, and 403 with a rate-limit signal (Retry-After,
// or x-ratelimit-remaining: 0 with x-ratelimit-reset). The wait is Retry-After when
// given, else until x-ratelimit-reset, else exponential backoff with full jitter.
// Requests that are not idempotent (POST) are retried only when the server said it
// did not process them (429 / rate-limit 403); after a network error or a 5xx the
// client returns the failure, because the write may have happened: the caller
// must look before it tries again (see github::Api).
//
// Not retried: an answer the transport would not read (`Response::unreadable`).
//
// Returns the final Response (any status) or the final network Error; an Error names
// the request's label and the attempts made.
class Client {
 public:
  Client(Transport& transport, RetryPolicy policy = {}, Sleeper sleeper = {});
  Expected<Response> send(Request request);

 private:
  Transport& transport_;
  RetryPolicy policy_;
  Sleeper sleeper_;
};

}  // namespace converge::http
