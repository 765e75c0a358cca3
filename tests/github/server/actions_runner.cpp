// ActionsRunner: the runner's environment around a step executable.
#include "github/server/actions_runner.hpp"

#include <fstream>
#include <sstream>

namespace converge::testing {
namespace {

nlohmann::json payload(const std::string& relative) {
  std::ifstream in(std::string(CONVERGE_SHARED_TESTDATA) + "/github-events/" + relative);
  return nlohmann::json::parse(in);
}

}  // namespace

ActionsRunner::ActionsRunner(std::filesystem::path workdir, const GitHubServer& github)
    : workdir_(std::move(workdir)), github_(github) {}

RunResult ActionsRunner::run(const std::vector<std::string>& args, const std::string& event_name,
                             const nlohmann::json& event, const std::string& sha,
                             const std::map<std::string, std::string>& extra) {
  ++run_id_;
  return exec(args, event_name, event, sha, extra);
}

RunResult ActionsRunner::same_job(const std::vector<std::string>& args, const std::string& event_name,
                                  const nlohmann::json& event, const std::string& sha,
                                  const std::map<std::string, std::string>& extra) {
  return exec(args, event_name, event, sha, extra);
}

RunResult ActionsRunner::exec(const std::vector<std::string>& args, const std::string& event_name,
                              const nlohmann::json& event, const std::string& sha,
                              const std::map<std::string, std::string>& extra) {
  // A runner's payload is always an object; `{}` at a call site reads as null.
  std::ofstream(workdir_ / "event.json") << (event.is_null() ? nlohmann::json::object() : event).dump();
  std::filesystem::create_directories(job_home());
  std::map<std::string, std::string> env = {
      {"GITHUB_ACTIONS", "true"},
      {"GITHUB_TOKEN", github_.token()},
      {"GITHUB_REPOSITORY", github_.repository()},
      {"GITHUB_API_URL", github_.url()},
      {"GITHUB_SERVER_URL", "https://github.com"},
      {"GITHUB_RUN_ID", std::to_string(run_id_)},
      {"GITHUB_RUN_ATTEMPT", "1"},
      {"GITHUB_JOB", "deploy"},
      {"GITHUB_WORKSPACE", workdir_.string()},
      // A path only this step's container could create (a new one for every step, as
      // what a container writes outside its mounts is gone when it ends).
      {"RUNNER_TEMP", (temp_root_.path() / ("container-" + std::to_string(++steps_)) / "_temp").string()},
      {"HOME", job_home().string()},
      {"GITHUB_ACTOR", "deployer"},
      {"GITHUB_EVENT_NAME", event_name},
      {"GITHUB_EVENT_PATH", (workdir_ / "event.json").string()},
      {"GITHUB_SHA", sha},
      {"GITHUB_OUTPUT", (workdir_ / "output.txt").string()},
      {"GITHUB_STEP_SUMMARY", (workdir_ / "summary.md").string()},
      {"CONVERGE_HTTP_TIMEOUT_MS", "2000"},
      {"CONVERGE_HTTP_MAX_DELAY_MS", "20"},
  };
  for (const auto& [k, v] : extra) env[k] = v;
  auto r = run_step("converge", args, workdir_, env);
  transcript_ += r.out + r.err;
  return r;
}

nlohmann::json ActionsRunner::pull_request_event(int number, const std::string& base,
                                                 const std::string& head_sha) const {
  auto event = payload("octokit-webhooks/pull_request/opened.payload.json");
  event["number"] = number;
  event["pull_request"]["number"] = number;
  event["pull_request"]["base"]["ref"] = base;
  event["pull_request"]["head"]["sha"] = head_sha;
  return event;
}

nlohmann::json ActionsRunner::push_event(const std::string& branch, const std::string& sha) const {
  auto event = payload("reallyfastci/push/webhook-push-to-master.json");
  event["ref"] = "refs/heads/" + branch;
  event["after"] = sha;
  return event;
}

nlohmann::json ActionsRunner::workflow_dispatch_event(const std::string& ref) const {
  auto event = payload("octokit-webhooks/workflow_dispatch/payload.json");
  event["ref"] = ref;
  return event;
}

std::filesystem::path ActionsRunner::job_home() const {
  return temp_root_ / ("home-" + std::to_string(run_id_));
}

std::string ActionsRunner::file(const std::string& name) const {
  std::ifstream in(workdir_ / name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool ActionsRunner::token_leaked() const {
  std::istringstream lines(transcript_);
  for (std::string line; std::getline(lines, line);)
    if (!line.starts_with("::add-mask::") && line.find(github_.token()) != std::string::npos) return true;
  for (const char* f : {"output.txt", "summary.md"})
    if (file(f).find(github_.token()) != std::string::npos) return true;
  return false;
}

}  // namespace converge::testing
