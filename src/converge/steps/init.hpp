// `converge init` and `converge check-workflows`: a repository's converge.yaml and
// starter workflows from its layout, and the check that the workflows still say
// what converge.yaml says (one source for branches and drift schedules).
#pragma once

#include <filesystem>
#include <string>

#include "converge/steps/steps.hpp"

namespace converge::steps {

struct InitOptions {
  std::filesystem::path root = ".";     // the repository to set up
  std::string config = "converge.yaml";  // relative to root
  bool force = false;                    // rewrite starter workflows that differ
  bool apply_settings = false;           // make the repository settings through GitHub's API
  bool dry_run = false;                  // with apply_settings: say what would change, change nothing
  std::string repository;                // owner/name for apply_settings (default GITHUB_REPOSITORY)
};
// Writes converge.yaml (when absent, from the layout it finds), the starter
// workflows under .github/workflows/ and the .gitignore entry, then prints the
// repository settings to make, or with apply_settings makes them (repo_settings.hpp)
// with the token in GITHUB_TOKEN. Exit 0; 1 when a starter differs and --force was
// not given (nothing is overwritten); 2 for a converge.yaml that does not parse, or
// apply_settings without a token or repository; 3 when GitHub refuses a setting (a
// token without admin rights: 403).
int run_init(const InitOptions& options, StepIo io);

struct CheckWorkflowsOptions {
  std::filesystem::path root = ".";
  std::string config = "converge.yaml";  // relative to root
};
// Exit 0 when .github/workflows/ agrees with converge.yaml, 1 with one line per
// difference, 2 for a converge.yaml that does not parse.
int run_check_workflows(const CheckWorkflowsOptions& options, StepIo io);

}  // namespace converge::steps
