// Reading fabric-cicd's parameter.yml (lists of entries under find_replace,
// key_value_replace and spark_pool, as its current structure has them) into
// Parameters, with every error at parameter.yml:line:column: the keys fabric-cicd
// knows, values typed as PyYAML types them, Python regexes converted to ECMAScript,
// JSONPaths parsed, dynamic values turned into the markers parameters.hpp lists.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "converge/providers/fabric/markers.hpp"
#include "converge/providers/fabric/parameters.hpp"
#include "converge/template/yaml_block_subset.hpp"
#include "converge/util/ascii.hpp"
#include "converge/util/yaml_document.hpp"

namespace converge::providers::fabric {

namespace {

using Json = nlohmann::ordered_json;
using util::ascii_lower;

constexpr std::uintmax_t kMaxParameterFileBytes = std::uintmax_t{16} << 20;
constexpr std::string_view kItemAttributes[] = {"id", "sqlendpoint", "sqlendpointid", "queryserviceuri"};

// Reads one parameter file's YAML tree, every error at file:line:column.
class ParameterFileReader {
 public:
  ParameterFileReader(std::string shown, std::filesystem::path repository_dir)
      : shown_(std::move(shown)), repository_dir_(std::move(repository_dir)) {}

  std::unexpected<Error> error(const YAML::Node& at, const std::string& message) const {
    const YAML::Mark m = at.Mark();
    if (m.is_null()) return fail(Error::config(message, SourceLocation{shown_}));
    return fail(Error::config(message, SourceLocation{shown_, m.line + 1, m.column + 1}));
  }

  static int line_of(const YAML::Node& n) { return n.Mark().is_null() ? 0 : n.Mark().line + 1; }

  // A scalar as PyYAML types it (plain scalars: bool, int, float, null, string).
  static Json typed(const YAML::Node& n) {
    if (n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str") return Json(n.Scalar());
    if (auto v = tmpl::typed_plain_scalar(n.Scalar())) return *v;
    return Json(n.Scalar());
  }

  Expected<Json> to_json(const YAML::Node& n, int depth = 0) const {
    if (depth > 64) return error(n, "a value nested deeper than 64 levels");
    if (!n.IsDefined() || n.IsNull()) return Json(nullptr);
    if (n.IsScalar()) return typed(n);
    if (n.IsSequence()) {
      Json out = Json::array();
      for (const auto& e : n) {
        auto v = to_json(e, depth + 1);
        if (!v) return v;
        out.push_back(std::move(*v));
      }
      return out;
    }
    Json out = Json::object();
    for (const auto& kv : n) {
      auto v = to_json(kv.second, depth + 1);
      if (!v) return v;
      out[kv.first.Scalar()] = std::move(*v);
    }
    return out;
  }

  Expected<std::string> string(const YAML::Node& n, std::string_view what) const {
    if (n.IsScalar()) {
      const Json v = typed(n);
      if (v.is_string()) return v.get<std::string>();
    }
    return error(n, std::string(what) + " must be a string (quote it)");
  }

  // A filter: a string or a list of strings; a null value is no filter.
  Expected<std::optional<std::vector<std::string>>> strings(const YAML::Node& n, std::string_view what) const {
    if (!n.IsDefined() || n.IsNull()) return std::optional<std::vector<std::string>>{};
    std::vector<std::string> out;
    if (n.IsSequence()) {
      for (const auto& e : n) {
        auto s = string(e, what);
        if (!s) return std::unexpected(s.error());
        out.push_back(std::move(*s));
      }
      return std::optional(std::move(out));
    }
    auto s = string(n, std::string(what) + " (a string or a list of strings)");
    if (!s) return std::unexpected(s.error());
    // fabric-cicd: an empty string is no filter (`if not input_path`); for the type and
    // name filters "" compares unequal to every item.
    out.push_back(std::move(*s));
    return std::optional(std::move(out));
  }

  Expected<PathFilter> path_filter(const YAML::Node& at, const std::string& written) const {
    PathFilter f;
    f.written = written;
    f.glob = written.find_first_of("*?[") != std::string::npos;
    if (f.glob) {
      std::string p = written;
      for (char& c : p)
        if (c == '\\') c = '/';
      if (p.find_first_not_of(" \t") == std::string::npos) return error(at, "file_path: an empty pattern");
      if (p.starts_with("/**/")) return error(at, "file_path: an absolute path with ** is not allowed: " + written);
      if (p.find("../") != std::string::npos || p.find("..%2") != std::string::npos ||
          p.find("..%5") != std::string::npos)
        return error(at, "file_path: a pattern may not go up a folder (..): " + written);
      int depth = 0;
      for (char c : p) {
        if (c == '[') ++depth;
        if (c == ']' && --depth < 0) break;
      }
      if (depth != 0) return error(at, "file_path: unbalanced [ ] in the pattern " + written);
      if (p.starts_with("/")) {
        // Absolute: must lie inside the repository folder, and is matched relative to it.
        const std::string root = repository_dir_.lexically_normal().generic_string();
        std::string prefix = root.ends_with("/") ? root : root + "/";
        if (!repository_dir_.empty() && p.starts_with(prefix)) {
          p = p.substr(prefix.size());
        } else {
          f.outside = true;
        }
      }
      f.path = p;
      return f;
    }
    // A plain path: leading slashes dropped (so "/A.Notebook/x" is relative), then
    // normalised; one that climbs out of the folder matches nothing.
    std::size_t start = written.find_first_not_of("/\\");
    if (start == std::string::npos) start = written.size();
    std::vector<std::string> parts;
    std::stringstream ss(written.substr(start));
    for (std::string seg; std::getline(ss, seg, '/');) {
      if (seg.empty() || seg == ".") continue;
      if (seg == "..") {
        if (parts.empty()) {
          f.outside = true;
          continue;
        }
        parts.pop_back();
        continue;
      }
      parts.push_back(seg);
    }
    for (std::size_t i = 0; i < parts.size(); ++i) f.path += (i ? "/" : "") + parts[i];
    if (f.path.empty()) f.outside = true;
    return f;
  }

  Expected<ParameterFilters> filters(const YAML::Node& entry) const {
    ParameterFilters out;
    auto type = strings(entry["item_type"], "item_type");
    if (!type) return std::unexpected(type.error());
    out.item_type = std::move(*type);
    auto name = strings(entry["item_name"], "item_name");
    if (!name) return std::unexpected(name.error());
    out.item_name = std::move(*name);
    const YAML::Node fp = entry["file_path"];
    auto paths = strings(fp, "file_path");
    if (!paths) return std::unexpected(paths.error());
    // fabric-cicd: an empty file_path ("" or []) is no filter (`if not input_path`).
    const bool given = *paths && !(*paths)->empty() && !(!fp.IsSequence() && (*paths)->front().empty());
    if (given) {
      std::vector<PathFilter> filters;
      for (const std::string& p : **paths) {
        auto f = path_filter(fp, p);
        if (!f) return std::unexpected(f.error());
        filters.push_back(std::move(*f));
      }
      out.file_path = std::move(filters);
    }
    return out;
  }

  Expected<void> keys(const YAML::Node& entry, std::string_view section,
                      std::initializer_list<std::string_view> allowed,
                      std::initializer_list<std::string_view> required) const {
    if (!entry.IsMap()) return error(entry, std::string(section) + ": each entry must be a mapping");
    for (const auto& kv : entry) {
      const std::string key = kv.first.Scalar();
      bool ok = false;
      for (std::string_view a : allowed) ok = ok || key == a;
      if (!ok) {
        std::string list;
        for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        return error(kv.first, std::string(section) + ": unknown key '" + key + "' (known: " + list + ")");
      }
    }
    for (std::string_view r : required)
      if (!entry[std::string(r)].IsDefined() || entry[std::string(r)].IsNull())
        return error(entry, std::string(section) + ": the entry has no " + std::string(r));
    return {};
  }

  // replace_value: a mapping of environment names; `_ALL_` alone stands for every one.
  Expected<std::vector<std::pair<const YAML::Node, std::string>>> environments(const YAML::Node& rv,
                                                                               std::string_view section) const {
    if (!rv.IsMap()) return error(rv, std::string(section) + ": replace_value must map environment names to values");
    std::vector<std::pair<const YAML::Node, std::string>> out;
    bool all = false;
    for (const auto& kv : rv) {
      const std::string env = kv.first.Scalar();
      if (ascii_lower(env) == "_all_") all = true;
      out.emplace_back(kv.second, env);
    }
    if (all && out.size() > 1)
      return error(rv, std::string(section) + ": replace_value has _ALL_ and other environments; _ALL_ must be alone");
    if (all) out.front().second = "_ALL_";
    return out;
  }

  // A replace_value string: itself, or the marker for a dynamic value.
  Expected<std::string> replacement(const YAML::Node& at, const std::string& value) const {
    if (!value.starts_with("$")) return value;
    auto v = dynamic_value(value);
    if (!v) return error(at, v.error().message);
    return marker(*v);
  }

  static bool known_attribute(std::string_view a) {
    for (std::string_view k : kItemAttributes)
      if (a == k) return true;
    return false;
  }

  // fabric-cicd's extract_replace_value, resolved later: the normalised marker value.
  static Expected<std::string> dynamic_value(const std::string& value) {
    const auto bad = [&](const std::string& why) {
      return fail(Error::usage("invalid dynamic value '" + value + "': " + why));
    };
    if (value == "$workspace.id" || value == "$workspace.$id") return std::string("$workspace.id");
    if (value == "$workspace.$name") return std::string("$workspace.name");
    if (value == "$workspace.$name_encoded") return std::string("$workspace.name_encoded");
    if (value.starts_with("$workspace.")) {
      const std::string rest = value.substr(std::string_view("$workspace.").size());
      if (const std::size_t at = rest.find(".$items."); at != std::string::npos) {
        const std::string ws = rest.substr(0, at);
        const std::string items = rest.substr(at + std::string_view(".$items.").size());
        const std::size_t dollar = items.rfind(".$");
        if (dollar == std::string::npos) return bad("expected $workspace.<name>.$items.<type>.<name>.$<attribute>");
        const std::string attr = items.substr(dollar + 2);
        if (!known_attribute(attr))
          return bad("the attribute must be one of id, sqlendpoint, sqlendpointid, queryserviceuri");
        const std::string type_name = items.substr(0, dollar);
        const std::size_t dot = type_name.rfind('.');
        if (dot == std::string::npos || dot == 0 || dot + 1 == type_name.size() || ws.empty())
          return bad("expected $workspace.<name>.$items.<type>.<name>.$<attribute>");
        return "$workspace." + ws + ".$items." + type_name + ".$" + attr;
      }
      std::string ws = rest.ends_with(".$id") ? rest.substr(0, rest.size() - 4) : rest;
      if (ws.empty() || ws.starts_with("$"))
        return bad("expected $workspace.$id, $workspace.$name or $workspace.<name>.$id");
      return "$workspace." + ws + ".$id";
    }
    if (value.starts_with("$items.")) {
      const std::string rest = value.substr(std::string_view("$items.").size());
      std::string type, name, attr;
      if (const std::size_t dollar = rest.rfind(".$"); dollar != std::string::npos) {
        const std::string type_name = rest.substr(0, dollar);
        attr = rest.substr(dollar + 2);
        const std::size_t dot = type_name.rfind('.');
        if (dot == std::string::npos) return bad("expected $items.<type>.<name>.$<attribute>");
        type = type_name.substr(0, dot);
        name = type_name.substr(dot + 1);
      } else {
        const std::size_t first = rest.find('.');
        const std::size_t last = rest.rfind('.');
        if (first == std::string::npos || last == first) return bad("expected $items.<type>.<name>.<attribute>");
        type = rest.substr(0, first);
        name = rest.substr(first + 1, last - first - 1);
        attr = rest.substr(last + 1);
      }
      const auto trim = [](std::string& s) {
        const std::size_t b = s.find_first_not_of(" \t");
        const std::size_t e = s.find_last_not_of(" \t");
        s = b == std::string::npos ? "" : s.substr(b, e - b + 1);
      };
      trim(type);
      trim(name);
      trim(attr);
      attr = ascii_lower(attr);
      if (type.empty() || name.empty() || type.find('.') != std::string::npos)
        return bad("expected $items.<type>.<name>.$<attribute>");
      if (!known_attribute(attr))
        return bad("the attribute must be one of id, sqlendpoint, sqlendpointid, queryserviceuri");
      return "$items." + type + "." + name + "." + attr;
    }
    return bad(
        "expected $items.<type>.<name>.$<attribute>, $workspace.$id, $workspace.$name, "
        "$workspace.$name_encoded or $workspace.<name>.$id");
  }

  Expected<std::regex> regex(const YAML::Node& at, const std::string& python, bool& ignore_case) const {
    std::string out;
    std::size_t i = 0;
    if (python.starts_with("(?i)")) {
      ignore_case = true;
      i = 4;
    }
    bool in_class = false;
    char hex[8];
    for (; i < python.size(); ++i) {
      const char c = python[i];
      if (c == '\\' && i + 1 < python.size()) {
        const char n = python[i + 1];
        ++i;
        const bool alnum = (n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z') || (n >= '0' && n <= '9');
        if (!alnum && static_cast<unsigned char>(n) < 0x80) {
          std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(n));
          out += hex;
        } else if (!in_class && n == 'A') {
          out += '^';
        } else if (!in_class && n == 'Z') {
          out += '$';
        } else if (n >= '1' && n <= '9') {
          return error(at, "regex: backreferences (\\" + std::string(1, n) + ") are not supported");
        } else if (n == 'A' || n == 'Z' || n == 'N' || n == 'U' || n == 'a' || n == 'g') {
          return error(at, "regex: \\" + std::string(1, n) + " has no ECMAScript equivalent here");
        } else {
          out += '\\';
          out += n;
        }
        continue;
      }
      if (in_class) {
        if (c == ']') in_class = false;
        out += c;
        continue;
      }
      if (c == '[') {
        in_class = true;
        out += c;
        if (i + 1 < python.size() && python[i + 1] == '^') out += python[++i];
        if (i + 1 < python.size() && python[i + 1] == ']') out += python[++i];
        continue;
      }
      if (c == '{') {
        // Python reads a brace that does not make a quantifier ({2}, {2,}, {,3}, {2,3})
        // as itself; ECMAScript refuses it. {,n} is Python's {0,n}.
        std::size_t j = i + 1;
        while (j < python.size() && python[j] >= '0' && python[j] <= '9') ++j;
        const bool has_min = j > i + 1;
        bool quantifier = false;
        std::size_t k = j;
        if (k < python.size() && python[k] == '}') {
          quantifier = has_min;
        } else if (k < python.size() && python[k] == ',') {
          ++k;
          const std::size_t max_start = k;
          while (k < python.size() && python[k] >= '0' && python[k] <= '9') ++k;
          quantifier = k < python.size() && python[k] == '}' && (has_min || k > max_start);
        }
        if (!quantifier) {
          out += "\\x7B";
          continue;
        }
        out += '{';
        if (!has_min) out += '0';
        out += python.substr(i + 1, k - i);
        i = k;
        continue;
      }
      if (c == '}' || c == ']') {
        std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(c));
        out += hex;
        continue;
      }
      if (c == '(' && i + 1 < python.size() && python[i + 1] == '?') {
        const std::string_view rest = std::string_view(python).substr(i);
        if (rest.starts_with("(?P<")) {
          const std::size_t close = rest.find('>');
          if (close == std::string_view::npos) return error(at, "regex: unterminated group name");
          out += '(';
          i += close;
          continue;
        }
        if (rest.starts_with("(?:") || rest.starts_with("(?=") || rest.starts_with("(?!")) {
          out += rest.substr(0, 3);
          i += 2;
          continue;
        }
        return error(at, "regex: the construct " + std::string(rest.substr(0, 4)) +
                             " (lookbehind, a backreference by name, an inline flag or a conditional) "
                             "has no ECMAScript equivalent here");
      }
      out += c;
    }
    try {
      // __polynomial (libstdc++): the breadth-first executor, whose stack does not grow
      // with the text (the default one recurses per character and overflows on a long
      // line) and whose time is linear in it; it has no backreferences (refused above).
      auto flags = std::regex::ECMAScript | std::regex_constants::__polynomial;
      if (ignore_case) flags |= std::regex::icase;
      return std::regex(out, flags);
    } catch (const std::regex_error& e) {
      return error(at, "regex does not compile: " + std::string(e.what()));
    }
  }

  Expected<FindReplace> find_replace(const YAML::Node& e) const {
    if (auto k = keys(e, "find_replace",
                      {"find_value", "replace_value", "is_regex", "ignore_case", "item_type", "item_name", "file_path"},
                      {"find_value", "replace_value"});
        !k)
      return std::unexpected(k.error());
    FindReplace out;
    out.line = line_of(e);
    auto find = string(e["find_value"], "find_value");
    if (!find) return std::unexpected(find.error());
    out.find_value = std::move(*find);
    const auto flag = [](const YAML::Node& n) {
      if (!n.IsDefined() || !n.IsScalar()) return false;
      const Json v = typed(n);
      return (v.is_boolean() && v.get<bool>()) || (v.is_string() && ascii_lower(v.get<std::string>()) == "true");
    };
    out.is_regex = flag(e["is_regex"]);
    out.ignore_case = flag(e["ignore_case"]);
    if (out.find_value.starts_with("$") && !out.is_regex)
      return error(e["find_value"], "find_value: a variable (" + out.find_value +
                                        ") is not supported: converge reads find_value as text");
    if (out.is_regex) {
      auto re = regex(e["find_value"], out.find_value, out.ignore_case);
      if (!re) return std::unexpected(re.error());
      if (re->mark_count() != 1)
        return error(e["find_value"], "regex must have exactly one capturing group (it has " +
                                          std::to_string(re->mark_count()) + "): its match is what is replaced");
      out.regex = std::make_shared<const std::regex>(std::move(*re));
    }
    auto envs = environments(e["replace_value"], "find_replace");
    if (!envs) return std::unexpected(envs.error());
    for (const auto& [node, env] : *envs) {
      auto text = string(node, "find_replace: replace_value." + env);
      if (!text) return std::unexpected(text.error());
      auto value = replacement(node, *text);
      if (!value) return std::unexpected(value.error());
      out.replace_value.emplace_back(env, std::move(*value));
    }
    auto f = filters(e);
    if (!f) return std::unexpected(f.error());
    out.filters = std::move(*f);
    return out;
  }

  Expected<KeyValueReplace> key_value_replace(const YAML::Node& e) const {
    if (auto k = keys(e, "key_value_replace", {"find_key", "replace_value", "item_type", "item_name", "file_path"},
                      {"find_key", "replace_value"});
        !k)
      return std::unexpected(k.error());
    auto key = string(e["find_key"], "find_key");
    if (!key) return std::unexpected(key.error());
    auto path = JsonPath::parse(*key);
    if (!path) return error(e["find_key"], "find_key: " + path.error().message + ": " + *key);
    KeyValueReplace out{line_of(e), std::move(*path), {}, {}};
    auto envs = environments(e["replace_value"], "key_value_replace");
    if (!envs) return std::unexpected(envs.error());
    for (const auto& [node, env] : *envs) {
      auto value = to_json(node);
      if (!value) return std::unexpected(value.error());
      if (value->is_string()) {
        auto text = replacement(node, value->get<std::string>());
        if (!text) return std::unexpected(text.error());
        *value = std::move(*text);
      }
      out.replace_value.emplace_back(env, std::move(*value));
    }
    auto f = filters(e);
    if (!f) return std::unexpected(f.error());
    out.filters = std::move(*f);
    return out;
  }

  Expected<SparkPool> spark_pool(const YAML::Node& e) const {
    if (auto k = keys(e, "spark_pool", {"instance_pool_id", "replace_value", "item_name"},
                      {"instance_pool_id", "replace_value"});
        !k)
      return std::unexpected(k.error());
    SparkPool out;
    out.line = line_of(e);
    auto id = string(e["instance_pool_id"], "instance_pool_id");
    if (!id) return std::unexpected(id.error());
    out.instance_pool_id = std::move(*id);
    auto envs = environments(e["replace_value"], "spark_pool");
    if (!envs) return std::unexpected(envs.error());
    for (const auto& [node, env] : *envs) {
      if (!node.IsMap())
        return error(node, "spark_pool: replace_value." + env + " must be a mapping with type and name");
      for (const auto& kv : node)
        if (kv.first.Scalar() != "type" && kv.first.Scalar() != "name")
          return error(kv.first, "spark_pool: unknown key '" + kv.first.Scalar() + "' (known: type, name)");
      if (!node["type"].IsDefined() || !node["name"].IsDefined() || node["type"].IsNull() || node["name"].IsNull())
        return error(node, "spark_pool: replace_value." + env + " must have a type and a name");
      auto type = string(node["type"], "spark_pool: type");
      if (!type) return std::unexpected(type.error());
      if (*type != "Capacity" && *type != "Workspace")
        return error(node["type"], "spark_pool: type must be Capacity or Workspace, not '" + *type + "'");
      auto name = string(node["name"], "spark_pool: name");
      if (!name) return std::unexpected(name.error());
      out.replace_value.emplace_back(env, SparkPoolTarget{*type, *name});
    }
    auto names = strings(e["item_name"], "item_name");
    if (!names) return std::unexpected(names.error());
    out.item_name = std::move(*names);
    return out;
  }

  Expected<Parameters> read(const YAML::Node& root) const {
    Parameters out;
    if (!root.IsDefined() || root.IsNull()) return out;
    if (!root.IsMap())
      return error(root, "parameter.yml must be a mapping of find_replace, key_value_replace, spark_pool");
    for (const auto& section : root) {
      const std::string name = section.first.Scalar();
      const YAML::Node& list = section.second;
      if (name == "semantic_model_binding" || name == "gateway_binding") {
        out.not_applied.emplace_back(name, line_of(section.first));
        continue;
      }
      if (name != "find_replace" && name != "key_value_replace" && name != "spark_pool")
        return error(
            section.first,
            "unknown section '" + name +
                "' (known: find_replace, key_value_replace, spark_pool, semantic_model_binding, gateway_binding)");
      if (list.IsNull()) continue;
      if (!list.IsSequence())
        return error(list, name + " must be a list of entries (fabric-cicd's current structure: - find_value: …)");
      for (const auto& entry : list) {
        if (name == "find_replace") {
          auto e = find_replace(entry);
          if (!e) return std::unexpected(e.error());
          out.find_replace.push_back(std::move(*e));
        } else if (name == "key_value_replace") {
          auto e = key_value_replace(entry);
          if (!e) return std::unexpected(e.error());
          out.key_value_replace.push_back(std::move(*e));
        } else {
          auto e = spark_pool(entry);
          if (!e) return std::unexpected(e.error());
          out.spark_pool.push_back(std::move(*e));
        }
      }
    }
    return out;
  }

 private:
  std::string shown_;
  std::filesystem::path repository_dir_;
};

}  // namespace

Expected<Parameters> parse_parameters(std::string_view text, std::string shown_path,
                                      const std::filesystem::path& repository_dir) {
  auto doc = util::load_yaml(text, shown_path);
  if (!doc) return std::unexpected(doc.error());
  ParameterFileReader reader(shown_path, repository_dir);
  auto params = reader.read(*doc);
  if (!params) return params;
  params->shown_path = shown_path;
  params->base = std::filesystem::path(shown_path).parent_path().generic_string();
  return params;
}

Expected<Parameters> load_parameters(const std::filesystem::path& file, std::string shown_path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return fail(Error::config("cannot read the parameter file: " + ec.message(), SourceLocation{shown_path}));
  if (size > kMaxParameterFileBytes)
    return fail(Error::config("the parameter file is larger than 16 MiB", SourceLocation{shown_path}));
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) return fail(Error::config("cannot read the parameter file", SourceLocation{shown_path}));
  return parse_parameters(text, std::move(shown_path), std::filesystem::absolute(file).parent_path());
}

}  // namespace converge::providers::fabric
