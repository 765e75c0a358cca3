// SPDX-License-Identifier: MIT
// Starts tests/github/server/server.js with Node and talks to its control API.
#include "github/server/github_server.hpp"


#include <chrono>
#include <cstdlib>

#include "converge/http/client.hpp"
#include "converge/util/error.hpp"

namespace converge::testing {
namespace {

const char* kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::rate_limit_429: return "rate_limit_429";
    case FaultKind::secondary_rate_limit: return "secondary_rate_limit";
    case FaultKind::primary_rate_limit: return "primary_rate_limit";
    case FaultKind::server_error: return "server_error";
    case FaultKind::drop_after_write: return "drop_after_write";
    case FaultKind::slow: return "slow";
    case FaultKind::endless_pages: return "endless_pages";
    case FaultKind::looping_pages: return "looping_pages";
    case FaultKind::huge_body: return "huge_body";
    case FaultKind::alter: return "alter";
  }
  return "server_error";
}

// Reads the first line the server prints, "listening <port>", within `timeout`.

}  // namespace

GitHubServer::GitHubServer() : GitHubServer(Options{}) {}

GitHubServer::GitHubServer(Options options) : options_(std::move(options)) {
  std::string script = std::string(CONVERGE_SOURCE_DIR) + "/tests/github/server/server.js";
  const std::string ready = node_.start("github server", {script, "--token", options_.token, "--repository",
                                                          options_.repository, "--login", options_.login});
  if (!ready.starts_with("listening ")) {
    node_.stop();
    throw Failure("github server: unexpected output: " + ready);
  }
  port_ = std::atoi(ready.c_str() + 10);
}

GitHubServer::~GitHubServer() { stop(); }

void GitHubServer::stop() { node_.stop(); }

std::string GitHubServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

nlohmann::json GitHubServer::control(const std::string& method, const std::string& path,
                                     const nlohmann::json* body) const {
  auto transport = http::make_curl_transport(std::chrono::seconds(10));
  http::Request request;
  request.method = method;
  request.url = url() + path;
  if (body) {
    request.body = body->dump();
    request.headers["Content-Type"] = "application/json";
  }
  auto response = transport->send(request);
  if (!response) throw Failure("github server: " + method + " " + path + ": " + response.error().message);
  if (response->status >= 300) {
    throw Failure("github server: " + method + " " + path + ": " + std::to_string(response->status) + " " +
                  response->body);
  }
  return nlohmann::json::parse(response->body);
}

nlohmann::json GitHubServer::seed(const nlohmann::json& state) { return control("POST", "/_control/seed", &state); }
void GitHubServer::reset() { control("POST", "/_control/reset", nullptr); }
void GitHubServer::add_token(const std::string& token, const std::string& login, bool integration) {
  nlohmann::json body = {{"token", token}, {"login", login}, {"integration", integration}};
  control("POST", "/_control/tokens", &body);
}
nlohmann::json GitHubServer::state() const { return control("GET", "/_control/state", nullptr); }
nlohmann::json GitHubServer::comments(std::int64_t issue) const {
  return control("GET", "/_control/comments?issue=" + std::to_string(issue), nullptr);
}

int GitHubServer::inject(const Fault& fault) {
  nlohmann::json body = {{"method", fault.method},       {"path", fault.path},
                         {"kind", kind_name(fault.kind)}, {"count", fault.count},
                         {"skip", fault.skip},           {"probability", fault.probability},
                         {"status", fault.status},       {"reset_in", fault.reset_in_s},
                         {"delay_ms", fault.delay_ms}};
  body["retry_after"] = fault.retry_after_s < 0 ? nlohmann::json(nullptr) : nlohmann::json(fault.retry_after_s);
  body["bytes"] = fault.bytes;
  body["chunked"] = fault.chunked;
  body["set"] = fault.set;
  return control("POST", "/_control/faults", &body).at("id").get<int>();
}

void GitHubServer::clear_faults() { control("DELETE", "/_control/faults", nullptr); }
nlohmann::json GitHubServer::requests() const { return control("GET", "/_control/requests", nullptr); }
void GitHubServer::clear_requests() { control("DELETE", "/_control/requests", nullptr); }

}  // namespace converge::testing
