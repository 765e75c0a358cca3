// export-to-pr for a Fabric workspace (export.hpp).
#include "converge/providers/fabric/export.hpp"

#include <map>

#include "converge/providers/fabric/bundle.hpp"
#include "converge/providers/fabric/compare.hpp"
#include "converge/providers/fabric/text.hpp"
#include "converge/util/text_diff.hpp"

namespace converge::providers::fabric {
namespace {

const Part* part_of(const std::vector<Part>& parts, const std::string& path) {
  for (const auto& p : parts)
    if (p.path == path) return &p;
  return nullptr;
}

// Every line of `text` through `reverse`.
std::string reversed(const std::string& text, const Reverse& reverse) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    std::string_view line(text.data() + start, (end == std::string::npos ? text.size() : end) - start);
    out += reverse(line);
    if (end == std::string::npos) break;
    out += '\n';
    start = end + 1;
  }
  return out;
}

// Where the item's folder goes when the workspace holds it in `folder`: the same name
// under `<sources_dir>/<folder>/`; its own folder when it is already there, when it
// is inside another item's folder, or when its folder is not under `sources_dir`.
std::string moved_dir(const Item& source, const std::string& folder, const std::string& sources_dir) {
  if (folder == source.folder || source.dir.find("/.children/") != std::string::npos ||
      !source.dir.starts_with(sources_dir + "/"))
    return source.dir;
  const std::string leaf = source.dir.substr(source.dir.rfind('/') + 1);
  return sources_dir + "/" + (folder.empty() ? "" : folder + "/") + leaf;
}

}  // namespace

ExportedSources export_items(const std::vector<Item>& sources, const std::vector<Item>& deployed,
                             const std::vector<RuntimeItem>& runtime, const std::string& sources_dir,
                             const Reverse& reverse) {
  std::map<std::string, const Item*> source_of, deployed_of;
  for (const auto& s : sources) source_of[s.key()] = &s;
  for (const auto& d : deployed) deployed_of[d.key()] = &d;
  ExportedSources out;
  std::map<std::string, bool> seen;

  for (const auto& r : runtime) {
    const std::string key = r.type + "/" + r.name;
    seen[key] = true;
    auto s = source_of.find(key);
    if (s == source_of.end()) {
      // Made in the portal: a folder of its own.
      Item made;
      made.type = r.type;
      made.name = r.name;
      made.description = r.description;
      made.folder = r.folder;
      made.logical_id = r.id;
      std::string dir = sources_dir + "/" + (r.folder.empty() ? "" : r.folder + "/") + r.name + "." + r.type;
      out.files[dir + "/.platform"] = platform_file(made);
      for (const auto& p : r.parts) out.files[dir + "/" + p.path] = is_text(p.bytes) ? reversed(p.bytes, reverse) : p.bytes;
      continue;
    }
    const Item& source = *s->second;
    auto d = deployed_of.find(key);
    const Item* deployed_item = d == deployed_of.end() ? nullptr : d->second;
    // Moved to another folder in the portal: the item's folder moves with its files as
    // they are (an item inside another's folder, an eventhouse's KQL database under
    // .children, goes where its parent goes).
    const std::string dir = moved_dir(source, r.folder, sources_dir);
    const bool moved = dir != source.dir;
    if (moved) {
      out.removed.push_back(source.dir + "/.platform");
      for (const auto& p : source.parts) out.removed.push_back(source.dir + "/" + p.path);
    }
    if (r.description != source.description) {
      Item described = source;
      described.description = r.description;
      out.files[dir + "/.platform"] = platform_file(described);
    } else if (moved) {
      out.files[dir + "/.platform"] = source.platform.empty() ? platform_file(source) : source.platform;
    }
    for (const auto& p : r.shell ? source.parts : r.parts) {
      const Part* was = part_of(source.parts, p.path);
      if (r.shell) {  // no definition read: the repository's files as they are
        if (moved) out.files[dir + "/" + p.path] = p.bytes;
        continue;
      }
      const Part* sent = deployed_item ? part_of(deployed_item->parts, p.path) : nullptr;
      if (sent && same_part(p.path, sent->bytes, p.bytes)) {  // as deployed: the file stays
        if (moved && was) out.files[dir + "/" + p.path] = was->bytes;
        continue;
      }
      std::string bytes = p.bytes;
      if (is_text(p.bytes)) {
        std::optional<std::string> carried;
        if (was && sent) carried = util::carry_line_edits(sent->bytes, p.bytes, was->bytes, reverse);
        bytes = carried ? *carried : reversed(p.bytes, reverse);
      }
      if (!moved && was && was->bytes == bytes) continue;
      out.files[dir + "/" + p.path] = std::move(bytes);
    }
    if (!moved && !r.shell)
      for (const auto& p : source.parts)
        if (!part_of(r.parts, p.path)) out.removed.push_back(source.dir + "/" + p.path);
  }
  for (const auto& s : sources) {
    if (seen.contains(s.key())) continue;
    out.removed.push_back(s.dir + "/.platform");
    for (const auto& p : s.parts) out.removed.push_back(s.dir + "/" + p.path);
  }
  return out;
}

}  // namespace converge::providers::fabric
