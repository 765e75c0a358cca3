// Runs converge's step executables the way a GitHub Actions runner would: the
// GITHUB_* environment (token, repository, API URL of the local GitHub server, run
// id and attempt, event name and payload file, output and summary files), with
// event payloads built from the real recorded webhook payloads in shared/testdata.
// Every step runs as a container action (converge's actions are): RUNNER_TEMP names
// the runner's own path, which is not mounted into the container and so does not
// exist (actions/runner#1984), and HOME is the job's directory (/github/home, the
// job's _temp/_github_home on the runner): each run (job) gets its own, outside the
// work dir. GITHUB_JOB is "deploy" unless a step's `extra` environment says otherwise.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "github/server/github_server.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"

namespace converge::testing {

class ActionsRunner {
 public:
  // Steps run in `workdir`; event.json, output.txt and summary.md are written there.
  ActionsRunner(std::filesystem::path workdir, const GitHubServer& github);

  // A new run (new GITHUB_RUN_ID) of `converge <args>` for an event.
  RunResult run(const std::vector<std::string>& args, const std::string& event_name, const nlohmann::json& event,
                const std::string& sha, const std::map<std::string, std::string>& extra = {});

  // The same run id again (GITHUB_RUN_ID unchanged): a later step of the same job.
  RunResult same_job(const std::vector<std::string>& args, const std::string& event_name,
                     const nlohmann::json& event, const std::string& sha,
                     const std::map<std::string, std::string>& extra = {});

  nlohmann::json pull_request_event(int number, const std::string& base, const std::string& head_sha) const;
  nlohmann::json push_event(const std::string& branch, const std::string& sha) const;
  nlohmann::json workflow_dispatch_event(const std::string& ref) const;

  // True when the token appears anywhere but in the runner's ::add-mask:: command
  // (which must carry it: that is how the runner learns what to hide), or in the
  // output and summary files.
  bool token_leaked() const;
  std::string file(const std::string& name) const;  // a file of the work dir, "" when absent
  // The current job's HOME (outside the work dir; a new one for every run()).
  std::filesystem::path job_home() const;

  const std::string& transcript() const { return transcript_; }  // everything every run printed

 private:
  RunResult exec(const std::vector<std::string>& args, const std::string& event_name, const nlohmann::json& event,
                 const std::string& sha, const std::map<std::string, std::string>& extra);

  std::filesystem::path workdir_;
  const GitHubServer& github_;
  int run_id_ = 1000;
  int steps_ = 0;  // steps run so far: each gets its own container file system
  TempDir temp_root_;  // holds each job's HOME
  std::string transcript_;
};

}  // namespace converge::testing
