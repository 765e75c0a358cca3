// Reading the desired items from the repository (see sources.hpp). Line numbers in
// errors about a rendered .yaml.j2 file are lines of its rendered text (the same as
// the template's unless a tag spans lines or emits several).
#include "converge/providers/assets/sources.hpp"

#include <algorithm>

#include "converge/providers/assets/references.hpp"
#include "converge/providers/assets/secrets.hpp"
#include "converge/providers/assets/yaml_json.hpp"
#include "converge/template/render.hpp"
#include "converge/util/fs.hpp"

namespace converge::providers::assets {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kTemplateExt = ".yaml.j2";
constexpr std::string_view kPlainExt = ".yaml";
constexpr std::string_view kOverrides = ".overrides";

// A file's name without .yaml / .yaml.j2; "" when it is neither.
std::string stem_of(const std::string& path) {
  if (path.ends_with(kTemplateExt)) return path.substr(0, path.size() - kTemplateExt.size());
  if (path.ends_with(kPlainExt)) return path.substr(0, path.size() - kPlainExt.size());
  return "";
}

// One file as read: its rendered text and where it is.
struct Text {
  std::string file;  // relative to the repo root
  std::string text;
};

// What the checks need to point at a line: the texts an item came from.
struct Origin {
  Text base;
  std::optional<Text> overrides;
};

class Loader {
 public:
  Loader(const Options& options, const fs::path& root) : options_(options), root_(root) {}

  Expected<Sources> run() {
    auto vars = load_vars(options_, root_);
    if (!vars) return fail(vars.error());
    sources_.vars = std::move(*vars);
    check_vars();
    read_items();
    check_references();
    if (problems_.empty()) return std::move(sources_);
    Error first = problems_.front();
    if (problems_.size() > 1) {
      first.message += " (and " + std::to_string(problems_.size() - 1) + " more problem" +
                       (problems_.size() > 2 ? "s" : "") + ":";
      for (std::size_t i = 1; i < problems_.size(); ++i) first.message += "\n  " + problems_[i].to_string();
      first.message += ")";
    }
    return fail(std::move(first));
  }

 private:
  void problem(std::string message, SourceLocation where) { problems_.push_back(Error::config(std::move(message), std::move(where))); }

  std::string relative(const fs::path& path) const { return path.lexically_relative(root_).generic_string(); }

  // ${NAME} in a variable must name an allowed secret (else it would be sent as is).
  void check_vars() {
    std::vector<std::string> unknown;
    auto walk = [&](auto& self, const nlohmann::ordered_json& v) -> void {
      if (v.is_string()) {
        for (auto& name : secret_references(v.get_ref<const std::string&>()))
          if (!options_.secrets.contains(name)) unknown.push_back(name);
      } else if (v.is_structured()) {
        for (const auto& item : v) self(self, item);
      }
    };
    walk(walk, sources_.vars);
    if (unknown.empty()) return;
    auto text = util::read_file(root_ / options_.vars);
    for (const auto& name : unknown) {
      SourceLocation where{options_.vars, 0, 0};
      if (text) {
        std::size_t at = text->find("${" + name + "}");
        if (at != std::string::npos) where.line = static_cast<int>(std::count(text->begin(), text->begin() + at, '\n')) + 1;
      }
      problem("${" + name + "} refers to a secret that is not listed in the target's `secrets` setting", where);
    }
  }

  // Renders (for .yaml.j2) and parses one file.
  std::optional<json> read(const fs::path& path, Text& text) {
    text.file = relative(path);
    auto raw = util::read_file(path);
    if (!raw) {
      problem(raw.error().message, {text.file, 0, 0});
      return std::nullopt;
    }
    if (text.file.ends_with(kTemplateExt)) {
      auto rendered = tmpl::render(*raw, sources_.vars, text.file);
      if (!rendered) {
        problems_.push_back(rendered.error());
        return std::nullopt;
      }
      text.text = std::move(*rendered);
    } else {
      text.text = std::move(*raw);
    }
    auto item = parse_yaml_item(text.text, text.file);
    if (!item) {
      problems_.push_back(item.error());
      return std::nullopt;
    }
    return std::move(*item);
  }

  void read_items() {
    fs::path base = root_ / options_.sources;
    std::error_code ec;
    if (!fs::is_directory(base, ec)) return;  // no sources: nothing desired
    std::vector<fs::path> top;
    for (const auto& entry : fs::directory_iterator(base, ec)) top.push_back(entry.path());
    std::sort(top.begin(), top.end());
    for (const auto& path : top) {
      std::string name = path.filename().string();
      if (fs::is_directory(path, ec)) {
        if (const auto* kind = options_.kind(name)) {
          read_kind(*kind, path);
        } else {
          problem("folder '" + name + "' is not a configured kind (setting `kinds`)", {relative(path), 0, 0});
        }
      } else if (!stem_of(name).empty()) {
        problem("asset files belong in a kind folder (" + options_.sources + "/<kind>/…)", {relative(path), 0, 0});
      }
    }
  }

  void read_kind(const KindSpec& kind, const fs::path& folder) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(folder, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_regular_file(ec) && !stem_of(it->path().string()).empty()) files.push_back(it->path());
    std::sort(files.begin(), files.end());

    // stem → overrides file; then every base file, merged with its overrides.
    std::map<std::string, fs::path> overrides;
    for (const auto& path : files) {
      std::string stem = stem_of(path.string());
      if (!stem.ends_with(kOverrides)) continue;
      std::string of = stem.substr(0, stem.size() - kOverrides.size());
      if (auto [it, fresh] = overrides.emplace(of, path); !fresh)
        problem("two overrides files for one item: " + relative(it->second), {relative(path), 0, 0});
    }
    std::set<std::string> bases;
    for (const auto& path : files) {
      std::string stem = stem_of(path.string());
      if (stem.ends_with(kOverrides)) continue;
      if (!bases.insert(stem).second) {
        problem("both " + stem + ".yaml and " + stem + ".yaml.j2 exist; keep one", {relative(path), 0, 0});
        continue;
      }
      Origin origin;
      auto item = read(path, origin.base);
      if (!item) continue;
      std::string overrides_file;
      if (auto it = overrides.find(stem); it != overrides.end()) {
        origin.overrides.emplace();
        auto patch = read(it->second, *origin.overrides);
        if (!patch) continue;
        deep_merge(*item, *patch);
        overrides_file = origin.overrides->file;
      }
      add(kind, std::move(*item), std::move(origin), path.string().ends_with(kTemplateExt), overrides_file);
    }
    for (const auto& [stem, path] : overrides)
      if (!bases.contains(stem))
        problem("overrides file without the item it overrides (" + fs::path(stem).filename().string() +
                ".yaml or .yaml.j2)", {relative(path), 0, 0});
  }

  SourceLocation where(const Origin& origin, const json::json_pointer& path) const {
    if (origin.overrides)
      if (auto at = locate(origin.overrides->text, origin.overrides->file, path)) return *at;
    if (auto at = locate(origin.base.text, origin.base.file, path)) return *at;
    return {origin.base.file, 1, 1};
  }

  void add(const KindSpec& kind, json item, Origin origin, bool templated, const std::string& overrides_file) {
    json::json_pointer id_path("/" + kind.id_field);
    std::string id = item.contains(kind.id_field) ? id_text(item[kind.id_field]) : "";
    if (id.empty()) {
      problem("the item has no '" + kind.id_field + "' (a string or an integer): its id field", where(origin, id_path));
      return;
    }
    for (const auto& field : kind.ignore) item.erase(field);
    std::string key = kind.name + "/" + id;
    if (auto it = origins_.find(key); it != origins_.end()) {
      problem("duplicate " + kind.id_field + " " + id + " (also in " + where(it->second, id_path).to_string() + ")",
              where(origin, id_path));
      return;
    }
    sources_.items[key] = SourceItem{kind.name, id, std::move(item), origin.base.file, templated, overrides_file};
    origins_.emplace(key, std::move(origin));
  }

  void check_references() {
    for (const auto& [key, source] : sources_.items) {
      const KindSpec* kind = options_.kind(source.kind);
      for (const auto& ref : kind->references) {
        for (const auto& [path, value] : referenced_values(ref, source.item)) {
          std::string id = id_text(value);
          if (!id.empty() && sources_.items.contains(ref.kind + "/" + id)) continue;
          problem(source.kind + " item " + source.id + ": " + ref.field + " refers to " + ref.kind + " " +
                      (id.empty() ? value.dump() : id) + ", which is not in " + options_.sources + "/" + ref.kind,
                  where(origins_.at(key), path));
        }
      }
    }
  }

  const Options& options_;
  fs::path root_;
  Sources sources_;
  std::map<std::string, Origin> origins_;
  std::vector<Error> problems_;
};

}  // namespace

std::string id_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return value.dump();
  return "";
}

void deep_merge(json& base, const json& overrides) {
  if (!base.is_object() || !overrides.is_object()) {
    base = overrides;
    return;
  }
  for (const auto& [key, value] : overrides.items()) {
    auto it = base.find(key);
    if (it != base.end() && it->is_object() && value.is_object()) {
      deep_merge(*it, value);
    } else {
      base[key] = value;
    }
  }
}

Expected<nlohmann::ordered_json> load_vars(const Options& options, const fs::path& repo_root) {
  fs::path path = repo_root / options.vars;
  std::error_code ec;
  if (!options.vars_explicit && !fs::exists(path, ec)) return nlohmann::ordered_json::object();
  auto vars = tmpl::load_yaml_variables(path);
  if (!vars) {
    Error e = vars.error();
    if (e.where) {
      auto relative = fs::path(e.where->file).lexically_relative(repo_root).generic_string();
      if (!relative.empty() && !relative.starts_with("..")) e.where->file = relative;
    }
    return fail(std::move(e));
  }
  return vars;
}

Expected<Sources> load_sources(const Options& options, const fs::path& repo_root) {
  return Loader(options, repo_root).run();
}

}  // namespace converge::providers::assets
