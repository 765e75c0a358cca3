// The starter workflows a consumer repository copies into .github/workflows/ (the
// callers of converge's reusable workflows), generated from converge.yaml so that
// the branch → environment mapping and the drift schedules have one source:
// `converge init` writes them, `converge check-workflows` compares the copies in a
// repository with them. For the GitFlow converge.yaml of docs/adopt.md they are the
// files of workflows/ (a test keeps them equal).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "converge/config/config.hpp"

namespace converge::steps {

// The reusable workflows' default for their `branches` input; a starter passes
// `branches:` only when converge.yaml maps branches otherwise.
inline constexpr const char* kDefaultBranchMap = "dev/**=dev\ndevelop=stage\nmain=prod\n";

// What the starters take from converge.yaml.
struct StarterFacts {
  std::string branch_map;                    // "<glob>=<env>\n" per environment, in order
  std::vector<std::string> push_branches;    // every environment's branch glob
  std::vector<std::string> pr_branches;      // the branches a pull request can target (no wildcard)
  std::vector<std::string> environments;     // names, in order
  struct DriftJob {
    std::string environment, schedule, mode, ref;  // ref "" = the default branch
  };
  std::vector<DriftJob> drift;               // environments with drift.schedule
  std::string config_path;                   // "converge.yaml" unless --config said otherwise
};

// `config_path` is the path of converge.yaml relative to the repository root.
StarterFacts starter_facts(const config::Config& config, const std::string& config_path);

// File name (converge-pr.yml, …) → text. The drift starter is left out when no
// environment has a drift schedule.
std::map<std::string, std::string> starter_workflows(const StarterFacts& facts);

}  // namespace converge::steps
