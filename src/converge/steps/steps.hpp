// The steps, one function each: options in, exit code out. Each step's main.cpp
// turns flags into these options and calls the function through run_guarded().
#pragma once

// cxxopts' std::regex parser compiles six patterns per including file at every step
// start; CMakeLists.txt chooses its own parser for every target.
#ifndef CXXOPTS_NO_REGEX
#error "converge builds cxxopts with CXXOPTS_NO_REGEX (CMakeLists.txt)"
#endif
#include <cxxopts.hpp>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "converge/steps/session.hpp"

namespace converge::steps {

struct PlanOptions {
  CommonOptions common;
  std::filesystem::path out;    // plan.json to write ("-" = standard output); empty = none
  std::filesystem::path sarif;  // SARIF log of the findings to write (github/sarif.hpp); empty = none
  bool write_snapshot = false;  // first rewrite the sql targets' snapshots from their migrations (write_snapshots)
  bool json = false;            // the plan document (json_documents.hpp) on standard output
  bool detailed_exitcode = false;  // exit 0 no changes, 2 changes, 1 errors (as terraform)
  std::vector<std::string> targets;  // --target: plan only these (a partial plan, plan.hpp); empty = all
};
// Exit 0 when planned (changes or not), 1 when the plan has errors. With
// detailed_exitcode: 0 no changes, 2 changes, 1 the plan has errors or the step
// failed (a usage, configuration or runtime error too: 2 means changes only).
int run_plan(const PlanOptions& options, StepIo io);
// plan --detailed-exitcode: the exit code of any failure, and of changes.
inline constexpr int kDetailedError = 1;
inline constexpr int kDetailedChanges = 2;

struct PlanCommentOptions {
  CommonOptions common;        // environment empty = the one whose branch is the PR's base
  std::int64_t pr = 0;         // 0 = from the pull_request event
  std::string base;            // empty = from the event
  std::string head_sha;        // empty = from the event, else HEAD
  std::filesystem::path out;   // plan.json to write; empty = none
  std::filesystem::path sarif; // SARIF log of the findings to write; empty = none
  bool dry_run = false;        // print the comment instead of posting it
  // --from: the per-target plan.json files of a matrix (globs or paths), merged instead
  // of planning (plan_merge.hpp); empty = plan here.
  std::vector<std::string> from;
  // --list-targets: only print the targets this pull request plans (a matrix's list,
  // output `targets`), plan nothing and post nothing.
  bool list_targets = false;
};
// Exit 0 commented (or previewed), 1 the plan has errors, 2 usage, 3 runtime/API failure.
int run_plan_comment(const PlanCommentOptions& options, StepIo io);

struct ApplyOptions {
  CommonOptions common;
  std::filesystem::path pinned_plan;  // a plan.json that must hash equal to the plan made now
  std::string break_glass;            // non-empty: skip the approval gate, loudly, for this reason
  bool dry_run = false;               // show which gates pass or fail; apply nothing
  bool rollback = false;              // re-apply bundles the environment ran before (rollback_gate.hpp)
  std::string github_environment;     // rollback: the GitHub environment whose reviewers approve (default --env)
  bool json = false;                  // the apply document (json_documents.hpp) on standard output
};
// Exit 0 applied (or nothing to do), 1 refused (plan errors, pinned plan differs),
// 3 a provider failed (what was applied is in the result file).
int run_apply(const ApplyOptions& options, StepIo io);

struct DriftOptions {
  CommonOptions common;
  bool apply = false;  // reconcile (Git wins) and verify again
  bool issue = false;  // keep one open GitHub issue per environment while drift remains
  bool json = false;   // the drift document (json_documents.hpp) on standard output
};
// Exit 0 no drift (or reconciled), 1 drift remains, 3 runtime failure.
int run_drift_verify(const DriftOptions& options, StepIo io);

struct SecretNamesOptions {
  CommonOptions common;
};
// Prints and outputs (`names`, space-separated) the variables ${NAME} may use in the
// environment, as the trusted converge.yaml allows. Exit 0, 2 on a bad config.
int run_secret_names(const SecretNamesOptions& options, StepIo io);

struct RecordOptions {
  CommonOptions common;
  std::filesystem::path result;  // apply result to record; empty = the default path
};
// Exit 0 recorded (or already recorded by an earlier attempt), 2 no result, 3 store failure.
int run_record_manifest(const RecordOptions& options, StepIo io);

struct DescribeOptions {
  CommonOptions common;  // environment empty = every environment
  int history = 0;       // > 0: the last N deployments instead of what runs now
  bool json = false;     // the describe document (docs/json.md) on standard output
};
// Exit 0, 2 usage/configuration, 3 the manifest store failed.
int run_describe(const DescribeOptions& options, StepIo io);

struct DestroyOptions {
  CommonOptions common;  // environment: a feature environment; branch: "" = the run's (deployed_branch)
};
// Exit 0 deleted (or nothing was left), 1 refused or a runtime failed, 2 usage or
// configuration, 3 the manifest store failed.
int run_destroy(const DestroyOptions& options, StepIo io);

// Prints `error` (an annotation in a runner), sets the `failure-reason` output and
// returns its exit code.
int report_error(const Error& error, StepIo io);

struct ExportOptions {
  CommonOptions common;
  std::string target;        // the target whose runtime is exported
  std::string branch;        // default converge/export/<env>
  std::string base;          // default: the repository's default branch (event), else main
  std::string author_name = "converge";
  std::string author_email = "converge@users.noreply.github.com";
  bool dry_run = false;
};
// Exit 0 exported (or nothing differs), 2 usage, 3 runtime/API/push failure.
int run_export_to_pr(const ExportOptions& options, StepIo io);

struct CompileOptions {
  CommonOptions common;
  std::filesystem::path out;  // default bundles/<env> beside converge.yaml
};
// Writes every target's compiled bundle under out/<target>/. Exit 0, 2 on bad sources.
int run_compile(const CompileOptions& options, StepIo io);

struct RenderOptions {
  std::filesystem::path template_file;
  std::filesystem::path vars_file;
};
// Prints one rendered template (for people debugging templates). Exit 0, 2 on errors.
int run_render(const RenderOptions& options, StepIo io);

// The end of the help of every flag that writes a file and takes "-" for standard
// output: run_guarded() gives standard output to such a flag given "-" (data_out.hpp).
inline constexpr std::string_view kDashIsStdout = "; - for standard output";

// The common flags (--config, --env) and their values.
void add_common_flags(cxxopts::Options& cli, bool env_required = true);
// Throws Failure (exit 2) when --env is required and missing.
CommonOptions common_options(const cxxopts::ParseResult& flags, bool env_required = true);
// --trusted-ref REV (steps/trust.hpp), for the steps whose gates or secrets depend on
// the trusted converge.yaml; trusted_ref() is "" when the flag is not given.
void add_trusted_ref_flag(cxxopts::Options& cli);
std::string trusted_ref(const cxxopts::ParseResult& flags);

// What every main() does around its step: parse flags (usage errors → 2, --help,
// --version), read the run context once, run the step, turn a thrown Failure or
// any exception into exit code 3 and a `failure-reason` output.
int run_guarded(cxxopts::Options& cli, int argc, char** argv,
                const std::function<int(const cxxopts::ParseResult&, StepIo)>& step);

}  // namespace converge::steps
