// converge init --apply-settings: the repository settings init prints as a checklist,
// made through GitHub's REST API with a repository admin's token. Idempotent: each
// setting is read first and written only when it differs, and what the repository
// already has beyond converge's needs (other required checks, more approvals,
// reviewers) is kept.
//
// What it sets, from converge.yaml:
//   - every environment E: the GitHub environment E, deployment branches limited to
//     E's branch pattern (a custom branch policy); its required reviewers are left as
//     they are (who they are is not in converge.yaml: a note says to add them when
//     E has approvals and none are set);
//   - every environment E: the GitHub environment E-plan (for plans; no branch
//     policy), created when missing;
//   - every environment branch without wildcards (where pull requests go): branch
//     protection requiring a pull request with at least E's `approvals` approvals,
//     stale approvals dismissed, approval of the last push, the status check
//     `converge/plan (E)` (converge's plan record) on a branch up to date before
//     merging, for administrators too.
#pragma once

#include <string>
#include <vector>

#include "converge/config/config.hpp"
#include "converge/github/api.hpp"
#include "converge/steps/init.hpp"

namespace converge::steps {

struct SettingsChange {
  std::string what;  // "environment prod: deployment branches main", …
};

// The changes made (or, with dry_run, that would be made); empty when everything is
// in place. `notes` gets what converge cannot set itself. Error (runtime) naming the
// request on the first failure (a 403 says the token needs admin rights).
Expected<std::vector<SettingsChange>> apply_repo_settings(github::Api& api, const config::Config& config, bool dry_run,
                                                         std::vector<std::string>& notes);

// init's --apply-settings: connects with GITHUB_TOKEN to options.repository (default
// GITHUB_REPOSITORY), applies (or with dry_run previews) the settings and prints one
// line per change, then the notes. Exit 0, 2 without a token or repository, 3 when
// GitHub refuses (one line naming the request and that an admin's token is needed).
int apply_settings(const config::Config& config, const InitOptions& options, StepIo io);

}  // namespace converge::steps
