// The nearest first-parent ancestor that has a file (see history.hpp). First parents
// only: on an environment branch they are the branch's own earlier tips (a merge
// commit's first parent is the branch before the merge), whereas second parents are
// the merged change.
#include "converge/git/history.hpp"

#include "converge/git/handles.hpp"

namespace converge::git {
namespace {

using namespace detail;

std::string hex(const git_oid* oid) {
  char out[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(out, sizeof out, oid);
  return out;
}

Expected<Commit> resolve(git_repository* repo, std::string_view revision) {
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, repo, std::string(revision).c_str()) != 0)
    return git_failure("cannot resolve '" + std::string(revision) + "'");
  Object object(raw);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, object.get(), GIT_OBJECT_COMMIT) != 0)
    return git_failure("'" + std::string(revision) + "' is not a commit");
  return Commit(reinterpret_cast<git_commit*>(peeled));
}

// The first parent of `commit`; a null Commit for a root commit. A parent named in
// the commit but missing from the object database (a shallow clone) is an error:
// "no earlier copy" must never be concluded from a history that was not fetched.
Expected<Commit> first_parent(git_commit* commit) {
  if (git_commit_parentcount(commit) == 0) return Commit();
  git_commit* raw = nullptr;
  if (git_commit_parent(&raw, commit, 0) != 0)
    return fail(Error::runtime("the parent " + hex(git_commit_parent_id(commit, 0)) + " of commit " +
                               hex(git_commit_id(commit)) +
                               " is not in the clone: fetch the history (actions/checkout with fetch-depth: 0)"));
  return Commit(raw);
}

// The file in `commit`'s tree; nullopt when the tree has no such path.
Expected<std::optional<std::string>> read_file(git_repository* repo, git_commit* commit, const std::string& path) {
  git_tree* tree_raw = nullptr;
  if (git_commit_tree(&tree_raw, commit) != 0) return git_failure("cannot read the tree of " + hex(git_commit_id(commit)));
  Tree tree(tree_raw);
  git_tree_entry* entry_raw = nullptr;
  int rc = git_tree_entry_bypath(&entry_raw, tree.get(), path.c_str());
  if (rc == GIT_ENOTFOUND) return std::optional<std::string>();
  if (rc != 0) return git_failure("cannot look up " + path);
  TreeEntry entry(entry_raw);
  auto mode = git_tree_entry_filemode(entry.get());
  if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE)
    return fail(Error::runtime(path + " in commit " + hex(git_commit_id(commit)) + " is not a regular file"));
  git_object* blob_raw = nullptr;
  if (git_tree_entry_to_object(&blob_raw, repo, entry.get()) != 0) return git_failure("cannot read " + path);
  Object blob(blob_raw);
  auto* b = reinterpret_cast<git_blob*>(blob.get());
  return std::optional<std::string>(
      std::string(static_cast<const char*>(git_blob_rawcontent(b)), static_cast<size_t>(git_blob_rawsize(b))));
}

}  // namespace

Expected<std::filesystem::path> work_tree_of(const std::filesystem::path& dir) {
  auto repo = open_repository(dir);
  if (!repo) return fail(repo.error());
  const char* workdir = git_repository_workdir(repo->get());
  if (!workdir) return fail(Error::runtime("the repository at " + dir.string() + " has no work tree"));
  return std::filesystem::path(workdir);
}

bool has_commit(const std::filesystem::path& dir, std::string_view revision) {
  auto repo = open_repository(dir);
  return repo && resolve(repo->get(), revision).has_value();
}

Expected<std::optional<FileAtCommit>> nearest_first_parent_with_file(const std::filesystem::path& dir,
                                                                      std::string_view start,
                                                                      const std::filesystem::path& file) {
  auto repo = open_repository(dir);
  if (!repo) return fail(repo.error());
  Commit commit;
  if (start.empty()) {
    auto head = resolve(repo->get(), "HEAD");
    if (!head) return fail(head.error());
    auto parent = first_parent(head->get());
    if (!parent) return fail(parent.error());
    commit = std::move(*parent);
  } else {
    auto resolved = resolve(repo->get(), start);
    if (!resolved) return fail(resolved.error());
    commit = std::move(*resolved);
  }
  const std::string path = file.generic_string();
  while (commit) {
    auto text = read_file(repo->get(), commit.get(), path);
    if (!text) return fail(text.error());
    if (*text) return std::optional<FileAtCommit>(FileAtCommit{hex(git_commit_id(commit.get())), std::move(**text)});
    auto parent = first_parent(commit.get());
    if (!parent) return fail(parent.error());
    commit = std::move(*parent);
  }
  return std::optional<FileAtCommit>();
}

}  // namespace converge::git
