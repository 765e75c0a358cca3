// SPDX-License-Identifier: MIT
// Installs and starts tests/providers/superset/server/server.js with Node and talks to
// its control API.
#include "providers/superset/server/superset_server.hpp"

#include <chrono>
#include <cstdio>
#include <utility>
#include <vector>

#include "converge/http/client.hpp"
#include "converge/util/error.hpp"
#include "support/run.hpp"

namespace converge::testing {
namespace {

const char* superset_fault_name(SupersetFaultKind kind) {
  switch (kind) {
    case SupersetFaultKind::throttle: return "throttle";
    case SupersetFaultKind::server_error: return "server_error";
    case SupersetFaultKind::drop: return "drop";
    case SupersetFaultKind::drop_after: return "drop_after";
    case SupersetFaultKind::slow: return "slow";
  }
  return "server_error";
}

const std::string kServerDir = std::string(CONVERGE_SOURCE_DIR) + "/tests/providers/superset/server";

}  // namespace

SupersetServer::SupersetServer() : SupersetServer(Options{}) {}

SupersetServer::SupersetServer(Options options) : options_(std::move(options)) {
  std::string out;
  if (run_shell("sh '" + kServerDir + "/install.sh' 2>&1", &out) != 0) {
    throw Failure("superset server: npm install failed: " + out);
  }
  std::vector<std::string> args = {kServerDir + "/server.js",
                                   "--token-lifetime",
                                   std::to_string(options_.token_lifetime_s),
                                   "--refresh-lifetime",
                                   std::to_string(options_.refresh_lifetime_s),
                                   "--page-size-max",
                                   std::to_string(options_.page_size_max),
                                   "--superset-version",
                                   options_.version,
                                   "--preset-token-lifetime",
                                   std::to_string(options_.preset_token_lifetime_s)};
  if (!options_.csrf) args.emplace_back("--no-csrf");
  if (!options_.security_api) args.emplace_back("--no-security-api");
  const std::string ready = node_.start("superset server", args);
  if (std::sscanf(ready.c_str(), "listening %d", &port_) != 1) {
    node_.stop();
    throw Failure("superset server: unexpected output: " + ready);
  }
}

SupersetServer::~SupersetServer() { node_.stop(); }

std::string SupersetServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

SupersetServer::Raw SupersetServer::raw(const std::string& method, const std::string& path, const std::string& body,
                                        const std::string& content_type) const {
  auto transport = http::make_curl_transport(std::chrono::seconds(10));
  http::Request request;
  request.method = method;
  request.url = url() + path;
  if (!content_type.empty()) {
    request.body = body;
    request.headers["Content-Type"] = content_type;
  }
  auto response = transport->send(request);
  if (!response) throw Failure("superset server: " + method + " " + path + ": " + response.error().message);
  if (response->status >= 300) {
    throw Failure("superset server: " + method + " " + path + ": " + std::to_string(response->status) + " " +
                  response->body);
  }
  return {response->status, response->body};
}

nlohmann::json SupersetServer::control(const std::string& method, const std::string& path,
                                       const nlohmann::json* body) const {
  return nlohmann::json::parse(raw(method, path, body ? body->dump() : "", body ? "application/json" : "").body);
}

SupersetServer::Login SupersetServer::login(const std::string& username, const std::string& password) const {
  auto transport = http::make_curl_transport(std::chrono::seconds(10));
  http::Request request;
  request.method = "POST";
  request.url = url() + "/api/v1/security/login";
  request.headers["Content-Type"] = "application/json";
  request.body =
      nlohmann::json{{"username", username}, {"password", password}, {"provider", "db"}, {"refresh", true}}.dump();
  auto response = transport->send(request);
  if (!response || response->status != 200) {
    throw Failure("superset server: login: " + (response ? std::to_string(response->status) + " " + response->body
                                                         : response.error().message));
  }
  Login login;
  const auto tokens = nlohmann::json::parse(response->body);
  login.access_token = tokens.at("access_token").get<std::string>();
  login.refresh_token = tokens.at("refresh_token").get<std::string>();
  http::Request csrf;
  csrf.method = "GET";
  csrf.url = url() + "/api/v1/security/csrf_token/";
  csrf.headers["Authorization"] = "Bearer " + login.access_token;
  auto answer = transport->send(csrf);
  if (!answer || answer->status != 200) throw Failure("superset server: csrf_token failed");
  login.csrf_token = nlohmann::json::parse(answer->body).at("result").get<std::string>();
  const std::string cookie = answer->headers["set-cookie"];
  login.cookie = cookie.substr(0, cookie.find(';'));
  return login;
}

void SupersetServer::preset_token(const std::string& name, const std::string& secret, const std::string& user) {
  const nlohmann::json body = {{"name", name}, {"secret", secret}, {"user", user}};
  control("POST", "/_control/preset_token", &body);
}

int SupersetServer::add_user(const std::string& username, const std::string& first_name, const std::string& last_name,
                             const std::string& email) {
  const nlohmann::json body = {{"username", username}, {"first_name", first_name}, {"last_name", last_name},
                               {"email", email}};
  return control("POST", "/_control/user", &body)["id"];
}

std::string SupersetServer::preset_exchange(const std::string& name, const std::string& secret) const {
  const nlohmann::json body = {{"name", name}, {"secret", secret}};
  return nlohmann::json::parse(raw("POST", "/v1/auth/", body.dump(), "application/json").body)
      .at("payload")
      .at("access_token")
      .get<std::string>();
}

nlohmann::json SupersetServer::seed(const nlohmann::json& files, const nlohmann::json& passwords,
                                    const std::string& user) {
  const nlohmann::json body = {{"files", files}, {"passwords", passwords}, {"user", user}};
  return control("POST", "/_control/seed", &body);
}
void SupersetServer::reset() { control("POST", "/_control/reset", nullptr); }
nlohmann::json SupersetServer::configure(const nlohmann::json& settings) {
  return control("POST", "/_control/config", &settings);
}
void SupersetServer::expire_tokens() { control("POST", "/_control/tokens/expire", nullptr); }
nlohmann::json SupersetServer::state() const { return control("GET", "/_control/state", nullptr); }

nlohmann::json SupersetServer::asset(const std::string& kind, const std::string& uuid) const {
  const nlohmann::json all = state();
  for (const auto& a : all.at(kind + "s")) {
    if (a.at("uuid") == uuid) return a;
  }
  return nullptr;
}

nlohmann::json SupersetServer::ui_edit(const std::string& kind, const std::string& uuid,
                                       const nlohmann::json& changes, const std::string& user) {
  const nlohmann::json body = {{"kind", kind}, {"uuid", uuid}, {"changes", changes}, {"user", user}};
  return control("POST", "/_control/ui_edit", &body);
}

int SupersetServer::inject(const SupersetFault& fault) {
  nlohmann::json body = {{"method", fault.method}, {"path", fault.path},   {"kind", superset_fault_name(fault.kind)},
                         {"count", fault.count},   {"skip", fault.skip},   {"delay_ms", fault.delay_ms}};
  if (fault.status != 0) body["status"] = fault.status;
  body["retry_after"] = fault.retry_after_s < 0 ? nlohmann::json(nullptr) : nlohmann::json(fault.retry_after_s);
  return control("POST", "/_control/faults", &body).at("id").get<int>();
}

void SupersetServer::clear_faults() { control("DELETE", "/_control/faults", nullptr); }
nlohmann::json SupersetServer::log() const { return control("GET", "/_control/requests", nullptr); }
void SupersetServer::clear_log() { control("DELETE", "/_control/requests", nullptr); }

std::string SupersetServer::zip(const nlohmann::json& files, const std::string& root) const {
  const nlohmann::json body = {{"files", files}, {"root", root}};
  return raw("POST", "/_control/zip", body.dump(), "application/json").body;
}

nlohmann::json SupersetServer::unzip(const std::string& zip) const {
  return nlohmann::json::parse(raw("POST", "/_control/unzip", zip, "application/zip").body).at("files");
}

nlohmann::json SupersetServer::parse_yaml(const std::string& text) const {
  const nlohmann::json body = {{"text", text}};
  return control("POST", "/_control/yaml", &body).at("value");
}

}  // namespace converge::testing
