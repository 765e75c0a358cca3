// Runs a built executable for black-box tests: argv, extra environment, working
// directory; captures stdout, stderr and the exit code.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace converge::testing {

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// `program` is a step name ("converge", "converge-plan"), found in the build's
// steps directory. `env` entries are added to (or override) the current environment.
RunResult run_step(const std::string& program, const std::vector<std::string>& args,
                   const std::filesystem::path& cwd, const std::map<std::string, std::string>& env = {});

std::filesystem::path step_path(const std::string& program);

}  // namespace converge::testing
