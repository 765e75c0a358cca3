// RAII owners of libgit2 objects and the once-per-process initialisation, shared by
// the files of this folder (internal: not for use outside src/converge/git/).
#pragma once

#include <git2.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "converge/git/certificates.hpp"
#include "converge/util/error.hpp"

namespace converge::git::detail {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Repository = std::unique_ptr<git_repository, Deleter<git_repository, git_repository_free>>;
using Reference = std::unique_ptr<git_reference, Deleter<git_reference, git_reference_free>>;
using Object = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using StatusList = std::unique_ptr<git_status_list, Deleter<git_status_list, git_status_list_free>>;
using Commit = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using Tree = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using TreeEntry = std::unique_ptr<git_tree_entry, Deleter<git_tree_entry, git_tree_entry_free>>;
using Signature = std::unique_ptr<git_signature, Deleter<git_signature, git_signature_free>>;
using Remote = std::unique_ptr<git_remote, Deleter<git_remote, git_remote_free>>;
using Config = std::unique_ptr<git_config, Deleter<git_config, git_config_free>>;

// libgit2 must be initialised once per process before any call; a function-local
// static is initialised exactly once even when threads race. The owner check (a
// repository owned by another user is refused, against planted repositories on
// shared machines) is off: a container action runs as root over the workspace the
// runner's user checked out, which is exactly the repository converge must read,
// and the trusted converge.yaml must not become unreadable because of it. The CA
// certificates are loaded by a push only (certificates.hpp).
inline void ensure_initialised() {
  static const int initialised = [] {
    int rc = initialise_deferring_certificates();
    git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
    return rc;
  }();
  (void)initialised;
}

// libgit2's last error message, or a generic one.
inline std::string last_git_message() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

// An Error naming what failed, with libgit2's message.
inline std::unexpected<Error> git_failure(std::string_view what) {
  return fail(Error::runtime(std::string(what) + ": " + last_git_message()));
}

// The repository containing `dir` (searching upwards); Error (runtime) outside one.
inline Expected<Repository> open_repository(const std::filesystem::path& dir) {
  ensure_initialised();
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, dir.c_str(), 0, nullptr) != 0)
    return git_failure("not a git repository: " + dir.string());
  return Repository(raw);
}

}  // namespace converge::git::detail
