// Facts about the repository a step runs in, read with libgit2 (never by shelling
// out to git): HEAD's commit, its branch, the tags that point at it, dirtiness.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "converge/util/error.hpp"

namespace converge::git {

struct Facts {
  std::string sha;                // full 40-hex id of HEAD's commit
  std::string branch;             // short branch name; empty when HEAD is detached
  std::vector<std::string> tags;  // short names of tags (lightweight or annotated) at HEAD, sorted
  bool dirty = false;             // tracked files differ from HEAD (index or work tree)
};

// Reads the facts of the repository containing `dir` (searching upwards). Error
// (runtime) when `dir` is not inside a git repository or HEAD has no commit.
Expected<Facts> read_facts(const std::filesystem::path& dir);

}  // namespace converge::git
