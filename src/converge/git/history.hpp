// Reading a file as an earlier commit has it, for the trusted converge.yaml: the copy
// on the environment branch before the change (steps/trust.hpp says which commit to
// start from). Read with libgit2 from the object database, never from the work tree.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "converge/util/error.hpp"

namespace converge::git {

struct FileAtCommit {
  std::string commit;  // 40-hex id of the commit whose tree holds the file
  std::string text;
};

// The repository's work tree root containing `dir` (searching upwards). Error
// (runtime) outside a repository.
Expected<std::filesystem::path> work_tree_of(const std::filesystem::path& dir);

// True when `revision` (a SHA, branch, tag, "origin/main") names a commit present in
// the repository containing `dir`; false on a miss or outside a repository.
bool has_commit(const std::filesystem::path& dir, std::string_view revision);

// Walks first parents from a starting commit (inclusive) and returns `file` (a path
// relative to the work tree root, '/'-separated) from the nearest commit whose tree
// has it. The start is `start` when not empty (resolved as a revision), else the
// first parent of HEAD. nullopt when no commit on the walk has the file (or HEAD has
// no parent). Errors (runtime): not a repository, `start` does not resolve, a
// parent that is not in the clone (a shallow clone: fetch the history), `file` is
// not a regular file in a commit's tree.
Expected<std::optional<FileAtCommit>> nearest_first_parent_with_file(const std::filesystem::path& dir,
                                                                      std::string_view start,
                                                                      const std::filesystem::path& file);

}  // namespace converge::git
