// A Node program a test runs beside it (the local GitHub and Fabric servers, the Prism
// proxy): started with its stdin a pipe this process holds (the program exits when it
// closes, so it never outlives the test), its first line of stdout read as its
// "ready" line ("listening <port> …"), and stopped by stop() or the destructor: stdin
// closed, a few seconds to end by itself (a proxy stops what it started), then SIGTERM.
#pragma once

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace converge::testing {

class NodeProcess {
 public:
  NodeProcess() = default;
  ~NodeProcess() { stop(); }
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  // Runs `node <args…>` and returns its first line of stdout (without the newline).
  // Throws converge::Failure naming `what` when it cannot start, exits first, or writes
  // no line within `timeout` (the program is stopped then).
  std::string start(const std::string& what, const std::vector<std::string>& args,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void stop();

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;  // closing it makes the program exit
};

}  // namespace converge::testing
