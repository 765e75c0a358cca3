// Building the GitHub API client from the run context.
#include "converge/steps/github_link.hpp"

#include <charconv>

namespace converge::steps {
namespace {

std::chrono::milliseconds millis(const github::RunContext& ctx, std::string_view name, std::chrono::milliseconds fallback) {
  auto value = ctx.variable(name);
  if (!value) return fallback;
  long long ms = 0;
  auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), ms);
  if (ec != std::errc() || ms <= 0) return fallback;
  return std::chrono::milliseconds(ms);
}

}  // namespace

std::unique_ptr<GitHubLink> connect_github(const github::RunContext& ctx) {
  if (ctx.token.empty() || ctx.repository.empty()) return nullptr;
  auto link = std::make_unique<GitHubLink>();
  link->transport = http::make_curl_transport(millis(ctx, "CONVERGE_HTTP_TIMEOUT_MS", std::chrono::seconds(30)));
  http::RetryPolicy policy;
  policy.max_delay = millis(ctx, "CONVERGE_HTTP_MAX_DELAY_MS", policy.max_delay);
  policy.base_delay = std::min(policy.base_delay, policy.max_delay);
  link->client = std::make_unique<http::Client>(*link->transport, policy);
  const std::string api_url = ctx.api_url.empty() ? "https://api.github.com" : ctx.api_url;
  link->api = std::make_unique<github::Api>(*link->client, api_url, ctx.token, ctx.repository);
  link->api->set_integration_login(ctx.github_login);
  return link;
}

}  // namespace converge::steps
