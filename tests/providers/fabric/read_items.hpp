// Test-only reader of a folder in Fabric's Git layout into Items (the provider's own
// sources reader is written separately): every `<Name>.<Type>/` folder with a
// `.platform` file is an item, its other files (any depth) its parts, sorted by path.
#pragma once

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "converge/providers/fabric/item.hpp"
#include "support/temp_dir.hpp"

namespace converge::testing {

// Items under `root`; Item::dir is relative to `root`.
inline std::vector<providers::fabric::Item> read_items(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  std::vector<providers::fabric::Item> items;
  std::vector<fs::path> pending{root};
  while (!pending.empty()) {
    const fs::path dir = pending.back();
    pending.pop_back();
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (!entry.is_directory()) continue;
      const fs::path platform = entry.path() / ".platform";
      if (!fs::exists(platform)) {
        pending.push_back(entry.path());
        continue;
      }
      const auto meta = nlohmann::json::parse(slurp(platform));
      providers::fabric::Item item;
      item.type = meta["metadata"]["type"].get<std::string>();
      item.name = meta["metadata"]["displayName"].get<std::string>();
      item.description = meta["metadata"].value("description", "");
      item.logical_id = meta.contains("config") ? meta["config"].value("logicalId", "") : "";
      item.dir = fs::relative(entry.path(), root).generic_string();
      const fs::path parent = fs::relative(entry.path().parent_path(), root);
      item.folder = parent == "." ? "" : parent.generic_string();
      for (const auto& file : fs::recursive_directory_iterator(entry.path())) {
        if (!file.is_regular_file() || file.path() == platform) continue;
        item.parts.push_back({fs::relative(file.path(), entry.path()).generic_string(), slurp(file.path())});
      }
      std::sort(item.parts.begin(), item.parts.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
      items.push_back(std::move(item));
    }
  }
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.dir < b.dir; });
  return items;
}

}  // namespace converge::testing
