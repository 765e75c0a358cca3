// SPDX-License-Identifier: MIT
// The retrying HTTP client. Each attempt goes through the Transport; the response
// is classified as final, retryable for every method (429, or a 403 carrying a
// rate-limit signal: the server did not process the request), or retryable only
// for idempotent methods (network errors and 5xx: a write may have happened).
// The wait before attempt n+1 is, in order of preference: Retry-After (seconds),
// the time until x-ratelimit-reset when x-ratelimit-remaining is 0, else a
// "full jitter" backoff drawn uniformly from [0, min(max_delay, base_delay * 2^n)]
// (n = 0 for the first retry). Every wait is capped at max_delay.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <random>
#include <thread>

#include "converge/http/client.hpp"
#include "converge/util/ascii.hpp"

namespace converge::http {
namespace {

using std::chrono::milliseconds;

using util::ascii_lower;

// "https://host/a/b?x=1" -> "/a/b"
std::string path_of(std::string_view url) {
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    url.remove_prefix(scheme + 3);
    auto slash = url.find('/');
    url = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
  }
  url = url.substr(0, url.find_first_of("?#"));
  return url.empty() ? "/" : std::string(url);
}

std::optional<long long> parse_integer(std::string_view text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

bool is_rate_limited(const Response& r) {
  if (r.status == 429) return true;
  if (r.status != 403) return false;
  if (!r.header("retry-after").empty()) return true;
  if (r.header("x-ratelimit-remaining") == "0" && !r.header("x-ratelimit-reset").empty()) return true;
  return ascii_lower(r.body).find("secondary rate limit") != std::string::npos;
}

// What the server asked for, if anything: Retry-After seconds, or until the reset.
std::optional<milliseconds> server_wait(const Response& r) {
  if (auto seconds = parse_integer(r.header("retry-after")); seconds && *seconds >= 0) {
    return milliseconds(*seconds * 1000);
  }
  if (r.header("x-ratelimit-remaining") == "0") {
    if (auto reset = parse_integer(r.header("x-ratelimit-reset"))) {
      auto now = std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch());
      // One second more: the reset is whole seconds and clocks differ a little.
      return std::max(milliseconds(0), milliseconds(*reset * 1000) - now + milliseconds(1000));
    }
  }
  return std::nullopt;
}

milliseconds full_jitter(const RetryPolicy& policy, int retry) {
  milliseconds cap = policy.base_delay;
  for (int i = 0; i < retry && cap < policy.max_delay; ++i) cap *= 2;
  cap = std::clamp(cap, milliseconds(0), policy.max_delay);
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<long long> pick(0, cap.count());
  return milliseconds(pick(random));
}

std::string attempts_text(int n) { return "(after " + std::to_string(n) + (n == 1 ? " attempt)" : " attempts)"); }

}  // namespace

std::string Response::header(std::string_view name) const {
  auto it = headers.find(ascii_lower(name));
  return it == headers.end() ? std::string() : it->second;
}

Client::Client(Transport& transport, RetryPolicy policy, Sleeper sleeper)
    : transport_(transport), policy_(policy), sleeper_(std::move(sleeper)) {
  if (policy_.max_attempts < 1) policy_.max_attempts = 1;
  if (!sleeper_) sleeper_ = [](milliseconds d) { std::this_thread::sleep_for(d); };
}

Expected<Response> Client::send(Request request) {
  if (request.label.empty()) request.label = request.method + " " + path_of(request.url);
  const bool idempotent = request.method != "POST";

  for (int attempt = 1;; ++attempt) {
    const bool last = attempt >= policy_.max_attempts;
    auto result = transport_.send(request);
    std::optional<milliseconds> wait;
    if (!result) {
      if (!idempotent || last) {
        return fail(Error::runtime(request.label + ": " + result.error().message + " " + attempts_text(attempt)));
      }
    } else if (!result->unreadable.empty()) {
      return fail(Error::runtime(request.label + ": " + result->unreadable + " " + attempts_text(attempt)));
    } else {
      result->attempts = attempt;
      const bool rate_limited = is_rate_limited(*result);
      const bool server_error = result->status >= 500 && result->status <= 599;
      if (last || !(rate_limited || (server_error && idempotent))) return result;
      if (rate_limited) wait = server_wait(*result);
    }
    sleeper_(std::min(wait.value_or(full_jitter(policy_, attempt - 1)), policy_.max_delay));
  }
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace converge::http
