// A consumer repository with gated environments, the local GitHub API server, and
// a runner that runs steps as GitHub Actions would.
#pragma once

#include "github/server/actions_runner.hpp"
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

  RunResult step(const std::vector<std::string>& args, const std::string& event_name, const nlohmann::json& event,
                 const std::string& sha, const std::map<std::string, std::string>& extra = {}) {
    return runner_.run(args, event_name, event, sha, extra);
  }
  nlohmann::json pull_request_event(int number, const std::string& base, const std::string& head_sha) {
    return runner_.pull_request_event(number, base, head_sha);
  }
  nlohmann::json push_event(const std::string& branch, const std::string& sha) {
    return runner_.push_event(branch, sha);
  }
  std::string file(const std::string& name) { return runner_.file(name); }
  bool token_leaked() const { return runner_.token_leaked(); }

  GitHubServer github_;
  ActionsRunner runner_{dir_.path(), github_};
};

}  // namespace converge::testing
