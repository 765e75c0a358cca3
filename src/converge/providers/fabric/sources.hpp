// Reading a workspace's items from the repository, in the layout of Fabric's Git
// integration as microsoft/fabric-cicd reads it (item.hpp): every folder holding a
// `.platform` file is an item; the folders above it are its Fabric folder; every
// other file under it is a definition part, binary files included, but for
// `.children/` (an Eventhouse's KQL databases: each child folder is an item of its
// own, in its parent's Fabric folder) and a Report's or SemanticModel's `.pbi/`
// (local Power BI Desktop state, which fabric-cicd leaves out too).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "converge/providers/fabric/item.hpp"
#include "converge/util/error.hpp"

namespace converge::providers::fabric {

// What a read may hold at most: a repository is outside input.
struct SourceBudget {
  std::size_t max_items = 10000;
  std::size_t max_part_bytes = 64u << 20;    // one file
  std::size_t max_total_bytes = 512u << 20;  // every part of every item
  int max_depth = 32;                        // folders below the sources folder
};

// The items under `sources` (relative to `repo_root`), sorted by key. Error (config)
// naming the file for: a `.platform` that is not JSON (file:line:column) or lacks
// metadata.type / metadata.displayName; two items with the same type and name, or
// the same logical id (naming both folders); a part holding ⟦ or ⟧, which mark the
// workspace's values (item.hpp); a symbolic link (a link could pull in
// files from outside the repository); a Fabric folder name Fabric refuses; anything
// over the budget. Error (config) when `sources` is not a folder.
Expected<std::vector<Item>> read_items(const std::filesystem::path& repo_root, const std::string& sources,
                                       const SourceBudget& budget = {});

}  // namespace converge::providers::fabric
