// The Entra ID access token converge sends to the Fabric API: a service principal's
// client credentials, or a GitHub Actions OIDC token exchanged as a federated
// credential (no secret stored anywhere), or a token given as is. Kept until a
// minute before it expires, and fetched again when the API answers TokenExpired.
// A token is a secret: it never appears in an error or a log line.
#pragma once

#include <chrono>
#include <string>

#include "converge/http/client.hpp"
#include "converge/providers/fabric/options.hpp"

namespace converge::providers::fabric {

class TokenSource {
 public:
  TokenSource(const Options& options, http::Client& client) : options_(options), client_(client) {}

  // The current token, fetched when there is none or it is about to expire, or when
  // `renew` (the API said TokenExpired). Error (runtime) naming the token endpoint and
  // Entra's error code and description (never a secret) when it refuses.
  Expected<std::string> get(bool renew = false);

  // How many tokens were fetched (tests: an expired token is fetched again once).
  int fetched() const { return fetched_; }

 private:
  Expected<std::string> github_assertion();

  const Options& options_;
  http::Client& client_;
  std::string token_;
  std::chrono::steady_clock::time_point expires_{};
  int fetched_ = 0;
};

// application/x-www-form-urlencoded body of `fields`.
std::string form_body(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace converge::providers::fabric
