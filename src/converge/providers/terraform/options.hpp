// The terraform provider's settings for one target (docs/providers/terraform.md).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "converge/config/settings.hpp"
#include "converge/util/error.hpp"

namespace converge::providers::terraform {

struct Options {
  std::string root;                         // the root module, relative to the repository root
  std::string binary = "terraform";         // or "tofu", or a path
  std::vector<std::string> var_files;       // -var-file=, relative to the repository root
  std::vector<std::string> backend_config;  // -backend-config=: a file (relative to the repository root) or key=value
  std::string workspace;                    // "" = the default workspace
  std::vector<std::string> args;            // extra arguments of `plan`
  std::map<std::string, std::string> env;   // passed to the binary (credentials); values are secrets
  std::string plan_key;                     // encrypts the saved plan file ("" = no plan file is saved)
  std::string plan_dir;                     // where sealed plan files go ("" = the default: terraform_provider.cpp)
  std::vector<std::string> volatile_attributes;  // plan_json.hpp's ReadOptions
  std::chrono::milliseconds timeout{std::chrono::hours(1)};  // one run of the binary
};

// Reads and checks the settings; Error (config) at the value that is wrong.
Expected<Options> read_options(const config::Settings& settings);

}  // namespace converge::providers::terraform
