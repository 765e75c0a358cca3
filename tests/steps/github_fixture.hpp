// A consumer repository plus the local GitHub API server, and the environment a
// GitHub Actions runner gives a step (token, repository, API URL, run id, event
// payload built from a real recorded webhook payload).
#pragma once

#include <fstream>
#include <sstream>

#include "github/server/github_server.hpp"
#include "steps/repo_fixture.hpp"

namespace converge::testing {

inline constexpr std::string_view kGatedConfig = R"(environments:
  - {name: dev, branch: "dev/**"}
  - name: stage
    branch: develop
    gates: {plan_pinning: true}
  - name: prod
    branch: main
    gates: {approvals: 1, distinct_approver: true, plan_pinning: true}
targets:
  - name: app-db
    provider: sql
    settings:
      url: sqlite:///.converge/${CONVERGE_ENV}.db
)";

class GitHubFlowTest : public RepoTest {
 protected:
  void SetUp() override {
    RepoTest::SetUp();
    dir_.write("converge.yaml", kGatedConfig);
    sha_ = repo_->commit_all("gated config");
  }

  // Runs a step as a runner would, with `event` as the payload.
  RunResult step(const std::vector<std::string>& args, const std::string& event_name, const nlohmann::json& event,
                 const std::string& sha, std::map<std::string, std::string> extra = {}) {
    std::ofstream(dir_ / "event.json") << event.dump();
    std::map<std::string, std::string> env = {
        {"GITHUB_ACTIONS", "true"},
        {"GITHUB_TOKEN", github_.token()},
        {"GITHUB_REPOSITORY", github_.repository()},
        {"GITHUB_API_URL", github_.url()},
        {"GITHUB_SERVER_URL", "https://github.com"},
        {"GITHUB_RUN_ID", std::to_string(++run_id_)},
        {"GITHUB_RUN_ATTEMPT", "1"},
        {"GITHUB_ACTOR", "deployer"},
        {"GITHUB_EVENT_NAME", event_name},
        {"GITHUB_EVENT_PATH", (dir_ / "event.json").string()},
        {"GITHUB_SHA", sha},
        {"GITHUB_OUTPUT", (dir_ / "output.txt").string()},
        {"GITHUB_STEP_SUMMARY", (dir_ / "summary.md").string()},
        {"CONVERGE_HTTP_TIMEOUT_MS", "2000"},
        {"CONVERGE_HTTP_MAX_DELAY_MS", "20"},
    };
    for (auto& [k, v] : extra) env[k] = v;
    auto r = run_step("converge", args, dir_.path(), env);
    transcript_ += r.out + r.err;
    return r;
  }

  // A pull_request event (the real recorded "opened" payload) for PR `number`.
  nlohmann::json pull_request_event(int number, const std::string& base, const std::string& head_sha) {
    std::ifstream in(std::string(CONVERGE_SHARED_TESTDATA) + "/github-events/octokit-webhooks/pull_request/opened.payload.json");
    auto event = nlohmann::json::parse(in);
    event["number"] = number;
    event["pull_request"]["number"] = number;
    event["pull_request"]["base"]["ref"] = base;
    event["pull_request"]["head"]["sha"] = head_sha;
    return event;
  }

  // A push event (the real recorded payload) of `sha` to `branch`.
  nlohmann::json push_event(const std::string& branch, const std::string& sha) {
    std::ifstream in(std::string(CONVERGE_SHARED_TESTDATA) + "/github-events/reallyfastci/push/webhook-push-to-master.json");
    auto event = nlohmann::json::parse(in);
    event["ref"] = "refs/heads/" + branch;
    event["after"] = sha;
    return event;
  }

  std::string file(const std::string& name) {
    std::ifstream in(dir_ / name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // True when the token appears anywhere but in the runner's ::add-mask:: command
  // (which must carry it: that is how the runner learns what to hide).
  bool token_leaked() const {
    std::istringstream lines(transcript_);
    for (std::string line; std::getline(lines, line);)
      if (!line.starts_with("::add-mask::") && line.find(github_.token()) != std::string::npos) return true;
    for (const char* f : {"output.txt", "summary.md"}) {
      std::ifstream in(dir_ / f);
      std::stringstream s;
      s << in.rdbuf();
      if (s.str().find(github_.token()) != std::string::npos) return true;
    }
    return false;
  }

  GitHubServer github_;
  int run_id_ = 1000;
  std::string transcript_;  // everything every step printed, for the token check
};

}  // namespace converge::testing
