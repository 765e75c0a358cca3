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
#include "converge/config/trust.hpp"
#include "converge/git/facts.hpp"
#include "converge/github/console.hpp"
#include "converge/github/context.hpp"
#include "converge/plan/plan.hpp"
#include "converge/providers/provider.hpp"
#include "converge/steps/data_out.hpp"

namespace converge::steps {

// The narrow dependencies a step gets from its main().
struct StepIo {
  const github::RunContext& ctx;
  github::Console& console;
  DataOut& data;  // standard output for --json and "-" paths (data_out.hpp)
};

struct CommonOptions {
  std::filesystem::path config = "converge.yaml";
  std::string environment;
  std::string trusted_ref;  // --trusted-ref: where the search for the trusted converge.yaml starts (steps/trust.hpp)
  bool deploys = false;     // the step changes the runtime (apply, drift --apply): see apply_trust()
  std::string branch;       // --branch: the branch whose runtime of a feature environment the step is for
                            // ("" = the run's: deployed_branch())
  bool offline = false;     // the step never reaches a runtime (compile): an unset ${VAR} in a target's
                            // settings is no error (config::resolve's keep_unset)
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
  // The targets' apply locks, held from lock_targets() until the session ends.
  std::vector<std::unique_ptr<providers::Lock>> locks;
  // The ${NAME}s the trusted converge.yaml allows this environment (manifest_store.hpp
  // expands the manifest URL with them, when a step opens the store).
  config::NameSet allowed_variables;
  // The step's io (open_session's), for verbs that open the manifest on their own
  // (plan_environment, lock_targets).
  std::optional<StepIo> io;
  // A pull request's plan: the paths the pull request changes (git/changes.hpp). A
  // target whose provider allows it (Provider::planned_only_when_changed) and none of
  // whose sources changed is not planned: plan_environment() gives it no changes and
  // lists it in `not_planned` with why. nullopt: every target is planned.
  std::optional<std::vector<std::string>> changed_paths;
  std::vector<std::pair<std::string, std::string>> not_planned;  // target, why
  // The branch this run is for (deployed_branch()), and the name of the runtime the
  // environment is in the manifest, in plans and in apply locks: the environment's
  // name, or for a feature environment (config `feature: true`) "<name>/<branch slug>",
  // one per branch.
  std::string branch = {};
  std::string runtime = {};
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

// Why a step plans: to show the plan (plan, plan-comment), to apply it (apply), or to
// compare the runtime with Git (drift-verify).
enum class PlanFor { preview, apply, drift };

// Keeps only the session's targets named in `names` (plan --target; converge.yaml's
// order, each once). Error (usage) naming the first name the environment has no
// target of, and the targets it has.
Expected<void> select_targets(Session& session, const std::vector<std::string>& names);

// True when the session plans a pull request (changed_paths set), `target`'s provider
// allows leaving it out (Provider::planned_only_when_changed) and none of the changed
// paths is one of its sources or inside one, nor converge.yaml (its settings).
bool unchanged_in_pull_request(const Session& session, const TargetHandle& target);
// The plan of a target left out of a pull request's plan (unchanged_in_pull_request):
// no changes, its compiled bundle's hash (compile it first); lists it in
// session.not_planned with why.
plan::TargetPlan not_planned_target(Session& session, const TargetHandle& target);

// Compiles every target's bundle and plans it against its runtime. For a preview
// (plan, plan-comment), providers may preview the changes on a scratch copy of the
// runtime (PlanContext::preview: the sql PR schema diff); apply and drift never do.
// For an apply, a provider may use a plan its plan job saved (PlanContext::apply).
// The manifest is opened only when a target keeps managed keys; for a preview a
// manifest the job cannot open (its URL's variable unset, the store unreachable) is a
// warning and those targets are planned as if nothing were recorded yet (no item
// counts as converge's, so none is deleted); otherwise, the Error.
Expected<plan::Plan> plan_environment(Session& session, PlanFor purpose);

// The branch a run is for: a pull request's head branch (GITHUB_HEAD_REF: its plan,
// and `destroy` when it closes), else the pushed branch (GITHUB_REF), else the branch
// checked out in `facts` (a local run); "" when none is known.
std::string deployed_branch(StepIo io, const git::Facts& facts);

// The manifest's name of `environment`'s runtime for `branch` (Session::runtime).
// Error (usage) for a feature environment when no branch is known.
Expected<std::string> runtime_name(const config::Environment& environment, const std::string& branch);

// `plan --write-snapshot`: compiles every target and has its provider rewrite its
// snapshot file from the desired state (Provider::write_snapshot). Returns the files
// written; Error (usage) when no target of the environment keeps a snapshot.
Expected<std::vector<std::string>> write_snapshots(Session& session);

// Takes every target's apply lock (target_locks.cpp) and keeps it in the session
// until the session ends: the target's own (a PostgreSQL advisory lock, an flock
// beside a SQLite file), else a lease row in the manifest store. A held lock makes
// a second apply wait up to CONVERGE_LOCK_TIMEOUT_MS (default 5 minutes); then
// Error (refused) naming the holder (run, host, pid, since when). Call it before
// plan_environment(), so the plan is made under the lock. Idempotent.
Expected<void> lock_targets(Session& session, StepIo io);

// Persisted result of an apply, read by record-manifest (apply_result.cpp).
// Written as JSON to result_path() (format 2):
// {"format":2,"apply_id","run_id","run_attempt","job","pr_number"(null or int),
//  "approvers":[...],"break_glass","environment","git_sha","git_ref","git_tags":[...],
//  "plan_hash","dirty"(true: made from a work tree that differed from git_sha),"status":"success"|"failure","targets":[{"target","status",
//  "bundle_hash","version","applied":[keys],"error","managed":[keys] or null}],
//  "mac"}
// In a runner, "mac" is HMAC-SHA256 (hex) of the document without "mac" (compact
// JSON, keys sorted), keyed by this job's result key; outside a runner it is "".
struct TargetOutcome {
  std::string target;
  std::string status;  // "success" | "failure" | "skipped" (after an earlier target failed)
  std::string bundle_hash;
  std::string version;
  std::vector<std::string> applied;
  std::string error;
  std::optional<std::vector<std::string>> managed;  // keys converge manages after the apply
  std::string promoted_from = {};  // "<environment>@<sha>": the source deployment of a promotion (apply_gates)
};
struct ApplyResult {
  std::string apply_id;     // GITHUB_RUN_ID-GITHUB_RUN_ATTEMPT in a runner, random locally
  std::string run_id;       // GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, GITHUB_JOB of the apply; "" locally
  std::string run_attempt;
  std::string job;
  std::optional<std::int64_t> pr_number;  // the pull request that was applied, if any
  std::vector<std::string> approvers;     // logins whose approvals satisfied the gate
  std::string break_glass;                // reason, when the approval gate was skipped
  std::string environment;
  std::string git_sha;
  std::string git_ref;
  std::vector<std::string> git_tags;
  std::string plan_hash;
  bool dirty = false;  // the work tree differed from git_sha (work_tree_check.hpp)
  std::vector<TargetOutcome> targets;
  bool ok() const;
};

// Applies `plan` through the session's providers, target by target, stopping at the
// first failed target (later ones are "skipped"). Failures are in the result.
Expected<ApplyResult> apply_plan(Session& session, const plan::Plan& plan, StepIo io);

// Where apply writes its result and record-manifest reads it. In a runner
// (GITHUB_ACTIONS=true): $RUNNER_TEMP/converge/apply-<env>.json, or in a container
// action, where RUNNER_TEMP is not mounted, $HOME/.converge/apply-<env>.json
// (apply_result.cpp, job_dir): outside the work tree either way (the work tree is
// the pull request's code; a file committed there is never a result). Locally:
// .converge/apply-<env>.json beside converge.yaml. Error (usage) in a runner
// without RUNNER_TEMP, or without it and a HOME outside the work tree.
Expected<std::filesystem::path> result_path(const std::filesystem::path& config_file, std::string_view environment,
                                            const github::RunContext& ctx);
// Writes `result` atomically; in a runner sealed with this job's result key (created
// 0600 as result.key beside the result when missing).
Expected<void> write_result(const std::filesystem::path& path, const ApplyResult& result,
                            const github::RunContext& ctx);
// The result as written (format 2), "mac" empty: also the "result" of apply --json.
nlohmann::json result_json(const ApplyResult& result);
// Parses a result file, trusting nothing in it. Error (usage) when it is not one.
Expected<ApplyResult> read_result(const std::filesystem::path& path);
// The result at `path` if this run may record it. In a runner, Error (refused), one
// line saying why, unless: `path` lies outside `work_tree`, its MAC verifies with
// this job's result key, and its run id, attempt and job are this run's, and its
// commit is `head_sha` (the checked-out commit). Locally: read_result().
Expected<ApplyResult> read_trusted_result(const std::filesystem::path& path, const github::RunContext& ctx,
                                          std::string_view head_sha, const std::filesystem::path& work_tree);

// Now, UTC, ISO 8601 ("2026-12-03T08:00:00Z").
std::string utc_now();

// Prints the plan (text), writes the job summary (markdown) and plan.json when
// `plan_file` is not empty (util::write_output: "-" is standard output, a device or
// symlink is written in place), and sets outputs has-changes / plan-hash. Error
// naming the file when it cannot be written (a directory, no permission).
Expected<void> report_plan(const plan::Plan& plan, const std::filesystem::path& plan_file, StepIo io);

}  // namespace converge::steps
