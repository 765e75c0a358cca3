// The files a pull request changes: the paths that differ between the merge base of
// its base and head commits and its head, read with libgit2 from the object database
// (so a PR plan can leave out the targets none of whose files changed).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "converge/util/error.hpp"

namespace converge::git {

// Paths (relative to the work tree root, '/'-separated; both sides of a rename) that
// differ between merge-base(base, head) and head, sorted. Error (runtime) outside a
// repository or when a commit is not in the clone (a shallow clone).
Expected<std::vector<std::string>> changed_paths(const std::filesystem::path& dir, std::string_view base,
                                                 std::string_view head);

}  // namespace converge::git
