// Running a Node program beside a test (node_process.hpp).
#include "support/node_process.hpp"

#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "converge/util/error.hpp"

namespace converge::testing {

std::string NodeProcess::start(const std::string& what, const std::vector<std::string>& args,
                               std::chrono::milliseconds timeout) {
  stop();
  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) throw Failure(what + ": pipe failed");
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    throw Failure(what + ": pipe failed");
  }
  std::vector<std::string> argv_text = {"node"};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  pid_ = ::fork();
  if (pid_ < 0) throw Failure(what + ": fork failed");
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("node", argv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  stdin_fd_ = in[1];
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string problem;
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      problem = "no ready line within " + std::to_string(timeout.count()) + " ms";
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[256];
    ssize_t n = ::read(out[0], buffer, sizeof buffer);
    if (n <= 0) {
      problem = "exited before it was ready (is node installed?)";
      break;
    }
    line.append(buffer, static_cast<size_t>(n));
  }
  ::close(out[0]);  // the program writes nothing more that is read
  if (!problem.empty()) {
    stop();
    throw Failure(what + ": " + problem + (line.empty() ? "" : ": " + line));
  }
  return line.substr(0, line.find('\n'));
}

void NodeProcess::stop() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);  // the program exits on end of input
  stdin_fd_ = -1;
  if (pid_ > 0) {
    // A few seconds to end by itself (a proxy stops the server it started); then SIGTERM.
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, &status, 0);
        break;
      }
      ::usleep(10000);
    }
  }
  pid_ = -1;
}

}  // namespace converge::testing
