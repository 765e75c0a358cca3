// Getting and renewing the Fabric API's access token (token.hpp).
#include "converge/providers/fabric/token.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>

namespace converge::providers::fabric {
namespace {

using nlohmann::json;

std::string string_field(const json& body, const char* field) {
  return body.is_object() && body.contains(field) && body[field].is_string() ? body[field].get<std::string>() : "";
}

std::string first_line(std::string text) {
  if (auto nl = text.find_first_of("\r\n"); nl != std::string::npos) text.resize(nl);
  return text.substr(0, 300);
}

}  // namespace

std::string form_body(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += http::percent_encode(name) + "=" + http::percent_encode(value);
  }
  return out;
}

Expected<std::string> TokenSource::github_assertion() {
  const char* url = std::getenv("ACTIONS_ID_TOKEN_REQUEST_URL");
  const char* bearer = std::getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
  if (!url || !bearer || !*url || !*bearer)
    return fail(Error::runtime("auth github_oidc: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are "
                               "not set (the job needs `permissions: id-token: write`)"));
  http::Request r;
  r.url = std::string(url) + (std::string_view(url).find('?') == std::string_view::npos ? "?" : "&") +
          "audience=" + http::percent_encode("api://AzureADTokenExchange");
  r.headers["Authorization"] = std::string("Bearer ") + bearer;
  r.headers["Accept"] = "application/json";
  r.label = "GET the GitHub Actions OIDC token";
  auto response = client_.send(r);
  if (!response) return fail(response.error());
  auto body = json::parse(response->body, nullptr, false);
  std::string value = string_field(body, "value");
  if (response->status != 200 || value.empty())
    return fail(Error::runtime(r.label + ": HTTP " + std::to_string(response->status) + " without a token"));
  return value;
}

Expected<std::string> TokenSource::get(bool renew) {
  if (options_.auth == Auth::token) return options_.token;
  if (!renew && !token_.empty() && std::chrono::steady_clock::now() < expires_) return token_;
  std::vector<std::pair<std::string, std::string>> fields = {
      {"grant_type", "client_credentials"}, {"client_id", options_.client_id}, {"scope", options_.scope}};
  if (options_.auth == Auth::client_secret) {
    fields.emplace_back("client_secret", options_.client_secret);
  } else {
    auto assertion = github_assertion();
    if (!assertion) return fail(assertion.error());
    fields.emplace_back("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    fields.emplace_back("client_assertion", *assertion);
  }
  http::Request r;
  r.method = "POST";
  r.url = options_.authority + "/" + http::percent_encode(options_.tenant_id) + "/oauth2/v2.0/token";
  r.headers["Content-Type"] = "application/x-www-form-urlencoded";
  r.headers["Accept"] = "application/json";
  r.body = form_body(fields);
  r.label = "POST " + options_.authority + "/<tenant>/oauth2/v2.0/token";
  auto response = client_.send(r);
  if (!response) return fail(response.error());
  auto body = json::parse(response->body, nullptr, false);
  if (response->status != 200) {
    // Entra's error: {"error": "invalid_client", "error_description": "AADSTS7000215: …"}.
    std::string error = string_field(body, "error"), description = first_line(string_field(body, "error_description"));
    return fail(Error::runtime(r.label + ": HTTP " + std::to_string(response->status) +
                               (error.empty() ? "" : ": " + error) + (description.empty() ? "" : ": " + description)));
  }
  std::string token = string_field(body, "access_token");
  if (token.empty()) return fail(Error::runtime(r.label + ": the answer holds no access_token"));
  long long lifetime = body.contains("expires_in") && body["expires_in"].is_number_integer()
                           ? body["expires_in"].get<long long>()
                           : 300;
  ++fetched_;
  token_ = std::move(token);
  // A minute's margin: a request must not start with a token that expires on the way.
  expires_ = std::chrono::steady_clock::now() + std::chrono::seconds(std::max(0LL, lifetime - 60));
  return token_;
}

}  // namespace converge::providers::fabric
