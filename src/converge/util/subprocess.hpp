// Runs a program to completion with a time limit and an output limit (posix_spawn),
// capturing stdout and stderr. For converge's few outside tools (pg_dump): secrets go
// to the child through `env`, never through argv.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "converge/util/error.hpp"

namespace converge::util {

struct ProcessLimits {
  std::chrono::milliseconds time{std::chrono::minutes(5)};
  size_t output_bytes = 256u << 20;  // stdout; stderr keeps its first 64 KiB
};

struct ProcessResult {
  int exit_code = -1;  // -1 when a signal ended it
  std::string out;
  std::string err;
};

// Runs argv[0] (searched on PATH when it has no '/') with argv, stdin from /dev/null,
// and the current environment with `env` added or replacing. The child is killed
// (SIGKILL) when it runs over limits.time or writes more than limits.output_bytes.
// Returns its result whatever its exit code; Error (runtime) when it cannot be started
// ("cannot run <argv[0]>: …"), timed out ("<argv[0]> timed out after 5s") or wrote too
// much ("<argv[0]> wrote more than N bytes"). Never throws.
Expected<ProcessResult> run_process(const std::vector<std::string>& argv,
                                    const std::map<std::string, std::string>& env, const ProcessLimits& limits);

}  // namespace converge::util
