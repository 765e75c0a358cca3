// export-to-pr of a superset or preset runtime (see superset_export.hpp).
#include "converge/providers/assets/superset_export.hpp"

#include <algorithm>
#include <set>

#include "converge/providers/assets/export.hpp"
#include "converge/providers/assets/secrets.hpp"
#include "converge/providers/assets/superset_normalise.hpp"
#include "converge/providers/assets/titles.hpp"
#include "converge/providers/assets/yaml_json.hpp"
#include "converge/util/fs.hpp"
#include "converge/util/lines.hpp"

namespace converge::providers::assets {
namespace {

using nlohmann::json;

std::size_t indent_of(const std::string& line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  return i;
}

// The position where a key starts on `line` (past the indentation and any "- ").
std::size_t key_start(const std::string& line) {
  std::size_t i = indent_of(line);
  while (line.compare(i, 2, "- ") == 0) i = i + 2 + indent_of(line.substr(i + 2));
  return i;
}

bool is_scalar(const json& v) { return !v.is_object() && !v.is_array(); }

}  // namespace

std::string export_path_for(const std::string& kind, const std::string& path, const std::string& uuid) {
  bool plain = path.starts_with(kind + "/") && path.ends_with(".yaml") && path.size() > kind.size() + 6;
  std::size_t start = kind.size() + 1;
  while (plain && start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string segment = path.substr(start, end - start);
    plain = !segment.empty() && segment != "." && segment != ".." &&
            segment.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
                std::string::npos;
    start = end + 1;
  }
  return plain ? path : kind + "/" + file_name_for(uuid) + ".yaml";
}

std::optional<std::string> edit_scalars_in_place(const std::string& text, const std::string& file, const json& before,
                                                 const json& after,
                                                 const std::function<std::string(const json&)>& scalar_text) {
  // The file's lines, each with its own line end kept (a CRLF file stays CRLF).
  std::vector<std::string> lines;
  for (auto view : util::split_lines(text)) {
    std::size_t end = static_cast<std::size_t>(view.data() - text.data()) + view.size();
    lines.emplace_back(std::string(view) + (end < text.size() && text[end] == '\r' ? "\r" : ""));
  }
  std::set<std::size_t> edited;
  for (const auto& op : json::diff(before, after)) {
    if (op.value("op", "") != "replace") return std::nullopt;
    json::json_pointer path(op["path"].get<std::string>());
    if (!before.contains(path) || !is_scalar(before.at(path)) || !is_scalar(op["value"])) return std::nullopt;
    auto where = locate(text, file, path);
    if (!where || where->line < 1 || static_cast<std::size_t>(where->line) > lines.size()) return std::nullopt;
    std::size_t n = static_cast<std::size_t>(where->line) - 1;
    if (!edited.insert(n).second) return std::nullopt;
    std::string& line = lines[n];
    bool cr = line.ends_with('\r');
    std::string body = cr ? line.substr(0, line.size() - 1) : line;
    std::size_t column = static_cast<std::size_t>(std::max(where->column, 1)) - 1;
    // The value must sit after "key: " (or "- ") on this line, with no comment after it.
    if (column < 2 || column > body.size() || (body.compare(column - 2, 2, ": ") != 0 && body.compare(column - 2, 2, "- ") != 0))
      return std::nullopt;
    if (body.find(" #", column) != std::string::npos) return std::nullopt;
    // ...and end on it: the next line holding text is not indented past the key.
    for (std::size_t next = n + 1; next < lines.size(); ++next) {
      std::string t = lines[next];
      if (t.ends_with('\r')) t.pop_back();
      if (t.find_first_not_of(' ') == std::string::npos) continue;
      if (indent_of(t) > key_start(body) || t.compare(indent_of(t), 1, "#") == 0) return std::nullopt;
      break;
    }
    std::string value = scalar_text(op["value"]);
    while (value.ends_with('\n')) value.pop_back();
    if (value.find('\n') != std::string::npos) return std::nullopt;
    line = body.substr(0, column) + value + (cr ? "\r" : "");
  }
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  if (!text.ends_with('\n') && !out.empty()) out.pop_back();
  return out;
}

ExportedSources export_superset(const Options& options, const std::filesystem::path& repo_root,
                                const Sources& sources, const SupersetAssets& assets, SupersetRuntime& runtime) {
  ExportedSources out;
  const auto vars = template_vars(sources.vars);
  std::set<std::string> co_authors;
  auto credit = [&](const std::string& key, const SupersetAsset& asset, const std::string& what) {
    std::string title = item_title(asset.item);
    std::string who = SupersetRuntime::changed_by(asset);
    out.credits.push_back(what + " " + key + (title.empty() ? "" : " (" + title + ")") + (who.empty() ? "" : ", " + who));
    if (asset.row.changed_by_id == 0 || asset.row.changed_by_name.empty()) return;
    if (auto email = runtime.api().user_email(asset.row.changed_by_id))
      co_authors.insert(asset.row.changed_by_name + " <" + *email + ">");
  };
  std::set<std::string> taken;
  for (const auto& [key, s] : sources.items) taken.insert(s.file);

  for (const auto& [key, asset] : assets) {
    json item = superset_exportable(asset.kind, asset.item);
    normalise_numbers(item);
    for (const auto& field : options.kind(asset.kind) ? options.kind(asset.kind)->ignore : std::set<std::string>{})
      item.erase(field);
    auto source = sources.items.find(key);
    if (source == sources.items.end()) {
      item = reference_known_secrets(item, options.secrets);
      const std::string relative = export_path_for(asset.kind, asset.path, key.substr(asset.kind.size() + 1));
      std::string path = options.sources + "/" + relative;
      for (int n = 2; taken.contains(path); ++n)
        path = options.sources + "/" + relative.substr(0, relative.size() - 5) + "_" + std::to_string(n) + ".yaml";
      taken.insert(path);
      out.files[path] = to_yaml(item);
      credit(key, asset, "added");
      continue;
    }
    const SourceItem& s = source->second;
    const json want = superset_comparable(asset.kind, s.item);
    const json have = superset_comparable(asset.kind, item);
    if (same_value(want, have, options.secrets)) continue;
    // The runtime's edits carried onto the file's item, its ids and secrets kept: the
    // patch between the two comparable forms applied to the file's item, when that gives
    // the runtime's comparable form; else the runtime's asset with the file's secrets.
    json edited;
    try {
      edited = s.item.patch(json::diff(want, have));
    } catch (const std::exception&) {
      edited = nullptr;
    }
    if (edited.is_null() || superset_comparable(asset.kind, edited) != have)
      edited = restore_secret_references(item, s.item, options.secrets);
    edited = reference_known_secrets(edited, options.secrets);
    std::optional<std::string> text;
    if (!s.overrides_file.empty()) {
      out.removed.push_back(s.overrides_file);
    } else if (auto original = util::read_file(repo_root / s.file)) {
      bool unused = false;
      text = edit_scalars_in_place(*original, s.file, s.item, edited, [&](const json& v) {
        return s.templated ? templated_yaml(v, vars, &unused) : to_yaml(v);
      });
      // A template's edit in place is kept only when the file still reads as YAML.
      if (text && s.templated && !locate(*text, s.file, json::json_pointer())) text.reset();
    }
    bool unused = false;
    out.files[s.file] = text ? *text : s.templated ? templated_yaml(edited, vars, &unused) : to_yaml(edited);
    credit(key, asset, "changed");
  }
  for (const auto& [key, s] : sources.items) {
    if (assets.contains(key)) continue;
    out.removed.push_back(s.file);
    if (!s.overrides_file.empty()) out.removed.push_back(s.overrides_file);
    out.credits.push_back("deleted " + key + " (gone from Superset)");
  }
  std::sort(out.removed.begin(), out.removed.end());
  out.co_authors.assign(co_authors.begin(), co_authors.end());
  return out;
}

}  // namespace converge::providers::assets
