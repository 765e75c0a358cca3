// Issue 15's plan-comment case: the GitHub API requests plan-comment makes for its
// sticky comment after a push (the pull request's second: the first found the comment
// the opening created and recorded where it is), on pull requests with 10, 500 and 5,000 other comments
// (target: at most 3 whatever the number), counted by the local GitHub server
// (tests/github/server), and the run's time as a whole process. Not counted: who the
// token is (GET /user) and the writing of the plan record (POST …/statuses/…).
#include <chrono>

#include "github/server/actions_runner.hpp"
#include "support/git_repo.hpp"
#include "support.hpp"

namespace converge::bench {
namespace {

namespace fs = std::filesystem;

const std::string kHead1(40, '1'), kHead2(40, '2'), kHead3(40, '3');

int comment_requests(const testing::GitHubServer& github) {
  int n = 0;
  for (const auto& r : github.requests()) {
    const std::string method = r["method"], path = r["path"];
    if (path == "/user" || (method == "POST" && path.find("/statuses/") != std::string::npos)) continue;
    ++n;
  }
  return n;
}

void BM_PlanCommentRequests(benchmark::State& state) {
  const auto others = state.range(0);
  const fs::path dir = fresh_dir("comments-" + std::to_string(others));
  write_sql_repo(dir, "environments:\n  - {name: prod, branch: main}\n",
                 ".converge/\nevent.json\noutput.txt\nsummary.md\n");
  testing::GitRepo repo(dir, "main");
  const std::string sha = repo.commit_all("bench");
  testing::GitHubServer github;
  github.seed({{"pulls", {{{"number", 1}, {"user", "alice"}, {"head", {{"ref", "develop"}, {"sha", kHead1}}},
                          {"base", {{"ref", "main"}}}}}}});
  nlohmann::json comments = nlohmann::json::array();
  for (std::int64_t i = 0; i < others; ++i)
    comments.push_back({{"issue", 1}, {"body", "comment " + std::to_string(i)}, {"user", i % 2 ? "alice" : "bob"},
                        {"created_at", "2026-01-01T00:00:00Z"}});
  if (others > 0) github.seed({{"comments", comments}});
  testing::ActionsRunner runner(dir, github);
  // The pull request's opening: the comment and converge's record on its head.
  if (auto opened = runner.run({"plan-comment"}, "pull_request", runner.pull_request_event(1, "main", kHead1), sha);
      opened.exit_code != 0)
    return state.SkipWithError(("plan-comment failed: " + opened.err).c_str());
  const auto push = [&](const std::string& before, const std::string& head) {
    auto event = runner.pull_request_event(1, "main", head);
    event["action"] = "synchronize";
    event["before"] = before;
    event["after"] = head;
    return event;
  };
  // A first push: this run finds the comment it did not create, so converge's record on
  // its head remembers where it is (a run that created it remembers nothing).
  if (auto first = runner.run({"plan-comment"}, "pull_request", push(kHead1, kHead2), sha); first.exit_code != 0)
    return state.SkipWithError(("plan-comment failed: " + first.err).c_str());
  const auto pushed = push(kHead2, kHead3);
  int requests = 0;
  for (auto _ : state) {
    github.clear_requests();
    const auto start = std::chrono::steady_clock::now();
    auto ran = runner.run({"plan-comment"}, "pull_request", pushed, sha);
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (ran.exit_code != 0) return state.SkipWithError(("plan-comment failed: " + ran.err).c_str());
    requests = std::max(requests, comment_requests(github));
  }
  state.counters["requests"] = requests;
  state.SetLabel("plan-comment after a push");
}
CONVERGE_BENCHMARK(BM_PlanCommentRequests)
    ->Apply([](auto* b) { sized(b, {10, 500, 5000}, 10); })
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();

}  // namespace
}  // namespace converge::bench
