// The connection from a step to GitHub's REST API, when the run has one: a token
// and a repository. Outside a runner without a token there is none, and steps that
// would talk to GitHub preview instead.
#pragma once

#include <memory>
#include <optional>

#include "converge/github/api.hpp"
#include "converge/github/context.hpp"
#include "converge/http/client.hpp"

namespace converge::steps {

struct GitHubLink {
  std::unique_ptr<http::Transport> transport;
  std::unique_ptr<http::Client> client;
  std::unique_ptr<github::Api> api;
};

// nullptr when the context has no token or no repository. Timeouts and retry
// delays can be tuned with CONVERGE_HTTP_TIMEOUT_MS / CONVERGE_HTTP_MAX_DELAY_MS.
std::unique_ptr<GitHubLink> connect_github(const github::RunContext& ctx);

}  // namespace converge::steps
