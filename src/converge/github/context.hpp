// The run context: everything the process environment tells a step, read once at
// start-up into one typed struct and passed down (no getenv elsewhere). Outside a
// runner the GitHub fields are empty and steps work from their flags alone.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "converge/github/event.hpp"
#include "converge/util/error.hpp"

namespace converge::github {

struct RunContext {
  bool in_actions = false;   // GITHUB_ACTIONS=true
  std::string repository;    // GITHUB_REPOSITORY ("owner/name")
  std::string sha;           // GITHUB_SHA
  std::string ref;           // GITHUB_REF ("refs/heads/main")
  std::string ref_name;      // GITHUB_REF_NAME
  std::string event_name;    // GITHUB_EVENT_NAME
  std::string event_path;    // GITHUB_EVENT_PATH
  std::string run_id;        // GITHUB_RUN_ID
  std::string run_attempt;   // GITHUB_RUN_ATTEMPT
  std::string actor;         // GITHUB_ACTOR, else USER
  std::string server_url;    // GITHUB_SERVER_URL (GitHub Enterprise has its own)
  std::string api_url;       // GITHUB_API_URL
  std::string workspace;     // GITHUB_WORKSPACE
  std::string output_file;   // GITHUB_OUTPUT
  std::string summary_file;  // GITHUB_STEP_SUMMARY
  bool debug = false;        // RUNNER_DEBUG=1 or CONVERGE_DEBUG=1
  std::string token;         // INPUT_TOKEN, else GITHUB_TOKEN; a secret
  // The login converge writes as when the token belongs to an integration (GitHub
  // answers GET /user with 403 for GITHUB_TOKEN and App installation tokens):
  // CONVERGE_GITHUB_LOGIN, else the `github-login` input, else github-actions[bot]
  // (the author of GITHUB_TOKEN's comments). A GitHub App sets its bot login,
  // "<app-slug>[bot]". Never empty.
  std::string github_login = "github-actions[bot]";

  // Inputs of a container action: INPUT_<NAME> → "name" (lower-cased).
  std::map<std::string, std::string, std::less<>> inputs;

  // The fields converge reads of the event payload at GITHUB_EVENT_PATH, filled by
  // load_event() (empty before, and when there is no payload).
  Event event;

  // The whole environment, for ${VAR} expansion in converge.yaml.
  std::map<std::string, std::string, std::less<>> variables;

  // nullopt when unset.
  std::optional<std::string> variable(std::string_view name) const;
  // The variable as a whole number of milliseconds (CONVERGE_*_MS); nullopt when
  // unset, not a number or negative.
  std::optional<std::chrono::milliseconds> milliseconds(std::string_view name) const;
  // Link to this run's log ("<server>/<repo>/actions/runs/<id>/attempts/<n>"); empty outside a runner.
  std::string run_url() const;

  // Reads a NULL-terminated environ array; never reads a file (so --help and
  // --version work whatever the environment holds).
  static RunContext from_environment(char** envp);

  // Reads and checks the event payload at GITHUB_EVENT_PATH into `event`; nothing
  // to do when the variable is unset or empty. Error (usage) naming the variable,
  // the path and, for a bad field, the field (see event.hpp).
  Expected<void> load_event();

  // Checks the runner's values that go into API paths and links: GITHUB_REPOSITORY
  // is "owner/name" (letters, digits, '-', '_', '.'), GITHUB_RUN_ID and
  // GITHUB_RUN_ATTEMPT are whole numbers; each may be empty (outside a runner).
  // Error (usage) naming the variable and its value.
  Expected<void> check() const;
};

}  // namespace converge::github
