// Runs the terraform (or tofu) binary for one root module: init, plan, show -json,
// apply. Each run has the target's time limit; credentials go in its environment;
// its .terraform data lives in a temporary directory, never in the repository (the
// work tree stays what Git has). A failure is an Error (runtime, exit 3) with the
// binary's own message; a held state lock names who holds it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "converge/providers/terraform/options.hpp"
#include "converge/util/error.hpp"

namespace converge::providers::terraform {

class Cli {
 public:
  // `root`: the root module's directory; `data_dir`: its TF_DATA_DIR.
  Cli(const Options& options, std::filesystem::path repo_root, std::filesystem::path data_dir);

  // `init -input=false` with the backend configs, then the workspace (created when
  // missing). Once per Cli; later calls do nothing.
  Expected<void> init();
  // `plan -input=false -out=<out> -detailed-exitcode` (with `-refresh-only` when
  // asked). True when the plan has changes (exit 2), false when none (exit 0).
  Expected<bool> plan(const std::filesystem::path& out, bool refresh_only = false);
  // `show -json <plan_file>`: the plan's JSON.
  Expected<std::string> show_json(const std::filesystem::path& plan_file);
  // `apply -input=false <plan_file>`: applies exactly that plan.
  Expected<void> apply(const std::filesystem::path& plan_file);

 private:
  struct Result {
    int exit_code;
    std::string out;
  };
  Expected<Result> run(const std::string& verb, std::vector<std::string> args);
  std::string where() const;

  const Options& options_;
  std::filesystem::path repo_root_;
  std::filesystem::path data_dir_;
  bool initialised_ = false;
};

// The binary's stderr as the one-line reason of an Error: its "Error: …" summary and
// detail with the box drawing and colour removed; a state lock's "Who"/"ID" named.
// Exposed for tests.
std::string failure_reason(std::string_view stderr_text);

}  // namespace converge::providers::terraform
