// A real git server for push tests: lighttpd (foreground, `-D`) runs
// `git http-backend` as CGI on 127.0.0.1 behind HTTP basic auth (user
// "x-access-token", password = the token given to the constructor), serving bare
// repositories from a temp dir. Its configuration comes from
// tests/support/git_server.lighttpd.conf.in. Bare repositories are created and read
// with libgit2 (never the git command).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace converge::testing {

class GitServer {
 public:
  // Starts lighttpd on a free loopback port and waits until it answers; throws
  // std::runtime_error (with lighttpd's error log) when it cannot start.
  explicit GitServer(std::string token);
  ~GitServer();  // stops lighttpd (SIGTERM, then SIGKILL) and removes the temp dir
  GitServer(const GitServer&) = delete;
  GitServer& operator=(const GitServer&) = delete;

  // Creates the bare repository <name>.git (pushes allowed); returns its path.
  std::filesystem::path create_bare(const std::string& name) const;
  // http://127.0.0.1:PORT/git/<name>.git — no credentials in it.
  std::string url(const std::string& name) const;
  std::filesystem::path repo_path(const std::string& name) const;
  int port() const { return port_; }
  const std::string& token() const { return token_; }

 private:
  TempDir root_;
  std::string token_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// Read-only views of any repository (bare or not) through libgit2, for assertions.
// All throw std::runtime_error when the repository cannot be opened.

// 40-hex id a ref (e.g. "refs/heads/main") resolves to; "" when it does not exist.
std::string read_ref(const std::filesystem::path& repo, const std::string& ref);
// Every reference name of the repository, sorted.
std::vector<std::string> ref_names(const std::filesystem::path& repo);
// The parents of a commit, as 40-hex ids.
std::vector<std::string> commit_parents(const std::filesystem::path& repo, const std::string& sha);
// The message of a commit.
std::string commit_message(const std::filesystem::path& repo, const std::string& sha);
// Content of `path` in the tree of commit `sha`; throws when absent (use has_file).
std::string file_at(const std::filesystem::path& repo, const std::string& sha, const std::string& path);
bool has_file(const std::filesystem::path& repo, const std::string& sha, const std::string& path);

}  // namespace converge::testing
