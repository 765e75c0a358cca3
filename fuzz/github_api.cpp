// Fuzz target: GitHub API responses turned into converge's structs (github::Api and
// the functions built on it: the plan comment and plan record lookups, drift
// issues, the two-person rule). A fake transport serves the input as the server's
// answers, so nothing leaves the process.
//
// Input: one byte choosing the call ('a' + n chooses case n below; any byte chooses
// one), then the responses in order, separated by NUL bytes. A response is its body (status 200), or "HTTP/1.1 <status> ...", header
// lines, an empty line and the body. Once the responses run out the transport
// fails like a dropped connection. Any input must end as a value or an Error:
// a crash, hang, leak or exception fails.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "converge/github/api.hpp"
#include "converge/github/approvals.hpp"
#include "converge/github/drift_issue.hpp"
#include "converge/github/plan_comment.hpp"
#include "converge/github/plan_record.hpp"
#include "converge/http/client.hpp"

namespace gh = converge::github;
namespace http = converge::http;

namespace {

constexpr std::string_view kSha = "0123456789abcdef0123456789abcdef01234567";

http::Response parse_response(std::string_view chunk) {
  http::Response response;
  response.status = 200;
  if (!chunk.starts_with("HTTP/")) {
    response.body = std::string(chunk);
    return response;
  }
  auto line_end = chunk.find('\n');
  std::string_view status_line = chunk.substr(0, line_end);
  if (auto space = status_line.find(' '); space != std::string_view::npos) {
    long status = 0;
    for (char c : status_line.substr(space + 1, 3)) status = c >= '0' && c <= '9' ? status * 10 + (c - '0') : status;
    response.status = status;
  }
  chunk = line_end == std::string_view::npos ? std::string_view() : chunk.substr(line_end + 1);
  while (!chunk.empty()) {
    auto end = chunk.find('\n');
    std::string_view line = chunk.substr(0, end);
    chunk = end == std::string_view::npos ? std::string_view() : chunk.substr(end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) break;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    for (auto& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    std::string_view value = line.substr(colon + 1);
    while (value.starts_with(' ')) value.remove_prefix(1);
    response.headers[name] = std::string(value);
  }
  response.body = std::string(chunk);
  return response;
}

class ScriptedTransport : public http::Transport {
 public:
  explicit ScriptedTransport(std::string_view script) {
    while (true) {
      auto nul = script.find('\0');
      responses_.push_back(parse_response(script.substr(0, nul)));
      if (nul == std::string_view::npos) break;
      script.remove_prefix(nul + 1);
    }
  }
  converge::Expected<http::Response> send(const http::Request&) override {
    if (next_ >= responses_.size()) return converge::fail(converge::Error::runtime("connection reset"));
    return responses_[next_++];
  }

 private:
  std::vector<http::Response> responses_;
  size_t next_ = 0;
};

void approvals(gh::Api& api) {
  auto pr = api.pull_request(5);
  if (!pr) return;
  (void)gh::validate_pull_request(*pr);
  auto reviews = api.reviews(5);
  auto commits = api.pull_commits(5);
  if (!reviews || !commits) return;
  converge::config::Gates gates;
  gates.approvals = 1;
  gates.distinct_approver = true;
  (void)gh::evaluate_approvals(*pr, *reviews, *commits, gates);
}

void call(gh::Api& api, unsigned which) {
  const std::string sha(kSha);
  switch ((which + 7) % 26) {  // 'a' (97) → 0
    case 0: (void)api.identity(); break;
    case 1: (void)api.pull_request(5); break;
    case 2: (void)api.pulls_for_commit(sha); break;
    case 3: (void)api.reviews(5); break;
    case 4: (void)api.pull_commits(5); break;
    case 5: (void)api.issue_comments(5); break;
    case 6: (void)api.create_comment(5, "body"); break;
    case 7: (void)api.update_comment(7, "body"); break;
    case 8: (void)api.delete_comment(7); break;
    case 9: (void)api.commit_statuses(sha); break;
    case 10: (void)api.create_commit_status(sha, "success", "converge/plan (prod)", "plan", ""); break;
    case 11: (void)api.workflow_run(42); break;
    case 12: (void)api.deployment_approvals(42); break;
    case 13: {
      auto rules = api.branch_rules("main");
      if (rules) (void)gh::last_push_approval_required(*rules);
      break;
    }
    case 14: (void)api.open_issues_with_label("converge-drift"); break;
    case 15: (void)api.create_issue("title", "body", {"converge-drift"}); break;
    case 16: (void)api.update_issue(9, {{"state", "closed"}}); break;
    case 17: (void)api.open_pulls_from("dev/x"); break;
    case 18: (void)api.create_pull("title", "dev/x", "develop", "body"); break;
    case 19: (void)api.update_pull(5, {{"body", "b"}}); break;
    case 20: (void)api.create_deployment("main", "prod", "deploy", {{"k", "v"}}); break;
    case 21: (void)api.create_deployment_status(3, "success", "https://example.invalid/log", "prod"); break;
    case 22: (void)gh::find_plan_comment(api, 5, "prod"); break;
    case 23: (void)gh::find_plan_record(api, sha, "prod"); break;
    case 24: (void)gh::resolve_drift(api, {"prod", ""}, "resolved"); break;
    case 25: approvals(api); break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  ScriptedTransport transport(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  http::RetryPolicy policy;
  policy.max_attempts = 3;
  http::Client client(transport, policy, [](std::chrono::milliseconds) {});
  gh::Api api(client, "https://api.github.com", "fuzz-token", "octo/repo");
  call(api, data[0]);
  return 0;
}
