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
    if (r.description != source.description) {
      Item described = source;
      described.description = r.description;
      out.files[source.dir + "/.platform"] = platform_file(described);
    }
    if (r.shell) continue;
    for (const auto& p : r.parts) {
      const Part* was = part_of(source.parts, p.path);
      const Part* sent = deployed_item ? part_of(deployed_item->parts, p.path) : nullptr;
      if (sent && same_part(p.path, sent->bytes, p.bytes)) continue;  // as deployed: the file stays
      std::string bytes = p.bytes;
      if (is_text(p.bytes)) {
        std::optional<std::string> carried;
        if (was && sent) carried = util::carry_line_edits(sent->bytes, p.bytes, was->bytes, reverse);
        bytes = carried ? *carried : reversed(p.bytes, reverse);
      }
      if (was && was->bytes == bytes) continue;
      out.files[source.dir + "/" + p.path] = std::move(bytes);
    }
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
