// What every step that touches targets shares: load converge.yaml, select the
// environment, mask its secrets, instantiate its targets' providers; compile and
// plan; apply a plan through the providers. Steps compose these verbs.
#pragma once

#include <filesystem>
#include <map>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "converge/config/config.hpp"
#include "converge/git/facts.hpp"
#include "converge/github/console.hpp"
#include "converge/github/context.hpp"
#include "converge/plan/plan.hpp"
#include "converge/providers/provider.hpp"

namespace converge::steps {

// The narrow dependencies a step gets from its main().
struct StepIo {
  const github::RunContext& ctx;
  github::Console& console;
};

struct CommonOptions {
  std::filesystem::path config = "converge.yaml";
  std::string environment;
  std::string trusted_ref;  // --trusted-ref: where the search for the trusted converge.yaml starts (steps/trust.hpp)
  bool deploys = false;     // the step changes the runtime (apply, drift --apply): see apply_trust()
};

struct Trust;

struct TargetHandle {
  std::string name;
  std::string provider;
  std::unique_ptr<providers::Provider> impl;
  providers::Bundle bundle;  // filled by plan_environment()
};

struct Session {
  config::Config config;
  config::Resolved resolved;
  git::Facts git;
  std::vector<TargetHandle> targets;
  // What the manifest said each target manages, as plan_environment() read it.
  std::map<std::string, providers::PlanContext> contexts;
  const config::Environment& environment() const { return *resolved.environment; }
};

// Loads and validates the config, finds its trusted copy and rules the config by it
// (steps/trust.hpp: gates, environments, branches, allowed ${NAME}s), resolves the
// environment (secrets masked on the console), reads git facts and builds every
// target's provider. Errors: config (exit 2), refused (exit 1: an environment or
// branch the trusted copy does not allow) or runtime (exit 3).
Expected<Session> open_session(const CommonOptions& options, StepIo io);
// The same with converge.yaml already loaded and its trusted copy found (a step that
// needed both to pick the environment does not read them twice); options.config is
// not read again.
Expected<Session> open_session(config::Config config, const Trust& trust, const CommonOptions& options, StepIo io);

// Compiles every target's bundle and plans it against its runtime.
Expected<plan::Plan> plan_environment(Session& session);

// Persisted result of an apply, read by record-manifest. Written as JSON to
// result_path() (format 1):
// {"format":1,"apply_id","pr_number"(null or int),"approvers":[...],"break_glass",
//  "environment","git_sha","git_ref","git_tags":[...],
//  "plan_hash","status":"success"|"failure","targets":[{"target","status",
//  "bundle_hash","version","applied":[keys],"error","managed":[keys] or null}]}
struct TargetOutcome {
  std::string target;
  std::string status;  // "success" | "failure" | "skipped" (after an earlier target failed)
  std::string bundle_hash;
  std::string version;
  std::vector<std::string> applied;
  std::string error;
  std::optional<std::vector<std::string>> managed;  // keys converge manages after the apply
};
struct ApplyResult {
  std::string apply_id;
  std::optional<std::int64_t> pr_number;  // the pull request that was applied, if any
  std::vector<std::string> approvers;     // logins whose approvals satisfied the gate
  std::string break_glass;                // reason, when the approval gate was skipped  // GITHUB_RUN_ID-GITHUB_RUN_ATTEMPT in a runner, random locally
  std::string environment;
  std::string git_sha;
  std::string git_ref;
  std::vector<std::string> git_tags;
  std::string plan_hash;
  std::vector<TargetOutcome> targets;
  bool ok() const;
};

// Applies `plan` through the session's providers, target by target, stopping at the
// first failed target (later ones are "skipped"). Failures are in the result.
Expected<ApplyResult> apply_plan(Session& session, const plan::Plan& plan, StepIo io);

std::filesystem::path result_path(const Session& session);
std::filesystem::path result_path(const std::filesystem::path& config_file, std::string_view environment);
Expected<void> write_result(const std::filesystem::path& path, const ApplyResult& result);
Expected<ApplyResult> read_result(const std::filesystem::path& path);

// Prints the plan (text), writes the job summary (markdown) and plan.json when
// `plan_file` is not empty, and sets outputs has-changes / plan-hash.
void report_plan(const plan::Plan& plan, const std::filesystem::path& plan_file, StepIo io);

}  // namespace converge::steps
