// SPDX-License-Identifier: MIT
// A local GitHub REST API for tests (tests/github/server/server.js run by Node):
// real HTTP on 127.0.0.1, state kept like GitHub's, responses in the shapes of real
// GitHub responses, plus a control API to seed state, read it back, inject faults
// and read the log of requests the client made.
//
//   converge::testing::GitHubServer github;                 // starts `node server.js`
//   auto numbers = github.seed({{"pulls", {{{"number", 7}, {"user", "alice"},
//       {"head", {{"ref", "feature"}, {"sha", sha}}}, {"base", {{"ref", "develop"}}},
//       {"reviews", {{{"user", "bob"}, {"state", "APPROVED"}}}}}}}});
//   github.inject({.method = "POST", .path = "/comments$", .kind = FaultKind::drop_after_write});
//     (g++ 12 needs -Wno-missing-field-initializers for designated initializers like this)
//   http::Client client(*transport);
//   github::Api api(client, github.url(), github.token(), github.repository());
//   ... run the code under test ...
//   auto comments = github.comments(7);                     // JSON array, API shape
//
// Every method throws converge::Failure when the server cannot be reached or
// answers the control call with an error (a test set-up problem, not a result).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "support/node_process.hpp"

namespace converge::testing {

enum class FaultKind {
  rate_limit_429,        // 429 with Retry-After: retry_after_s (the request is not processed)
  secondary_rate_limit,  // 403 "You have exceeded a secondary rate limit…" (+ Retry-After unless retry_after_s < 0)
  primary_rate_limit,    // 403, x-ratelimit-remaining: 0, x-ratelimit-reset: now + reset_in_s
  server_error,          // `status` (default 502), not processed
  drop_after_write,      // processed (the write happens), then the socket is closed with no response
  slow,                  // waits delay_ms, then processes and answers (to nobody, if the client timed out)
  endless_pages,         // 200 [] with a Link rel="next" to the following page, forever
  looping_pages,         // 200 [] with a Link rel="next" to the page just asked for
  huge_body,             // 200 with a JSON array of `bytes` bytes (no Content-Length when `chunked`)
  alter,                 // processes and answers, with `set` merged into the JSON sent (into each item of a list)
};

struct Fault {
  std::string method = "*";  // "*" or an HTTP method
  std::string path = ".*";   // ECMAScript regex searched in the request path (no query string)
  FaultKind kind = FaultKind::server_error;
  int count = 1;             // how many matching requests get the fault; -1 = all of them
  int skip = 0;              // let this many matching requests through first
  double probability = 1.0;  // chance per matching request
  int status = 502;          // server_error only
  int retry_after_s = 1;     // rate_limit_429 / secondary_rate_limit; < 0 = no Retry-After header
  int reset_in_s = 1;        // primary_rate_limit
  int delay_ms = 2000;       // slow
  long long bytes = 0;       // huge_body
  bool chunked = false;      // huge_body
  nlohmann::json set = nlohmann::json::object();  // alter: e.g. {"number": "5"} or {"head": {"sha": null}}
};

class GitHubServer {
 public:
  struct Options {
    std::string token = "ghs_test-token-0123456789";  // required as `Authorization: Bearer <token>`
    std::string repository = "octo-org/octo-repo";    // the default repository for seed/state
    std::string login = "github-actions[bot]";        // who the token belongs to (author of created items)
  };

  GitHubServer();                        // default Options
  explicit GitHubServer(Options options);  // starts the server; throws Failure when it does not come up
  ~GitHubServer();                       // stops it
  GitHubServer(const GitHubServer&) = delete;
  GitHubServer& operator=(const GitHubServer&) = delete;

  std::string url() const;  // the API URL, "http://127.0.0.1:<port>" (GITHUB_API_URL)
  const std::string& token() const { return options_.token; }
  const std::string& repository() const { return options_.repository; }

  // Adds state; see server.js for every field. Shape:
  //   {"users":[{"login","type"}], "branches":{"ref":"sha"},
  //    "pulls":[{"number","title","body","state","merged","user","draft","merge_commit_sha",
  //              "head":{"ref","sha"},"base":{"ref"},
  //              "commits":[{"sha","author","committer","message"}],   // logins; null = no GitHub user
  //              "reviews":[{"user","state","commit_id","body"}]}],     // commit_id defaults to head.sha
  //    "issues":[{"number","title","body","state","labels":[…],"user"}],
  //    "comments":[{"issue","body","user","created_at"}],     // created_at (ISO 8601) is also updated_at; default now
  //    "commit_pulls":{"sha":[numbers]},   // extra commit→PR associations (head, PR commits
  //                                        // and a merged PR's merge_commit_sha are automatic)
  //    "statuses":{"sha":[{"state","context","description","target_url","creator"}]},
  //    "runs":[{"id","actor","triggering_actor","event","head_sha","head_branch","status",
  //             "conclusion","run_attempt","approvals":[{"user","state","environments":[…],"comment"}]}],
  //    "run_approvals":{"<run id>":[…]},   // deployment reviews added to an existing run
  //    "rules":{"branch":[{"type","parameters"}]}}   // active ruleset rules of a branch
  // head.sha or a review's commit_id given as null are sent as null (a PR whose
  // head is unknown, a review whose commit was garbage-collected).
  // Returns {"pulls":[numbers],"issues":[numbers],"comments":[ids]} of what was created.
  // Numbers are shared by issues and pulls, as on GitHub; ids increase.
  nlohmann::json seed(const nlohmann::json& state);
  void reset();  // forget all state, faults, registered tokens and the request log

  // Registers another token acting as `login`: what a request with it creates is
  // authored by `login` (a PR author posting a comment or a commit status through
  // the real API). `integration` (a bot's installation token) makes GET /user
  // answer 403 "Resource not accessible by integration", like GitHub.
  void add_token(const std::string& token, const std::string& login, bool integration = false);

  // Everything in API shapes: {"pulls":[…],"issues":[…],"comments":[…],
  // "reviews":{"<pr>":[…]},"deployments":[… + auto_merge, required_contexts],"statuses":{"<id>":[…]},
  // "commit_statuses":{"<sha>":[… newest first]},"runs":[…]}
  nlohmann::json state() const;
  nlohmann::json comments(std::int64_t issue) const;  // the comments of one issue/PR, oldest first

  int inject(const Fault& fault);  // returns the fault's id
  void clear_faults();

  // Every API request received, oldest first: [{"method","path" (with query),"headers"
  // (lower-case names; authorization is "<redacted>"),"body","status","fault"}].
  nlohmann::json requests() const;
  void clear_requests();

 private:
  void stop();
  nlohmann::json control(const std::string& method, const std::string& path, const nlohmann::json* body) const;

  Options options_;
  NodeProcess node_;
  int port_ = 0;
};

}  // namespace converge::testing
