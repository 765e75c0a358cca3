// What the work tree holds that its commit does not: files under given paths that
// are untracked (ignored ones too), modified, deleted or staged. Apply reads its
// sources from the work tree, so a file listed here would be deployed and recorded
// at a commit that does not contain it (steps/session.cpp refuses or records it).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "converge/util/error.hpp"

namespace converge::git {

struct UncleanFile {
  std::string path;   // relative to the repository's work tree, '/'-separated
  std::string state;  // "untracked", "ignored", "modified", "deleted", "renamed", "staged"
  bool operator==(const UncleanFile&) const = default;
};

// The unclean files of the repository containing `dir` under each of `paths`
// (absolute, or relative to `dir`; a file or a folder; paths outside the work tree are
// ignored), sorted by path; every file of the work tree when `paths` is empty. Files
// .gitignore hides count under named paths (compile reads them all the same), not in
// the whole tree (build output). Error (runtime) outside a repository.
Expected<std::vector<UncleanFile>> unclean_files(const std::filesystem::path& dir,
                                                 const std::vector<std::filesystem::path>& paths);

}  // namespace converge::git
