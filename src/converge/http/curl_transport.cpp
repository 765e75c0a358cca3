// SPDX-License-Identifier: MIT
// The libcurl Transport: one easy handle per transport (reset between requests so
// connections are reused), no automatic redirects, bounded time per attempt, a
// bounded body (see make_curl_transport), response header names lower-cased. A network failure of any kind is an Error; any HTTP
// status is a Response.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "converge/http/client.hpp"
#include "converge/util/ascii.hpp"

namespace converge::http {
namespace {

// curl_global_init is not thread-safe; a function-local static is.
void ensure_curl_global_init() {
  static const bool initialised = [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw Failure("libcurl could not be initialised");
    return true;
  }();
  (void)initialised;
}

using util::ascii_lower;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The body as it arrives (decoded), up to a limit: one byte more and the transfer
// stops (libcurl reports a write error), so a huge or endless body never fills memory.
struct BodySink {
  std::string* body;
  std::size_t limit;
  bool exceeded = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& sink = *static_cast<BodySink*>(user);
  if (size * count > sink.limit - sink.body->size()) {
    sink.exceeded = true;
    return 0;
  }
  sink.body->append(data, size * count);
  return size * count;
}

std::string size_text(std::size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& headers = *static_cast<std::map<std::string, std::string>*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    headers.clear();  // a new response (e.g. after "100 Continue"): keep only the last one's headers
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    headers[ascii_lower(trim(line.substr(0, colon)))] = std::string(trim(line.substr(colon + 1)));
  }
  return size * count;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

class CurlTransport final : public Transport {
 public:
  CurlTransport(std::chrono::milliseconds timeout, std::size_t max_body) : timeout_(timeout), max_body_(max_body) {
    ensure_curl_global_init();
    handle_ = curl_easy_init();
    if (!handle_) throw Failure("libcurl: could not create a handle");
  }
  ~CurlTransport() override { curl_easy_cleanup(handle_); }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Expected<Response> send(const Request& request) override {
    std::lock_guard lock(mutex_);
    curl_easy_reset(handle_);

    std::unique_ptr<curl_slist, SlistDeleter> header_list;
    auto add_header = [&](const std::string& line) {
      curl_slist* next = curl_slist_append(header_list.get(), line.c_str());
      if (!next) throw Failure("libcurl: out of memory");
      (void)header_list.release();
      header_list.reset(next);
    };
    for (const auto& [name, value] : request.headers) {
      add_header(value.empty() ? name + ";" : name + ": " + value);  // "Name;" sends an empty value
    }
    add_header("Expect:");  // never wait for "100 Continue"

    Response response;
    BodySink sink{&response.body, max_body_};
    char error_buffer[CURL_ERROR_SIZE] = {};
    const long total_ms = static_cast<long>(timeout_.count());
    const long connect_ms = std::min(total_ms, 10'000L);

    curl_easy_setopt(handle_, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(handle_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle_, CURLOPT_TIMEOUT_MS, total_ms);
    curl_easy_setopt(handle_, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(handle_, CURLOPT_ACCEPT_ENCODING, "");  // any encoding libcurl can decode
    curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, header_list.get());
    curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(handle_, CURLOPT_WRITEDATA, &sink);
    // A Content-Length above the limit fails before any of the body is read.
    curl_easy_setopt(handle_, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_body_));
    curl_easy_setopt(handle_, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(handle_, CURLOPT_HEADERDATA, &response.headers);

    // libcurl resends a request on a fresh connection when a reused one dies before
    // any answer: harmless for reads, a duplicate write for a POST. A POST therefore
    // never rides on a reused connection.
    if (request.method == "POST") curl_easy_setopt(handle_, CURLOPT_FRESH_CONNECT, 1L);
    if (request.method == "GET") {
      curl_easy_setopt(handle_, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      curl_easy_setopt(handle_, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(handle_, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH") {
      curl_easy_setopt(handle_, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(handle_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }

    CURLcode rc = curl_easy_perform(handle_);
    if (rc == CURLE_OK) curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &response.status);
    curl_easy_reset(handle_);  // drop pointers into this frame; the connection cache stays
    if (sink.exceeded || rc == CURLE_FILESIZE_EXCEEDED) {
      response.body.clear();
      response.unreadable = "the response body is larger than the limit of " + size_text(max_body_) +
                            "; stopped reading it";
      return response;
    }
    if (rc != CURLE_OK) {
      // The error buffer names the host at most, never the path or query.
      std::string message = curl_easy_strerror(rc);
      if (error_buffer[0] != '\0') message += std::string(": ") + error_buffer;
      return fail(Error::runtime(message));
    }
    return response;
  }

 private:
  std::chrono::milliseconds timeout_;
  std::size_t max_body_;
  std::mutex mutex_;
  CURL* handle_ = nullptr;
};

}  // namespace

std::unique_ptr<Transport> make_curl_transport(std::chrono::milliseconds timeout, std::size_t max_body) {
  return std::make_unique<CurlTransport>(timeout, max_body);
}

}  // namespace converge::http
