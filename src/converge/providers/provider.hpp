// The one interface every provider implements, and the registry that finds a
// provider by name. Steps drive targets only through this; they never know which
// provider sits behind it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "converge/config/settings.hpp"
#include "converge/plan/plan.hpp"
#include "converge/util/error.hpp"

namespace converge::providers {

// What a provider needs to know about its target.
struct TargetSpec {
  std::string name;
  std::string environment;
  std::filesystem::path repo_root;  // paths in settings are relative to it
  config::Settings settings;
  // The branch the run is for, when the environment is a feature environment (one
  // runtime per branch: config::Environment::feature); "" otherwise.
  std::string branch = {};
};

// Desired state of one target for one environment, compiled from the repo.
struct Bundle {
  std::string hash;         // content hash (stable across machines)
  nlohmann::json content;   // provider-specific; opaque to steps
};

// What converge knows about a target beyond the repo and the runtime: from the
// manifest, the keys of the items converge manages there (it created them), so a
// provider deletes only its own items unless its settings say `prune: true`.
struct PlanContext {
  std::set<std::string> managed_keys;
  bool managed_known = false;  // false: no deployment recorded yet (nothing is known to be converge's)
  // plan and plan-comment: the provider may preview what the changes do on a scratch
  // copy of the runtime (sql: the PR schema diff and the stale-snapshot check). Never
  // set for apply or drift, which must not create anything beside the runtime.
  bool preview = false;
  // apply (the apply step only): the plan is the one the step applies once its hash
  // equals the approved plan's, so a provider may use the plan its plan job saved for
  // it (terraform's sealed plan file). Never set for plan, plan-comment or drift, whose
  // plans must be of the runtime as it is now.
  bool apply = false;
  // drift-verify (its check and its --apply): the plan is drift, so it also counts what
  // changed in the runtime outside the tool that Git's state would not undo (terraform:
  // a refresh-only plan beside the normal one). Never set for plan or apply, whose
  // plans are what a review approves.
  bool drift = false;
  // What is deployed: the commit and its first tag (plan_environment() fills them from
  // the repository), for a provider that writes them into the runtime for people who
  // look there (fabric: the workspace description's stamp). Not compared by a plan.
  std::string git_sha;
  std::string git_tag;
};

// The runtime's state written back as repository sources (export-to-pr): paths
// relative to the repository root → file content. `removed` lists source files of
// items that no longer exist in the runtime.
struct ExportedSources {
  std::map<std::string, std::string> files;
  std::vector<std::string> removed;
  // Lines for the commit message: what changed in the runtime and who changed it there,
  // when the runtime records it ("changed charts/… (Sales), changed by Alice Analyst on …").
  std::vector<std::string> credits = {};
  // The runtime's users whose edits the export brings, as "Name <e-mail>" (the commit's
  // Co-authored-by trailers), where the runtime gives their e-mail.
  std::vector<std::string> co_authors = {};
};

struct ApplyReport {
  std::vector<std::string> applied;   // keys of the changes applied, in order
  std::string failed_key;             // the change that failed; empty when all applied
  std::string error;                  // why it failed
  std::vector<std::string> warnings;
  // Lines for the apply's log that need no attention (which plan file was applied).
  // Never in the plan: a plan's notes are rendered in the plan comment, which the
  // apply re-renders to check it (plan pinning), so they must read the same there.
  std::vector<std::string> notes;
  std::string version;                // runtime version after apply (e.g. latest migration)
  // Keys of every item converge manages after this apply (recorded in the manifest
  // for the next PlanContext). nullopt: the provider does not track ownership.
  std::optional<std::vector<std::string>> managed_keys;
  bool ok() const { return failed_key.empty() && error.empty(); }
};

// Who asks for a target's apply lock, and how long it waits. `holder` is the one
// line another run shows when it finds the lock taken.
struct LockRequest {
  std::string holder;    // "run <url> (job apply) on host h, pid 42, since 2026-12-03T08:00:00Z"
  std::string host;      // this machine's host name
  std::int64_t pid = 0;  // this process
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds poll{std::chrono::milliseconds(250)};
  // Called once, with the holder's line, when the lock is taken and the run starts waiting.
  std::function<void(const std::string& holder)> on_wait;
};

// A held apply lock of one target. The destructor releases it; the runtime also
// releases it when the process dies (a closed connection, a closed file).
class Lock {
 public:
  virtual ~Lock() = default;
};

// What one attempt at a lock gives: the lock, or (lock == nullptr) the line naming
// whoever holds it now.
struct LockAttempt {
  std::unique_ptr<Lock> lock;
  std::string holder;
};

// Tries `attempt` until it returns a lock or request.timeout has passed (calling
// request.on_wait once when it starts waiting). Error (refused) on timeout: "<what>
// is held by <holder>; waited N s for it; nothing was applied"; an Error of `attempt`
// is returned as is.
Expected<std::unique_ptr<Lock>> wait_for_lock(std::string_view what, const LockRequest& request,
                                              const std::function<Expected<LockAttempt>()>& attempt);

class Provider {
 public:
  virtual ~Provider() = default;

  // Desired state from the repository. Error (config, with file:line) on bad sources.
  virtual Expected<Bundle> compile() = 0;

  // Reads the runtime and returns the changes from actual to `desired`, with
  // TargetPlan::errors for states no change can fix. Error (runtime) when the
  // runtime cannot be read.
  virtual Expected<plan::TargetPlan> plan(const Bundle& desired, const PlanContext& context) = 0;

  // Applies exactly `changes` (a plan computed against this runtime), in order,
  // stopping at the first failure, which is reported in ApplyReport (not as Error).
  // Error only when apply could not start (runtime unreachable).
  virtual Expected<ApplyReport> apply(const Bundle& desired, const plan::TargetPlan& changes) = 0;

  // What the runtime reports it runs (e.g. the latest applied migration version);
  // empty when nothing has been applied.
  virtual Expected<std::string> runtime_version() = 0;

  // Takes this target's apply lock, waiting up to request.timeout while another run
  // holds it; the caller keeps it for the whole apply. nullptr: the provider has no
  // lock in its runtime (the caller takes one in the manifest store instead).
  // Error (refused) naming the holder when the wait timed out, (runtime) when the
  // runtime cannot be reached. Default: nullptr.
  virtual Expected<std::unique_ptr<Lock>> lock(const LockRequest& request);

  // The repository paths compile() reads (folders or files; relative to the repository
  // root or absolute). In a runner, apply refuses a work tree with untracked or modified
  // files under them, which would be deployed but recorded at a commit without them
  // (steps/session.cpp). Empty (the default): the whole repository.
  virtual std::vector<std::filesystem::path> source_paths() const { return {}; }

  // True when a pull request's plan may leave this target out when none of its
  // source_paths() changed in the pull request (terraform: one target per root, each
  // plan slow). Default: false, every target is planned.
  virtual bool planned_only_when_changed() const { return false; }

  // True when this target's drift is reported on its own (its own drift issue per
  // environment: terraform, one per root) rather than with the environment's other
  // targets. Default: false.
  virtual bool drift_reported_alone() const { return false; }

  // True when plan() needs PlanContext::managed_keys (read from the manifest).
  virtual bool uses_managed_keys() const { return false; }

  // The compiled bundle as files (relative path → content) for `converge compile`,
  // deterministic: the same bundle always gives the same bytes. Default: one
  // bundle.json with the bundle's content.
  virtual std::map<std::string, std::string> bundle_files(const Bundle& bundle) const;

  // The runtime's state, normalised, as repository sources (export-to-pr). Error
  // (usage) from providers that cannot export.
  virtual Expected<ExportedSources> export_sources();

  // `converge destroy`: deletes this feature environment's runtime of the run's branch
  // (TargetSpec::branch), made by apply. Returns one line saying what was deleted, ""
  // when there was nothing to delete. Error (usage) from providers and settings that
  // keep no runtime per branch (the default), (refused) when the runtime found is not
  // one converge made for the branch.
  virtual Expected<std::string> destroy();

  // `plan --write-snapshot`: rewrites the repository's snapshot of what `desired`
  // produces (sql: every migration replayed on a scratch database, dumped to the
  // snapshot file), never touching the runtime. Returns the files written (relative to
  // the repository root); empty from providers that keep no snapshot (the default).
  // Error (runtime) when it cannot be made, (config/usage) when it may not be written.
  virtual Expected<std::vector<std::string>> write_snapshot(const Bundle& desired);

  // Set by the step before apply(): apply() calls it after each change it applied,
  // with the report so far (applied, version, managed_keys as they stand), so the
  // step can journal it and a killed apply leaves a truthful record.
  using Progress = std::function<void(const ApplyReport& so_far)>;
  void on_progress(Progress progress) { progress_ = std::move(progress); }

  // Set by the step before apply(): a provider whose changes can take long (a
  // migration) calls it when one starts (done = false) and when it ends (done = true,
  // with how long it took and whether it failed), so the step can show each as it runs.
  struct ChangeEvent {
    std::string key;
    bool done = false;
    std::chrono::milliseconds took{0};
    bool failed = false;
  };
  using ChangeWatcher = std::function<void(const ChangeEvent&)>;
  void on_change(ChangeWatcher watcher) { watcher_ = std::move(watcher); }

 protected:
  void report_progress(const ApplyReport& so_far) const {
    if (progress_) progress_(so_far);
  }
  void report_change(const ChangeEvent& event) const {
    if (watcher_) watcher_(event);
  }
  // Runs one change between its two events (its start; its end, with how long `run`
  // took and failed = `run` returned false) and returns what `run` returned.
  bool run_change(const std::string& key, const std::function<bool()>& run) const;

  // The apply of a provider that tracks what it manages (ApplyReport::managed_keys):
  // `changes` in order, each through `apply_one` between its two events, stopping at the
  // first failure (the report's failed_key and error). `managed` (what converge manages
  // before the apply) follows: a create adds its key, a delete removes it, and a failed
  // create whose item `exists_now` (its answer was lost after the write) counts as
  // made. The report so far goes to the step after every change (report_progress).
  ApplyReport apply_in_order(const plan::TargetPlan& changes, std::set<std::string> managed,
                             const std::function<Expected<void>(const plan::Change&, ApplyReport&)>& apply_one,
                             const std::function<bool(const plan::Change&)>& exists_now) const;

 private:
  Progress progress_;
  ChangeWatcher watcher_;
};

// For apply(): Error (refused) when `plan` carries errors or error-level findings, naming the target and
// them; a provider never applies such a plan, whatever its caller checked.
Expected<void> refuse_plan_errors(const plan::TargetPlan& plan, std::string_view target);

using Factory = std::function<Expected<std::unique_ptr<Provider>>(const TargetSpec&)>;

// The provider registered under `name`; nullptr on a miss.
const Factory* find(std::string_view name);
// Names of every registered provider, sorted (for error messages).
std::vector<std::string> names();

}  // namespace converge::providers
