// Trusted rules. The gates, the environment list, the branch rules and the secrets an
// environment may use come from a trusted converge.yaml (the copy on the environment
// branch before the change: steps/trust.hpp finds it in Git), never from the change
// being deployed. These are the pure parts: which variables a copy references and
// allows, the stricter of two gates, an environment as the trusted copy rules it, and
// the gate changes a pull request makes, in words.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "converge/config/config.hpp"

namespace converge::config {

// A shell-style name: letters, digits and '_', not starting with a digit.
bool valid_variable_name(std::string_view name);
// Names converge never expands, whatever a converge.yaml declares: the runner's and
// GitHub's own (GITHUB_*, RUNNER_*, ACTIONS_*, INPUT_* — container action inputs,
// the token among them), converge's settings (CONVERGE_*; CONVERGE_ENV is a builtin,
// no variable), the loader's (LD_*) and the process's (PATH, HOME, ...).
bool reserved_variable(std::string_view name);

struct VariableReference {
  std::string name;
  SourceLocation where;
};
// Every ${NAME} (also ${NAME:-default}) in the values `environment` uses: its
// targets' settings with its overrides merged, and the manifest URL; in file order,
// repeats kept. A target setting `secrets: [NAME, ...]` (variables a provider reads
// itself at apply time, as the assets provider does) references each NAME. ${CONVERGE_ENV} and `$${` escapes are not references; a malformed
// reference is skipped (expand() reports it). Empty for an unknown environment.
std::vector<VariableReference> variable_references(const Config& config, std::string_view environment);

using NameSet = std::set<std::string, std::less<>>;
// The names ${NAME} may use in `environment`, as `trusted` rules: its `secrets:`
// list for that environment, else the names it references itself for it; never a
// reserved name. Empty when `trusted` has no such environment.
NameSet allowed_variables(const Config& trusted, std::string_view environment);

// Error::config at the first reference (in `config`, for `environment`) to a name
// not in `allowed`, naming the variable: "variable X is not declared in the trusted
// converge.yaml for prod", or "... is reserved" for a reserved name.
Expected<void> check_variables(const Config& config, std::string_view environment, const NameSet& allowed);

// Per field, the stricter of two gates: the larger approvals, each requirement on
// when either has it, each allowance (allow_large_pull_requests) only when both do.
Gates stricter(const Gates& a, const Gates& b);

// `proposed` as `trusted` rules it: gates the stricter of both; branch, promotion
// source (the trusted one, else the proposed one) and secrets list from `trusted`.
// Drift settings and the name stay the proposed ones.
Environment effective_environment(const Environment& trusted, const Environment& proposed);

// What `proposed` changes in the rules `trusted` sets, one line per change in
// environment order, plain text ("prod: approvals 2 → 0", "prod: branch main →
// release/*", "prod: secrets DB_URL → DB_URL, EXTRA", "qa: new environment", "stage:
// environment removed"); empty when the rules are the same. Targets and settings are
// the change itself and are not listed.
std::vector<std::string> describe_gate_changes(const Config& trusted, const Config& proposed);

}  // namespace converge::config
