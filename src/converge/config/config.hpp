// converge.yaml: environments (ordered dev → prod), targets and the manifest store.
// Parsing checks structure (unknown keys, types, references) and keeps source
// locations; `${VAR}` expansion happens in resolve(), for one environment only, so
// a prod secret need not exist in a dev job, and the manifest URL is expanded only by
// manifest_url(), when a step opens the store. Reference: docs/configuration.md.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "converge/config/settings.hpp"
#include "converge/util/error.hpp"

namespace converge::config {

enum class DriftMode { detect, apply };

struct Gates {
  int approvals = 0;               // approvals required from reviewers other than the author
  bool distinct_approver = false;  // approvers must not have pushed commits to the PR
  bool plan_pinning = false;       // apply only the plan that was approved
  bool allow_large_pull_requests = false;  // accept PRs with more commits than GitHub lists (250)
};

struct Drift {
  std::string schedule;  // cron expression, informational for the workflows; empty = none
  DriftMode mode = DriftMode::detect;
};

struct Environment {
  std::string name;
  std::string branch;  // glob for the branch that deploys it ("dev/**", "develop", "main")
  Gates gates;
  Drift drift;
  std::optional<std::string> promote_from;
  // `feature: true`: a template of environments, one per branch its `branch` glob
  // matches (a feature branch): each branch gets its own runtime (a provider names it
  // after the branch, e.g. fabric's feature workspace), its own manifest rows (under
  // runtime_name()) and `converge destroy` deletes it when the branch is done. Never
  // true for an environment whose runtime is shared: destroy refuses those.
  bool feature = false;
  // `secrets: [NAME, ...]`: the variables ${NAME} may name for this environment (read
  // from the trusted copy: config/trust.hpp); nullopt when the key is absent.
  std::optional<std::vector<std::string>> secrets;
  SourceLocation where;
};

// A target as written: settings may differ per environment through `overrides`.
struct Target {
  std::string name;
  std::string provider;
  std::vector<std::string> environments;  // empty = every environment
  SourceLocation where;
  SourceLocation provider_where;
  // Unexpanded settings and per-environment overrides (values as JSON, each with
  // its location); resolve() merges and expands them.
  struct RawValue {
    nlohmann::json value;
    SourceLocation where;
  };
  std::map<std::string, RawValue, std::less<>> settings;
  std::map<std::string, std::map<std::string, RawValue, std::less<>>, std::less<>> overrides;

  bool applies_to(std::string_view environment) const;
  // The settings as `environment` sees them: `settings` with its overrides on top.
  std::map<std::string, RawValue, std::less<>> settings_for(std::string_view environment) const;
};

struct Config {
  std::filesystem::path file;  // as given (used in messages)
  std::filesystem::path root;  // directory holding converge.yaml: paths are relative to it
  std::vector<Environment> environments;
  std::vector<Target> targets;
  Target::RawValue manifest_url;

  // nullptr on a miss.
  const Environment* find_environment(std::string_view name) const;
  // The first environment (in file order) whose branch glob matches; nullptr on a miss.
  const Environment* environment_for_branch(std::string_view branch) const;
};

// Whether a glob (a branch pattern, a part of a `roots:` path) has a wildcard: *, ? or [.
inline bool has_wildcard(std::string_view glob) { return glob.find_first_of("*?[") != std::string_view::npos; }

inline constexpr std::string_view kDefaultManifestUrl = "sqlite:///.converge/manifest.db";

// Parses converge.yaml text. `file` names it in errors. Error (exit 2) names
// file:line:column and the key for every structural problem.
Expected<Config> parse(std::string_view text, const std::filesystem::path& file);
// Reads and parses a file; a missing file is a usage Error. Targets with `roots:`
// become one target per root folder (roots.hpp).
Expected<Config> load(const std::filesystem::path& file);

// Looks up a variable for ${VAR} expansion; nullopt when unset.
using VariableLookup = std::function<std::optional<std::string>(std::string_view)>;

struct ResolvedTarget {
  std::string name;
  std::string provider;
  SourceLocation provider_where;
  Settings settings;
};

struct Resolved {
  const Environment* environment = nullptr;
  std::vector<ResolvedTarget> targets;  // only those that apply to the environment
  // Every value that came from a ${VAR}, and each such variable's own value: mask them.
  std::vector<std::string> secrets;
};

// Selects an environment and expands `${VAR}` / `${VAR:-default}` (`$${` is a literal
// `${`) in its target settings (not the manifest URL: manifest_url()). `${CONVERGE_ENV}` is the
// environment's name. Errors: unknown environment (usage), unset variable (config,
// with location). With `keep_unset` (compile: the runtime is never reached) a setting
// with an unset variable keeps its text as written and is marked Setting::unresolved.
Expected<Resolved> resolve(const Config& config, std::string_view environment, const VariableLookup& lookup,
                           bool keep_unset = false);

// The manifest store URL for `environment`, expanded; a value that came from a
// variable is appended to `secrets`, and so is each variable's own value. Needs none
// of the targets' variables. Error (config, at the URL's location) "manifest.url:
// variable NAME is not set (referenced as ${NAME})" for an unset variable.
Expected<std::string> manifest_url(const Config& config, std::string_view environment, const VariableLookup& lookup,
                                   std::vector<std::string>& secrets);

// Expands variables in one string (exposed for tests). Error (config, at `where`)
// for an unset variable without a default or a malformed reference.
Expected<std::string> expand(std::string_view text, const VariableLookup& lookup, const SourceLocation& where);

}  // namespace converge::config
