// The writing side of git that export-to-pr needs, through libgit2 only (never the
// git command): one commit of exported files on top of HEAD, on converge's own
// branch, force-pushed over HTTP(S) with a token. The user's work tree, index and
// checked-out branch are never touched: blobs, the tree and the commit are written
// straight into the object database and only refs/heads/<branch> is moved.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "converge/util/error.hpp"

namespace converge::git {

struct PublishRequest {
  std::filesystem::path repo_dir;              // work tree of the consumer repository (HEAD = the base commit)
  std::string branch;                          // e.g. "converge/export/prod"; never the checked-out branch
  std::map<std::string, std::string> files;    // repo-relative path ("a/b.yaml") → new content, mode 100644
                                               // (an existing executable file keeps its mode)
  std::vector<std::string> removed;            // repo-relative paths to delete; absent ones are ignored
  std::string message;                         // commit message
  std::string author_name, author_email;       // author and committer, dated now
  std::string remote = "origin";               // remote name (its pushurl, else url), or a URL ("https://…",
                                               // "http://…", "file://…"); url.*.insteadOf is not applied
  std::string token;                           // HTTPS basic-auth password (user "x-access-token"); never logged,
                                               // never part of an Error; empty = no credentials offered
  bool push = true;                                      // false: commit and branch locally only (a dry run)
  int push_attempts = 4;                                 // tries for a push failing on the network
  std::chrono::milliseconds push_backoff{500};           // wait before the 2nd try, doubled for each next one
};

struct PublishResult {
  bool changed = false;     // false: the files change nothing against HEAD's tree
  std::string commit_sha;   // the pushed commit (40 hex); empty when !changed
  std::string base_sha;     // HEAD's commit (40 hex), the commit's only parent
};

// Builds HEAD's tree with `files` written and `removed` deleted. When that tree is
// HEAD's own tree: returns {changed=false} and creates no branch and pushes nothing.
// Otherwise creates one commit whose single parent is HEAD, points
// refs/heads/<branch> at it (force: the export branch is converge's own and is
// rebuilt from the base each time) and pushes "+refs/heads/<branch>:refs/heads/<branch>"
// to `remote`, offering user "x-access-token" with `token` when the server asks.
// Errors: usage for an invalid branch name, the checked-out branch, or a path that is
// absolute, escapes the repository, touches .git or is both written and removed;
// runtime for a missing repository/HEAD/remote, a libgit2 failure, an authentication
// failure, a rejected ref, an HTTP 4xx, or a network failure / 5xx / 408 / 429 that
// outlasts `push_attempts` tries (waiting push_backoff, 2×, 4×… between them). A push Error names the remote URL
// without credentials and never contains the token. The local branch stays created
// when only the push fails. Does not throw.
Expected<PublishResult> publish(const PublishRequest& request);

// The URL of `remote` (a remote name of the repository containing `repo_dir`, or a URL
// given as is), its push URL when one is configured, with any "user:password@" removed
// so it is safe to log. Error (runtime) when there is no repository or no such remote.
Expected<std::string> remote_url(const std::filesystem::path& repo_dir, const std::string& remote);

// `url` with any userinfo ("user:password@") after the scheme removed; other text as is.
std::string without_credentials(std::string_view url);

}  // namespace converge::git
