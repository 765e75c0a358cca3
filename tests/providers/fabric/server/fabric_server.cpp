// SPDX-License-Identifier: MIT
// Starts tests/providers/fabric/server/server.js with Node and talks to its control API.
#include "providers/fabric/server/fabric_server.hpp"


#include <chrono>
#include <cstdio>
#include <vector>

#include "converge/http/client.hpp"
#include "converge/util/error.hpp"

namespace converge::testing {
namespace {

const char* fabric_fault_name(FabricFaultKind kind) {
  switch (kind) {
    case FabricFaultKind::throttle: return "throttle";
    case FabricFaultKind::server_error: return "server_error";
    case FabricFaultKind::drop: return "drop";
    case FabricFaultKind::drop_after_write: return "drop_after_write";
    case FabricFaultKind::operation_failed: return "operation_failed";
    case FabricFaultKind::token_expired: return "token_expired";
    case FabricFaultKind::error: return "error";
    case FabricFaultKind::slow: return "slow";
  }
  return "server_error";
}

// Reads the first line the server prints, "listening <api port> <ops port>", within `timeout`.

}  // namespace

FabricServer::FabricServer() : FabricServer(Options{}) {}

FabricServer::FabricServer(Options options) : options_(std::move(options)) {
  std::string script = std::string(CONVERGE_SOURCE_DIR) + "/tests/providers/fabric/server/server.js";
  std::vector<std::string> args = {script,
                                   "--tenant",
                                   options_.tenant,
                                   "--client-id",
                                   options_.client_id,
                                   "--client-secret",
                                   options_.client_secret,
                                   "--token-lifetime",
                                   std::to_string(options_.token_lifetime_s),
                                   "--retry-after",
                                   std::to_string(options_.retry_after_s),
                                   "--polls",
                                   std::to_string(options_.polls),
                                   "--page-size",
                                   std::to_string(options_.page_size),
                                   "--lro",
                                   options_.lro,
                                   "--sql-endpoint-polls",
                                   std::to_string(options_.sql_endpoint_polls),
                                   "--oidc-request-token",
                                   options_.oidc_request_token};
  const std::string ready = node_.start("fabric server", args);
  if (std::sscanf(ready.c_str(), "listening %d %d", &api_port_, &ops_port_) != 2) {
    node_.stop();
    throw Failure("fabric server: unexpected output: " + ready);
  }
}

FabricServer::~FabricServer() { stop(); }

void FabricServer::stop() { node_.stop(); }

std::string FabricServer::api_url() const { return "http://127.0.0.1:" + std::to_string(api_port_); }
std::string FabricServer::ops_url() const { return "http://127.0.0.1:" + std::to_string(ops_port_); }
std::string FabricServer::authority() const { return api_url(); }
std::string FabricServer::token_url() const { return authority() + "/" + options_.tenant + "/oauth2/v2.0/token"; }

std::string FabricServer::github_oidc_url(const std::string& subject) const {
  return api_url() + "/_github/oidc/token?api-version=2.0&subject=" + http::percent_encode(subject);
}

std::string FabricServer::access_token() const {
  auto transport = http::make_curl_transport(std::chrono::seconds(10));
  http::Request request;
  request.method = "POST";
  request.url = token_url();
  request.headers["Content-Type"] = "application/x-www-form-urlencoded";
  request.body = "grant_type=client_credentials&client_id=" + http::percent_encode(options_.client_id) +
                 "&client_secret=" + http::percent_encode(options_.client_secret) +
                 "&scope=" + http::percent_encode("https://api.fabric.microsoft.com/.default");
  auto response = transport->send(request);
  if (!response) throw Failure("fabric server: token: " + response.error().message);
  if (response->status != 200) {
    throw Failure("fabric server: token: " + std::to_string(response->status) + " " + response->body);
  }
  return nlohmann::json::parse(response->body).at("access_token").get<std::string>();
}

nlohmann::json FabricServer::control(const std::string& method, const std::string& path,
                                     const nlohmann::json* body) const {
  auto transport = http::make_curl_transport(std::chrono::seconds(10));
  http::Request request;
  request.method = method;
  request.url = api_url() + path;
  if (body) {
    request.body = body->dump();
    request.headers["Content-Type"] = "application/json";
  }
  auto response = transport->send(request);
  if (!response) throw Failure("fabric server: " + method + " " + path + ": " + response.error().message);
  if (response->status >= 300) {
    throw Failure("fabric server: " + method + " " + path + ": " + std::to_string(response->status) + " " +
                  response->body);
  }
  return nlohmann::json::parse(response->body);
}

nlohmann::json FabricServer::seed(const nlohmann::json& state) { return control("POST", "/_control/seed", &state); }
nlohmann::json FabricServer::seed_git_remote(const nlohmann::json& remote) {
  return control("POST", "/_control/git_remote", &remote);
}
void FabricServer::reset() { control("POST", "/_control/reset", nullptr); }
nlohmann::json FabricServer::configure(const nlohmann::json& settings) {
  return control("POST", "/_control/config", &settings);
}

void FabricServer::register_client(const std::string& client_id, const std::optional<std::string>& secret,
                                   const std::vector<std::string>& assertions) {
  nlohmann::json body = {{"clientId", client_id}, {"tenant", options_.tenant}, {"assertions", assertions}};
  if (secret) body["secret"] = *secret;
  control("POST", "/_control/clients", &body);
}

void FabricServer::register_federated_client(const std::string& client_id, const std::string& subject,
                                             const std::string& audience) {
  nlohmann::json body = {{"clientId", client_id},
                         {"tenant", options_.tenant},
                         {"federated", {{{"subject", subject}, {"audience", audience}}}}};
  control("POST", "/_control/clients", &body);
}

void FabricServer::expire_tokens() { control("POST", "/_control/tokens/expire", nullptr); }

nlohmann::json FabricServer::state(const std::string& workspace) const {
  return control("GET", "/_control/state" + (workspace.empty() ? "" : "?workspace=" + http::percent_encode(workspace)),
                 nullptr);
}

nlohmann::json FabricServer::item(const std::string& workspace, const std::string& id) const {
  const nlohmann::json all = state(workspace);
  for (const auto& ws : all.at("workspaces")) {
    for (const auto& it : ws.at("items")) {
      if (it.at("id") == id) return it;
    }
  }
  return nullptr;
}

nlohmann::json FabricServer::workspace(const std::string& id) const {
  const nlohmann::json all = state(id);
  for (const auto& ws : all.at("workspaces")) {
    if (ws.at("id") == id) return ws;
  }
  return nullptr;
}

nlohmann::json FabricServer::git_connection(const std::string& workspace) const {
  const nlohmann::json ws = this->workspace(workspace);
  return ws.is_null() ? nlohmann::json(nullptr) : ws.value("git", nlohmann::json(nullptr));
}

nlohmann::json FabricServer::portal_edit(const std::string& workspace, const std::string& item,
                                         const nlohmann::json& edit) {
  nlohmann::json body = edit;
  body["workspace"] = workspace;
  body["item"] = item;
  return control("POST", "/_control/portal_edit", &body);
}

int FabricServer::inject(const FabricFault& fault) {
  nlohmann::json body = {{"method", fault.method},
                         {"path", fault.path},
                         {"host", fault.host},
                         {"kind", fabric_fault_name(fault.kind)},
                         {"count", fault.count},
                         {"skip", fault.skip},
                         {"error_code", fault.error_code},
                         {"message", fault.message},
                         {"delay_ms", fault.delay_ms}};
  if (fault.status != 0) body["status"] = fault.status;
  body["retry_after"] = fault.retry_after_s < 0 ? nlohmann::json(nullptr) : nlohmann::json(fault.retry_after_s);
  return control("POST", "/_control/faults", &body).at("id").get<int>();
}

void FabricServer::clear_faults() { control("DELETE", "/_control/faults", nullptr); }
nlohmann::json FabricServer::log() const { return control("GET", "/_control/requests", nullptr); }
void FabricServer::clear_log() { control("DELETE", "/_control/requests", nullptr); }

}  // namespace converge::testing
