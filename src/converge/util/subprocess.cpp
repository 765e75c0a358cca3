// run_process(): posix_spawn with stdout and stderr on pipes, read with poll() until
// both close, the deadline passes or stdout grows past its limit.
#include "converge/util/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace converge::util {
namespace {

constexpr size_t kStderrKept = 64u << 10;

// The environment of the child: ours with `env` on top, as "KEY=value" strings.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& env) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos) merged.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  for (const auto& [k, v] : env) merged[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : merged) out.push_back(k + "=" + v);
  return out;
}

struct Pipe {
  int read = -1, write = -1;
  ~Pipe() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
  }
  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read = fds[0];
    write = fds[1];
    return true;
  }
};

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

Expected<ProcessResult> run_process(const std::vector<std::string>& argv,
                                    const std::map<std::string, std::string>& env, const ProcessLimits& limits) {
  if (argv.empty()) return fail(Error::runtime("cannot run an empty command"));
  const std::string& program = argv.front();
  Pipe out, err;
  if (!out.open() || !err.open()) return fail(Error::runtime("cannot run " + program + ": " + std::strerror(errno)));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write, 1);
  posix_spawn_file_actions_adddup2(&actions, err.write, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto env_strings = child_environment(env);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  int spawned = program.find('/') == std::string::npos
                    ? ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, args.data(), envp.data())
                    : ::posix_spawn(&pid, program.c_str(), &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return fail(Error::runtime("cannot run " + program + ": " + std::strerror(spawned)));
  ::close(out.write);
  ::close(err.write);
  out.write = err.write = -1;

  ProcessResult result;
  auto deadline = std::chrono::steady_clock::now() + limits.time;
  std::string overrun;
  pollfd fds[2] = {{out.read, POLLIN, 0}, {err.read, POLLIN, 0}};
  char buffer[65536];
  while ((fds[0].fd >= 0 || fds[1].fd >= 0) && overrun.empty()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      auto ms = limits.time.count();
      overrun = program + " timed out after " +
                (ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms");
      break;
    }
    int ready = ::poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      overrun = "cannot read the output of " + program + ": " + std::strerror(errno);
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        continue;
      }
      std::string& into = i == 0 ? result.out : result.err;
      if (i == 1 && into.size() >= kStderrKept) continue;
      into.append(buffer, static_cast<size_t>(n));
      if (i == 0 && into.size() > limits.output_bytes)
        overrun = program + " wrote more than " + std::to_string(limits.output_bytes) + " bytes";
    }
  }
  if (!overrun.empty()) {
    ::kill(pid, SIGKILL);
    wait_for(pid);
    return fail(Error::runtime(overrun));
  }
  result.exit_code = wait_for(pid);
  return result;
}

}  // namespace converge::util
