// The trusted converge.yaml of a run, and what it rules: gates, the environment
// list, branch rules and the secrets an environment may use come from the copy on
// the environment branch before the change, never from the change being deployed
// (config/trust.hpp has the pure rules; git/history.hpp reads the copy).
//
// Which copy: the nearest first-parent ancestor that has the file, starting at
//   1. --trusted-ref REV when given (the rollback workflow passes the environment
//      branch, since it checks out an old tag);
//   2. on a `push`, the branch's previous tip (the event's `before`) when the clone
//      has it: a push of several commits, or of a merge whose first parent is the
//      merged branch, is judged by what the branch was before the push;
//   3. else the first parent of HEAD (a merge commit's first parent is the branch
//      before the merge; a pull_request run checks out refs/pull/N/merge, whose first
//      parent is the base branch; a squash merge's is the previous tip).
// No ancestor with the file: the first adoption, where the checked-out copy is used
// and a warning says so. A history missing from the clone is an error, never a first
// adoption.
#pragma once

#include <string>
#include <vector>

#include "converge/config/trust.hpp"
#include "converge/steps/session.hpp"

namespace converge::steps {

struct Trust {
  config::Config trusted;       // the trusted copy (the checked-out one at the first adoption)
  std::string commit;           // the commit it was read from; empty at the first adoption
  bool first_adoption = false;
};

// Finds and parses the trusted copy of `proposed` (see above). Errors: runtime (no
// repository in a runner, a start that does not resolve, a shallow history), config
// (the trusted copy does not parse: its errors name "converge.yaml@<sha12>").
Expected<Trust> load_trust(const config::Config& proposed, const std::string& trusted_ref, StepIo io);

// Rules `config` by the trusted copy: every environment the trusted copy has becomes
// config::effective_environment(trusted, proposed); then checks the ${NAME}
// references of `environment` against the names the trusted copy allows
// (config::check_variables). With `deploys` (apply, drift --apply): an environment
// the trusted copy lacks is refused, and on a `push` the pushed branch must match
// the trusted branch glob, else refused. Nothing is applied after an Error here.
Expected<void> apply_trust(config::Config& config, const Trust& trust, const std::string& environment, bool deploys,
                           StepIo io);

// The names ${NAME} may use in `environment` (config::allowed_variables of the
// trusted copy), sorted: what the workflows export as environment variables.
std::vector<std::string> secret_names(const Trust& trust, const std::string& environment);

// The environment a pull request into `base` plans: the trusted branch rules first;
// a base only the proposed copy maps (a new environment) is planned too, never
// applied. Empty when neither maps it.
std::string environment_for_base(const config::Config& proposed, const Trust& trust, const std::string& base);

// The first line of the gate change section: the comparison of a plan comment with
// its plan (github::shows_plan) stops there, since the section is information; the
// gates are enforced from the trusted copy whatever a comment says.
inline constexpr std::string_view kGateChangeMarker = "<!-- converge:gate-change -->";

// The plan comment's "Gate change" section (markdown: a newline, kGateChangeMarker)
// when `proposed` changes any environment's gates, branch or secrets versus the
// trusted copy; empty otherwise. Every line of config::describe_gate_changes is a
// code span, so nothing from the change renders as markdown.
std::string gate_change_section(const config::Config& proposed, const Trust& trust);

}  // namespace converge::steps
