// SPDX-License-Identifier: MIT
// Contract test: github::Api's requests against GitHub's official OpenAPI description
// (@octokit/openapi, generated/api.github.com.json), served by Prism in mock mode on
// loopback. Prism validates each request (path, parameters, body) and answers an
// invalid one with 422 and an `sl-violations` header; the test asserts that no
// response carries a request violation in that header and that every call succeeds on Prism's example data.
//
// One test case on purpose: Prism takes several seconds to load the 13 MB
// description, so it is started once, and ctest never runs two of them at once.
// Packages come from package-lock.json via install.sh (npm ci, skipped when done).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "converge/github/api.hpp"

namespace converge::github {
namespace {

using std::chrono::milliseconds;
const std::string kDir = std::string(CONVERGE_SOURCE_DIR) + "/tests/github/contract";

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    ::close(fd);
    throw Failure("no free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// Prism as a child process, its output in a log file, stopped in the destructor.
class Prism {
 public:
  Prism() : port_(free_port()) {
    std::string log = kDir + "/node_modules/.prism.log";
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      if (::chdir(kDir.c_str()) != 0) ::_exit(126);
      std::string port = std::to_string(port_);
      ::execlp("node", "node", "node_modules/.bin/prism", "mock", "-h", "127.0.0.1", "-p", port.c_str(),
               "node_modules/@octokit/openapi/generated/api.github.com.json", static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~Prism() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Prism(const Prism&) = delete;
  Prism& operator=(const Prism&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Waits until Prism answers HTTP; false after `timeout` or when it exited.
  bool wait_ready(http::Transport& transport, std::chrono::seconds timeout) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return false;
      if (transport.send(http::Request{.url = url() + "/meta", .headers = {}, .body = {}, .label = {}})) return true;
      std::this_thread::sleep_for(milliseconds(250));
    }
    return false;
  }

 private:
  int port_;
  pid_t pid_ = -1;
};

// Forwards to the real transport and keeps every exchange for the assertions.
// Prism negotiates media types literally and GitHub's description lists only
// `application/json`, which GitHub treats the same as the `application/vnd.github+json`
// converge sends; so that one request header is translated, nothing else is touched.
class CheckingTransport : public http::Transport {
 public:
  explicit CheckingTransport(http::Transport& real) : real_(real) {}
  struct Exchange {
    std::string label;
    long status = 0;
    std::string violations;
  };
  std::vector<Exchange> exchanges;

  Expected<http::Response> send(const http::Request& request) override {
    http::Request forwarded = request;
    if (forwarded.headers["Accept"] == "application/vnd.github+json") forwarded.headers["Accept"] = "application/json";
    auto response = real_.send(forwarded);
    // Prism's example Link headers point at api.github.com (which Api rightly refuses
    // to follow with the token); one page per list is enough here.
    if (response) response->headers.erase("link");
    if (response) exchanges.push_back({request.label, response->status, response->header("sl-violations")});
    return response;
  }

 private:
  http::Transport& real_;
};

TEST(GitHubContract, EveryRequestOfTheApiIsValidAgainstGitHubsOpenApiDescription) {
  auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(std::system(("sh '" + kDir + "/install.sh'").c_str()), 0) << "npm install failed";
  auto installed = std::chrono::steady_clock::now();

  auto curl = http::make_curl_transport(std::chrono::seconds(30));
  Prism prism;
  ASSERT_TRUE(prism.wait_ready(*curl, std::chrono::seconds(90)))
      << "prism did not start; see " << kDir << "/node_modules/.prism.log";
  auto ready = std::chrono::steady_clock::now();

  CheckingTransport checking(*curl);
  http::Client client(checking, {.max_attempts = 1, .base_delay = milliseconds(1), .max_delay = milliseconds(1)});
  Api api(client, prism.url(), "ghs_contract-token", "octo-org/octo-repo");
  const std::string sha = "6dcb09b5b57875f334f61aebed695e2e4193db5e";

  auto ok = [](const auto& result, const char* what) {
    EXPECT_TRUE(result.has_value()) << what << ": " << result.error().message;
  };
  ok(api.pull_request(1347), "pull_request");
  ok(api.pulls_for_commit(sha), "pulls_for_commit");
  ok(api.reviews(1347), "reviews");
  ok(api.pull_commits(1347), "pull_commits");
  ok(api.issue_comments(1347), "issue_comments");
  ok(api.issue_comments_since(1347, "2026-12-06T21:00:00Z"), "issue_comments_since");
  ok(api.create_comment(1347, "<!-- converge:plan:prod -->\nplan"), "create_comment");
  ok(api.update_comment(1, "<!-- converge:plan:prod -->\nplan v2"), "update_comment");
  ok(api.delete_comment(1), "delete_comment");
  ok(api.open_issues_with_label("converge-drift"), "open_issues_with_label");
  ok(api.create_issue("Drift in prod", "diff", {"converge-drift"}), "create_issue");
  ok(api.update_issue(1347, {{"state", "closed"}, {"body", "resolved"}}), "update_issue");
  ok(api.open_pulls_from("converge/export-prod"), "open_pulls_from");
  ok(api.create_pull("Export prod", "converge/export-prod", "develop", "runtime edits"), "create_pull");
  ok(api.update_pull(1347, {{"title", "Export prod (2)"}, {"body", "b"}}), "update_pull");
  ok(api.create_deployment(sha, "prod", "converge apply", {{"plan_hash", "abc"}}), "create_deployment");
  ok(api.create_deployment_status(42, "success", "https://github.com/octo-org/octo-repo/actions/runs/1", "prod"),
     "create_deployment_status");
  ok(api.identity(), "identity");
  ok(api.commit_statuses(sha), "commit_statuses");
  ok(api.recent_commit_statuses(sha), "recent_commit_statuses");
  ok(api.create_commit_status(sha, "success", "converge/plan (prod)",
                              "plan " + std::string(64, 'a') + " comment 123456789 since 2026-12-06T21:00:00Z",
                              "https://github.com/octo-org/octo-repo/actions/runs/1"),
     "create_commit_status");
  ok(api.workflow_run(30433642), "workflow_run");
  ok(api.deployment_approvals(30433642), "deployment_approvals");
  ok(api.branch_rules("release/v1"), "branch_rules");
  ok(api.comment_reactions(42), "comment_reactions");
  ok(api.collaborator_permission("octocat"), "collaborator_permission");
  ok(api.environment("prod"), "environment");
  ok(api.put_environment("prod", {{"reviewers", nlohmann::json::array()},
                                  {"deployment_branch_policy",
                                   {{"protected_branches", false}, {"custom_branch_policies", true}}}}),
     "put_environment");
  ok(api.deployment_branch_policies("prod"), "deployment_branch_policies");
  ok(api.add_deployment_branch_policy("prod", "main"), "add_deployment_branch_policy");
  ok(api.branch_protection("main"), "branch_protection");
  ok(api.put_branch_protection("main", {{"required_status_checks", {{"strict", true}, {"contexts", {"converge/plan (prod)"}}}},
                                        {"enforce_admins", true},
                                        {"required_pull_request_reviews",
                                         {{"dismiss_stale_reviews", true}, {"required_approving_review_count", 1},
                                          {"require_last_push_approval", true}}},
                                        {"restrictions", nullptr}}),
     "put_branch_protection");

  // The check itself works: a comment without a body is a request violation.
  http::Request invalid{.method = "POST", .url = prism.url() + "/repos/octo-org/octo-repo/issues/1/comments",
                        .headers = {{"Content-Type", "application/json"}}, .body = "{}", .label = {}};
  auto refused = curl->send(invalid);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 422);
  EXPECT_NE(refused->header("sl-violations").find(R"("location":["request","body"])"), std::string::npos);

  EXPECT_EQ(checking.exchanges.size(), 32u);
  for (const auto& e : checking.exchanges) {
    // Prism also reports where its own example response breaks the description
    // (location "response"); only the request's violations are converge's.
    auto violations = nlohmann::json::parse(e.violations.empty() ? "[]" : e.violations, nullptr, false);
    ASSERT_TRUE(violations.is_array()) << e.label << ": " << e.violations;
    for (const auto& v : violations) {
      const auto& location = v.contains("location") ? v["location"] : nlohmann::json::array();
      EXPECT_FALSE(!location.empty() && location[0] == "request") << e.label << ": " << v.dump();
    }
    EXPECT_TRUE(e.status >= 200 && e.status < 300) << e.label << ": " << e.status;
  }
  auto seconds = [](auto d) { return std::chrono::duration_cast<milliseconds>(d).count() / 1000.0; };
  std::cout << "npm install: " << seconds(installed - started) << " s, prism start: " << seconds(ready - installed)
            << " s, calls: " << seconds(std::chrono::steady_clock::now() - ready) << " s\n";
}

}  // namespace
}  // namespace converge::github
