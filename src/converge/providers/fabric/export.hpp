// export-to-pr for a Fabric workspace: the workspace's items written back into the
// repository's Git layout, so that a pull request's diff is exactly what was edited in
// the portal. A part the workspace holds as it was deployed keeps the repository's
// file untouched; an edited part's edits are carried line for line onto the
// repository's file (util::carry_line_edits), so the lines nobody edited keep the
// repository's values (a parameter's find_value, a logical id), and the edited lines
// get the environment's values turned back (`Reverse`). An item made in the portal
// gets a folder of its own; an item deleted there loses its files; an item moved to
// another folder there moves its folder, files as they are, under that folder's path.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "converge/providers/fabric/item.hpp"
#include "converge/providers/provider.hpp"

namespace converge::providers::fabric {

// An item of the workspace as export reads it.
struct RuntimeItem {
  std::string type, name, description, folder, id;
  std::vector<Part> parts;  // empty for an item deployed without a definition
  bool shell = false;       // deployed without a definition: only its .platform is written
};

// Turns an environment's values in a line back into the repository's.
using Reverse = std::function<std::string(std::string_view line)>;

// `sources`: the repository's items as read (before parameters); `deployed`: the same
// items as a deploy sends them to this workspace (parameters applied, markers
// resolved); `runtime`: the workspace's items; `sources_dir`: where new items go.
ExportedSources export_items(const std::vector<Item>& sources, const std::vector<Item>& deployed,
                             const std::vector<RuntimeItem>& runtime, const std::string& sources_dir,
                             const Reverse& reverse);

}  // namespace converge::providers::fabric
