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

// Runs `command` with /bin/sh; returns its exit status (-1 when it did not exit)
// and, when `out` is given, its standard output (and error, with " 2>&1" in it).
int run_shell(const std::string& command, std::string* out = nullptr);

// Starts `program` like run_step() without waiting, stdout and stderr going to the
// given files; returns its pid (the caller waits for it or kills it).
int start_step(const std::string& program, const std::vector<std::string>& args, const std::filesystem::path& cwd,
               const std::map<std::string, std::string>& env, const std::filesystem::path& out_path,
               const std::filesystem::path& err_path);

}  // namespace converge::testing
