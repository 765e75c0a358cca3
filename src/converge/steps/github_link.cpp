// Building the GitHub API client from the run context.
#include "converge/steps/github_link.hpp"


namespace converge::steps {
namespace {

// A positive duration from the variable `name`, else `fallback` (0 is no time limit
// nobody would want).
std::chrono::milliseconds millis(const github::RunContext& ctx, std::string_view name, std::chrono::milliseconds fallback) {
  const auto ms = ctx.milliseconds(name);
  return ms && ms->count() > 0 ? *ms : fallback;
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
