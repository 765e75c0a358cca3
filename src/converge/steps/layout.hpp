// What `converge init` finds in a repository: migration folders, BI asset sources,
// and runtimes this converge has no provider for yet (Fabric workspaces in Git
// layout, Terraform roots), so it can write converge.yaml without asking.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace converge::steps {

struct Layout {
  struct Database {
    std::string name;        // target name ("app-db", "billing-db")
    std::string migrations;  // relative to the root, '/'-separated
    std::string snapshot;    // schema.sql beside the migrations folder
  };
  std::vector<Database> databases;
  std::vector<std::string> asset_folders;  // folders of *.yaml / *.yaml.j2 asset sources
  std::vector<std::string> unsupported;    // "fabric workspace at fabric/", "terraform root at infra/"
};

// Scans `root` (at most 4 levels deep; .git, node_modules, build and hidden folders
// skipped; symlinks not followed), in name order.
Layout scan_layout(const std::filesystem::path& root);

}  // namespace converge::steps
