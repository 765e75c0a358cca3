// What a terraform target's configuration is made of: the root module's files, the
// local modules it calls (`source = "./…"` or `"../…"`, followed transitively), the
// var files and backend config files. The modules' bytes make the bundle hash (the code
// an environment runs, which promotion compares); with the var and backend files and
// the settings they make the configuration a saved plan is bound to. Their folders
// and files are the target's source paths.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "converge/providers/terraform/options.hpp"
#include "converge/util/error.hpp"

namespace converge::providers::terraform {

struct Sources {
  std::vector<std::filesystem::path> folders;  // the root and its local modules, relative to the repository root
  std::map<std::string, std::string> files;    // the modules' files: path relative to the repository root → SHA-256
  std::map<std::string, std::string> inputs;   // var files and backend config files, the same way
};

// Error (config) when the root is not a folder of the repository or a module call
// leaves the repository.
Expected<Sources> read_sources(const std::filesystem::path& repo_root, const Options& options);

}  // namespace converge::providers::terraform
