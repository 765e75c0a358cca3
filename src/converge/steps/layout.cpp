// Repository layout detection for `converge init` (see layout.hpp).
#include "converge/steps/layout.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace converge::steps {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxDepth = 4;

bool skipped(const std::string& name) {
  return name.starts_with(".") || name == "node_modules" || name == "build" || name == "vendor";
}

// A dbmate migration file name: <digits>_<name>.sql.
bool migration_file(const std::string& name) {
  size_t digits = 0;
  while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
  return digits > 0 && digits < name.size() && name[digits] == '_' && name.ends_with(".sql");
}

// A name usable as a target name: letters, digits, '-', '_', '.'.
std::string target_name(std::string text) {
  for (auto& c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '-';
  return text.empty() ? "app" : text;
}

std::vector<fs::directory_entry> entries(const fs::path& dir) {
  std::vector<fs::directory_entry> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) out.push_back(*it);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
  return out;
}

bool yaml_file(const std::string& name) {
  return name.ends_with(".yaml") || name.ends_with(".yaml.j2") || name.ends_with(".yml");
}

// True when `dir` or a folder below it (up to `depth` levels) holds a YAML source.
bool has_yaml_below(const fs::path& dir, int depth) {
  for (const auto& entry : entries(dir)) {
    std::error_code ec;
    if (entry.is_symlink(ec)) continue;
    if (entry.is_directory(ec)) {
      if (depth > 0 && has_yaml_below(entry.path(), depth - 1)) return true;
    } else if (yaml_file(entry.path().filename().string())) {
      return true;
    }
  }
  return false;
}

class Scanner {
 public:
  explicit Scanner(fs::path root) : root_(std::move(root)) {}

  Layout run() {
    visit(root_, 0);
    // One database: "app-db"; several: named by their folders.
    if (layout_.databases.size() == 1) layout_.databases.front().name = "app-db";
    return std::move(layout_);
  }

 private:
  std::string relative(const fs::path& path) const { return path.lexically_relative(root_).generic_string(); }

  void visit(const fs::path& dir, int depth) {
    bool migrations = false, fabric = false, terraform = false;
    std::vector<fs::path> subdirs;
    for (const auto& entry : entries(dir)) {
      std::error_code ec;
      const auto name = entry.path().filename().string();
      if (entry.is_symlink(ec)) continue;
      if (entry.is_directory(ec)) {
        if (fs::exists(entry.path() / ".platform", ec)) fabric = true;  // <Item>.<Type>/.platform
        if (!skipped(name)) subdirs.push_back(entry.path());
        continue;
      }
      if (migration_file(name)) migrations = true;
      if (name.ends_with(".tf")) terraform = true;
    }
    const auto here = relative(dir);
    const auto folder = dir.filename().string();
    if (migrations && depth > 0) {
      const auto parent = dir.parent_path();
      const auto base = parent == root_ ? std::string("") : relative(parent) + "/";
      layout_.databases.push_back({target_name(parent == root_ ? folder : parent.filename().string()) + "-db", here,
                                   base + "schema.sql"});
      return;
    }
    if (folder == "assets" && depth > 0 && has_yaml_below(dir, 3)) {
      layout_.asset_folders.push_back(here);
      return;
    }
    if (fabric) {
      layout_.unsupported.push_back("a Microsoft Fabric workspace at " + (here.empty() ? "." : here) + "/");
      return;
    }
    if (terraform) {
      layout_.unsupported.push_back("a Terraform root module at " + (here.empty() ? "." : here) + "/");
      return;
    }
    if (depth >= kMaxDepth) return;
    for (const auto& sub : subdirs) visit(sub, depth + 1);
  }

  fs::path root_;
  Layout layout_;
};

}  // namespace

Layout scan_layout(const std::filesystem::path& root) { return Scanner(root).run(); }

}  // namespace converge::steps
