// Reading a workspace's items from the repository (sources.hpp).
#include "converge/providers/fabric/sources.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <system_error>

#include "converge/util/bounded_json.hpp"
#include "converge/util/fs.hpp"

namespace converge::providers::fabric {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// What Fabric refuses in a folder name (fabric-cicd's INVALID_FOLDER_CHAR_REGEX).
bool valid_folder_name(const std::string& name) {
  static const std::regex invalid(R"([~"#.%&*:<>?/\\{|}])");
  return !name.empty() && !std::regex_search(name, invalid) && name.size() <= 255;
}

class SourceReader {
 public:
  SourceReader(const fs::path& root, const SourceBudget& budget) : root_(root), budget_(budget) {}

  std::string shown(const fs::path& path) const { return path.lexically_relative(root_).generic_string(); }

  // Walks a folder that is not an item: its subfolders holding `.platform` are items;
  // the others are Fabric folders (when they hold items).
  Expected<void> walk(const fs::path& dir, const std::string& folder, int depth) {
    if (depth > budget_.max_depth)
      return fail(Error::config("folders nest deeper than " + std::to_string(budget_.max_depth) + " levels",
                                {shown(dir), 0, 0}));
    std::vector<fs::directory_entry> entries;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(*it);
    if (ec) return fail(Error::runtime("cannot read the folder " + shown(dir) + ": " + ec.message()));
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
    for (const auto& entry : entries) {
      const std::string name = entry.path().filename().string();
      if (entry.is_symlink())
        return fail(Error::config("a symbolic link is not read as a source (it could name a file outside the "
                                  "repository); replace it by the files",
                                  {shown(entry.path()), 0, 0}));
      if (!entry.is_directory() || name.starts_with(".")) continue;
      if (fs::exists(entry.path() / ".platform")) {
        if (auto ok = item(entry.path(), folder); !ok) return ok;
        continue;
      }
      if (auto ok = walk(entry.path(), folder.empty() ? name : folder + "/" + name, depth + 1); !ok) return ok;
    }
    return {};
  }

  Expected<void> item(const fs::path& dir, const std::string& folder) {
    if (items_.size() >= budget_.max_items)
      return fail(Error::config("more than " + std::to_string(budget_.max_items) + " items", {shown(dir), 0, 0}));
    // Every folder above an item becomes a Fabric folder: its name must be one Fabric takes.
    std::string rest = folder;
    while (!rest.empty()) {
      auto slash = rest.find('/');
      std::string part = rest.substr(0, slash);
      if (!valid_folder_name(part))
        return fail(Error::config("'" + part + "' cannot be a Fabric folder name (none of ~\"#.%&*:<>?/\\{|} allowed)",
                                  {shown(dir.parent_path()), 0, 0}));
      rest = slash == std::string::npos ? "" : rest.substr(slash + 1);
    }
    Item out;
    out.folder = folder;
    out.dir = shown(dir);
    auto platform = read(dir / ".platform");
    if (!platform) return fail(platform.error());
    out.platform = *platform;
    const std::string platform_file = shown(dir / ".platform");
    auto doc = util::parse_json_within(*platform, platform_file, {1u << 20, 32, 10000, {}});
    if (!doc) return fail(Error::config(doc.error().message, {platform_file, 0, 0}));
    const json* metadata = doc->is_object() && doc->contains("metadata") ? &(*doc)["metadata"] : nullptr;
    auto text = [&](const json* object, const char* field) -> std::string {
      if (!object || !object->is_object() || !object->contains(field) || !(*object)[field].is_string()) return "";
      return (*object)[field].get<std::string>();
    };
    out.type = text(metadata, "type");
    out.name = text(metadata, "displayName");
    out.description = text(metadata, "description");
    out.logical_id = text(doc->is_object() && doc->contains("config") ? &(*doc)["config"] : nullptr, "logicalId");
    if (out.type.empty() || out.name.empty())
      return fail(Error::config("needs metadata.type and metadata.displayName (strings)", {platform_file, 0, 0}));
    static const std::regex type_word("[A-Za-z][A-Za-z0-9]{0,63}");
    if (!std::regex_match(out.type, type_word))
      return fail(Error::config("metadata.type '" + out.type + "' is not a Fabric item type", {platform_file, 0, 0}));
    // The name names a folder of `converge compile`'s bundle and shows in plans: no
    // path separator, no control character, not "." or "..".
    if (out.name == "." || out.name == ".." || out.name.size() > 256 ||
        std::any_of(out.name.begin(), out.name.end(),
                    [](char c) { return c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20; }))
      return fail(Error::config("metadata.displayName must be at most 256 characters without '/', '\\' or control "
                                "characters",
                                {platform_file, 0, 0}));

    const bool power_bi = out.type == "Report" || out.type == "SemanticModel";
    std::vector<fs::path> children;
    if (auto ok = parts(dir, dir, power_bi, out.parts, children, 0); !ok) return ok;
    std::sort(out.parts.begin(), out.parts.end(), [](const Part& a, const Part& b) { return a.path < b.path; });

    if (auto [it, fresh] = by_key_.emplace(out.key(), out.dir); !fresh)
      return fail(Error::config("another folder, " + it->second + ", holds the same item (" + out.key() + ")",
                                {out.dir, 0, 0}));
    if (!out.logical_id.empty())
      if (auto [it, fresh] = by_logical_id_.emplace(out.logical_id, out.dir); !fresh)
        return fail(Error::config("another folder, " + it->second + ", has the same config.logicalId " +
                                      out.logical_id,
                                  {platform_file, 0, 0}));
    items_.push_back(std::move(out));
    for (const auto& child : children)
      if (auto ok = item(child, folder); !ok) return ok;
    return {};
  }

  // The files under an item folder, as parts; `.children/<child>/` folders with a
  // `.platform` are collected as items of their own.
  Expected<void> parts(const fs::path& item_dir, const fs::path& dir, bool power_bi, std::vector<Part>& out,
                       std::vector<fs::path>& children, int depth) {
    if (depth > budget_.max_depth)
      return fail(Error::config("folders nest deeper than " + std::to_string(budget_.max_depth) + " levels",
                                {shown(dir), 0, 0}));
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::directory_entry& entry = *it;
      const std::string relative = entry.path().lexically_relative(item_dir).generic_string();
      if (entry.is_symlink())
        return fail(Error::config("a symbolic link is not read as a source (it could name a file outside the "
                                  "repository); replace it by the files",
                                  {shown(entry.path()), 0, 0}));
      if (entry.is_directory()) {
        if (relative == ".children") {
          std::error_code ec2;
          for (fs::directory_iterator c(entry.path(), ec2), e; !ec2 && c != e; c.increment(ec2))
            if (c->is_directory() && !c->is_symlink() && fs::exists(c->path() / ".platform"))
              children.push_back(c->path());
          std::sort(children.begin(), children.end());
          continue;
        }
        if (power_bi && relative == ".pbi") continue;
        if (auto ok = parts(item_dir, entry.path(), power_bi, out, children, depth + 1); !ok) return ok;
        continue;
      }
      if (!entry.is_regular_file()) continue;
      if (relative == ".platform") continue;
      auto bytes = read(entry.path());
      if (!bytes) return fail(bytes.error());
      // ⟦ and ⟧ mark the workspace's values in a part (item.hpp): a file holding them
      // would be read as naming one.
      if (bytes->find(kMarkerOpen) != std::string::npos || bytes->find(kMarkerClose) != std::string::npos)
        return fail(Error::config("holds \u27e6 or \u27e7 (U+27E6, U+27E7), which converge reserves to mark the "
                                  "workspace's values in a part; write them another way (an escape of the format)",
                                  {shown(entry.path()), 0, 0}));
      out.push_back({relative, std::move(*bytes)});
    }
    if (ec) return fail(Error::runtime("cannot read the folder " + shown(dir) + ": " + ec.message()));
    return {};
  }

  Expected<std::string> read(const fs::path& file) {
    auto bytes = util::read_file(file, budget_.max_part_bytes);
    if (!bytes) return fail(Error::config(bytes.error().message, {shown(file), 0, 0}));
    total_ += bytes->size();
    if (total_ > budget_.max_total_bytes)
      return fail(Error::config("the sources hold more than " + std::to_string(budget_.max_total_bytes >> 20) +
                                    " MiB of item files",
                                {shown(file), 0, 0}));
    return bytes;
  }

  std::vector<Item> take() {
    std::sort(items_.begin(), items_.end(), [](const Item& a, const Item& b) { return a.key() < b.key(); });
    return std::move(items_);
  }

 private:
  fs::path root_;
  SourceBudget budget_;
  std::vector<Item> items_;
  std::map<std::string, std::string> by_key_, by_logical_id_;
  std::size_t total_ = 0;
};

}  // namespace

Expected<std::vector<Item>> read_items(const fs::path& repo_root, const std::string& sources,
                                       const SourceBudget& budget) {
  const fs::path dir = repo_root / sources;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return fail(Error::config("the sources folder '" + sources + "' does not exist", {sources, 0, 0}));
  SourceReader reader(repo_root, budget);
  if (auto ok = reader.walk(dir, "", 0); !ok) return fail(ok.error());
  return reader.take();
}

}  // namespace converge::providers::fabric
