// Dropping root to the workspace's owner (see workspace_owner.hpp).
#include "converge/steps/workspace_owner.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace converge::steps {

Expected<void> become_workspace_owner(const github::RunContext& ctx) {
  if (!ctx.in_actions || ctx.workspace.empty() || ::geteuid() != 0) return {};
  struct stat info {};
  if (::stat(ctx.workspace.c_str(), &info) != 0 || info.st_uid == 0) return {};
  const auto failed = [&](const char* call) {
    return fail(Error::runtime(std::string("cannot become the owner of GITHUB_WORKSPACE (uid ") +
                               std::to_string(info.st_uid) + "): " + call + ": " + std::strerror(errno)));
  };
  // Order matters: groups and gid while still root, the uid last.
  if (::setgroups(0, nullptr) != 0) return failed("setgroups");
  if (::setgid(info.st_gid) != 0) return failed("setgid");
  if (::setuid(info.st_uid) != 0) return failed("setuid");
  if (::geteuid() != info.st_uid || ::setuid(0) == 0) return failed("setuid did not hold");
  // HOME may still be root's (/root), which the new user cannot search: libgit2 then
  // fails to read the global git config. The runner sets HOME to a folder of its
  // user; anything else is forgotten (libgit2 then reads no global config).
  if (const char* home = std::getenv("HOME"); home && ::access(home, X_OK) != 0) ::unsetenv("HOME");
  return {};
}

}  // namespace converge::steps
