// SPDX-License-Identifier: MIT
// Starts tests/providers/fabric/server/server.js with Node and talks to its control API.
#include "providers/fabric/server/fabric_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

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
std::pair<int, int> read_ports(int fd, std::chrono::milliseconds timeout) {
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw Failure("fabric server: no ports within " + std::to_string(timeout.count()) + " ms");
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[256];
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) throw Failure("fabric server: exited before it was ready (is node installed?)");
    line.append(buffer, static_cast<size_t>(n));
  }
  int api = 0;
  int ops = 0;
  if (std::sscanf(line.c_str(), "listening %d %d", &api, &ops) != 2 || api <= 0 || ops <= 0) {
    throw Failure("fabric server: unexpected output: " + line);
  }
  return {api, ops};
}

}  // namespace

FabricServer::FabricServer() : FabricServer(Options{}) {}

FabricServer::FabricServer(Options options) : options_(std::move(options)) {
  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) throw Failure("fabric server: pipe failed");
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    throw Failure("fabric server: pipe failed");
  }
  std::string script = std::string(CONVERGE_SOURCE_DIR) + "/tests/providers/fabric/server/server.js";
  std::vector<std::string> args = {"node",
                                   script,
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
  pid_ = ::fork();
  if (pid_ < 0) throw Failure("fabric server: fork failed");
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("node", argv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  stdin_fd_ = in[1];
  try {
    auto [api, ops] = read_ports(out[0], std::chrono::seconds(20));
    api_port_ = api;
    ops_port_ = ops;
  } catch (...) {
    ::close(out[0]);
    stop();
    throw;
  }
  ::close(out[0]);  // the server writes nothing more to stdout
}

FabricServer::~FabricServer() { stop(); }

void FabricServer::stop() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);  // the server exits on end of input
  stdin_fd_ = -1;
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  pid_ = -1;
}

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
