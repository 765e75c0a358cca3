// Reads a step's flags by running it with --flags-json (see step_flags.hpp).
#include "step_flags.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

extern char** environ;

namespace converge::front {
namespace {

constexpr size_t kMaxAnswer = 1 << 20;  // a step's flags are a few KiB

// The standard output of `program --flags-json`; nullopt with `error` on failure.
std::optional<std::string> run(const std::string& program, bool search_path, std::string& error) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    return std::nullopt;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  const char* flag = "--flags-json";
  char* argv[] = {const_cast<char*>(program.c_str()), const_cast<char*>(flag), nullptr};
  pid_t pid = 0;
  const int spawned = search_path ? ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ)
                                  : ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    error = "cannot run " + program + ": " + std::strerror(spawned);
    return std::nullopt;
  }
  std::string out;
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || out.size() > kMaxAnswer) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || out.size() > kMaxAnswer) {
    error = program + " --flags-json failed";
    return std::nullopt;
  }
  return out;
}

}  // namespace

std::optional<StepFlags> read_step_flags(const std::string& dir, const std::string& step, std::string& error) {
  const std::string name = "converge-" + step;
  auto out = run(dir.empty() ? name : dir + "/" + name, dir.empty(), error);
  if (!out) return std::nullopt;
  try {
    const auto json = nlohmann::json::parse(*out);
    StepFlags result{step, json.at("description").get<std::string>(), {}};
    for (const auto& f : json.at("flags"))
      result.flags.push_back({f.at("long").get<std::string>(), f.at("short").get<std::string>(),
                              f.at("help").get<std::string>(), f.at("value").get<bool>(),
                              f.at("default").get<std::string>()});
    return result;
  } catch (const nlohmann::json::exception& e) {
    error = name + " --flags-json: " + e.what();
    return std::nullopt;
  }
}

}  // namespace converge::front
