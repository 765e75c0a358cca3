// Applying parameter.yml's entries to items' parts as fabric-cicd's _replace_parameters
// does (parameters.hpp), and the other two passes of its text processing: logical ids
// and the all-zero workspace id, as markers of the values only the target workspace
// knows. parameter_file.cpp reads the file.
#include "converge/providers/fabric/parameters.hpp"
#include "converge/providers/fabric/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "converge/providers/fabric/markers.hpp"
#include "converge/util/ascii.hpp"

namespace converge::providers::fabric {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kDefaultGuid = "00000000-0000-0000-0000-000000000000";

// pathlib's glob on one name: * ? [seq] [!seq].
bool match_glob_name(std::string_view pat, std::string_view name) {
  std::size_t p = 0, n = 0, star_p = std::string_view::npos, star_n = 0;
  while (n < name.size()) {
    if (p < pat.size() && pat[p] == '*') {
      star_p = p++;
      star_n = n;
      continue;
    }
    if (p < pat.size() && pat[p] == '[') {
      std::size_t q = p + 1;
      bool negate = false;
      if (q < pat.size() && (pat[q] == '!' || pat[q] == '^')) {
        negate = true;
        ++q;
      }
      bool hit = false;
      std::size_t first = q;
      while (q < pat.size() && (pat[q] != ']' || q == first)) {
        if (q + 2 < pat.size() && pat[q + 1] == '-' && pat[q + 2] != ']') {
          hit = hit || (name[n] >= pat[q] && name[n] <= pat[q + 2]);
          q += 3;
        } else {
          hit = hit || name[n] == pat[q];
          ++q;
        }
      }
      if (q < pat.size() && hit != negate) {
        p = q + 1;
        ++n;
        continue;
      }
    } else if (p < pat.size() && (pat[p] == '?' || pat[p] == name[n])) {
      ++p;
      ++n;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p + 1;
    n = ++star_n;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

std::vector<std::string_view> split_glob_path(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i <= s.size()) {
    const std::size_t j = s.find('/', i);
    const std::string_view seg = s.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
    if (!seg.empty()) out.push_back(seg);
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return out;
}

// A glob against a file's relative path, segment by segment; ** is zero or more folders.
// A pattern ending in ** names folders only (pathlib before Python 3.13), so no file.
bool match_glob(std::string_view pattern, std::string_view path) {
  const auto pat = split_glob_path(pattern);
  const auto segs = split_glob_path(path);
  if (pat.empty() || pat.back() == "**") return false;
  // dp[i][j]: pat[i..] matches segs[j..]; iterative, sizes are small.
  std::vector<std::vector<char>> dp(pat.size() + 1, std::vector<char>(segs.size() + 1, 0));
  dp[pat.size()][segs.size()] = 1;
  for (std::size_t i = pat.size(); i-- > 0;) {
    for (std::size_t j = segs.size() + 1; j-- > 0;) {
      if (pat[i] == "**") {
        dp[i][j] = dp[i + 1][j] || (j < segs.size() && dp[i][j + 1]);
      } else {
        dp[i][j] = j < segs.size() && match_glob_name(pat[i], segs[j]) && dp[i + 1][j + 1];
      }
    }
  }
  return dp[0][0] != 0;
}

bool in_filter(const std::optional<std::vector<std::string>>& filter, const std::string& value) {
  if (!filter) return true;
  for (const std::string& v : *filter)
    if (v == value) return true;
  return false;
}

bool filters_match(const ParameterFilters& f, const Item& item, const std::optional<std::string>& file) {
  if (!in_filter(f.item_type, item.type) || !in_filter(f.item_name, item.name)) return false;
  if (!f.file_path) return true;
  if (!file) return false;
  for (const PathFilter& p : *f.file_path) {
    if (p.outside) continue;
    if (p.glob ? match_glob(p.path, *file) : p.path == *file) return true;
  }
  return false;
}

template <class V>
const V* value_for(const std::vector<std::pair<std::string, V>>& values, std::string_view environment) {
  for (const auto& [env, v] : values)
    if (env == environment || env == "_ALL_") return &v;
  return nullptr;
}

// A spark_pool entry's item_name filter: an empty one is none (`not input_name`).
bool spark_pool_names(const SparkPool& e, std::string_view item_name) {
  if (!e.item_name || e.item_name->empty() || (e.item_name->size() == 1 && e.item_name->front().empty())) return true;
  return in_filter(e.item_name, std::string(item_name));
}

// Whether fabric-cicd processes a file: text (it reads files as UTF-8; binary ones are
// sent as they are) and not a .platform (an item's own is no part; a nested item's is).
bool part_is_processed(const Part& part) { return !part.path.ends_with(".platform") && is_utf8(part.bytes); }

// How deep `text` nests [ and { outside strings: parts nested beyond what Python's
// json reads (its recursion limit) are not JSON to fabric-cicd either.
bool json_depth_within(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

void dump_python_string(std::string& out, const std::string& s) {
  out += '"';
  char buf[16];
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (s.compare(i, kMarkerOpen.size(), kMarkerOpen) == 0 || s.compare(i, kMarkerClose.size(), kMarkerClose) == 0) {
      out.append(s, i, kMarkerOpen.size());
      i += kMarkerOpen.size();
      continue;
    }
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // Non-ASCII (the text is valid UTF-8: nlohmann parsed it): \uXXXX, surrogate pairs above the BMP.
    const int n = (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : 3;
    std::uint32_t cp = c & (n == 1 ? 0x1F : n == 2 ? 0x0F : 0x07);
    for (int k = 1; k <= n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += static_cast<std::size_t>(n) + 1;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
    } else {
      std::snprintf(buf, sizeof buf, "\\u%04x", cp);
    }
    out += buf;
  }
  out += '"';
}

void dump_python_json(std::string& out, const Json& v) {
  switch (v.type()) {
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, child] : v.items()) {
        if (!first) out += ", ";
        first = false;
        dump_python_string(out, k);
        out += ": ";
        dump_python_json(out, child);
      }
      out += '}';
      return;
    }
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& child : v) {
        if (!first) out += ", ";
        first = false;
        dump_python_json(out, child);
      }
      out += ']';
      return;
    }
    case Json::value_t::string:
      dump_python_string(out, v.get_ref<const std::string&>());
      return;
    case Json::value_t::number_float: {
      const double d = v.get<double>();
      if (std::isnan(d))
        out += "NaN";
      else if (std::isinf(d))
        out += d > 0 ? "Infinity" : "-Infinity";
      else
        out += v.dump();
      return;
    }
    default:
      out += v.dump();
      return;
  }
}

// One key_value_replace entry on one part; whether the path found anything.
// `value` null: no value for the environment, the part is only rewritten.
bool replace_keys(const KeyValueReplace& e, const Json* value, std::string& text) {
  // Python's json.loads refuses a byte order mark (nlohmann skips it) and reads no
  // deeper than its recursion limit.
  if (text.starts_with("\xEF\xBB\xBF") || !json_depth_within(text, 512)) return false;
  Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded()) return false;
  std::vector<Json*> nodes;
  if (value != nullptr) nodes = e.find_key.find(doc);
  for (Json* n : nodes) *n = *value;
  // fabric-cicd writes every JSON part its filters select back through json.dumps,
  // found or not.
  text = python_json_dumps(doc);
  return !nodes.empty();
}

bool ascii_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// One find_replace entry on one part: the text, or an error for an empty capture.
Expected<bool> replace_text(const FindReplace& e, const std::string& value, std::string& text, const std::string& shown,
                            const Item& item, const Part& part) {
  if (e.find_value.empty()) return false;
  // fabric-cicd replaces only `if replace_value`: an empty value leaves the text (the
  // entry still counts as matched when find_value is there).
  if (value.empty()) {
    if (!e.is_regex)
      return e.ignore_case ? util::ascii_lower(text).find(util::ascii_lower(e.find_value)) != std::string::npos
                           : text.find(e.find_value) != std::string::npos;
    return std::regex_search(text, *e.regex);
  }
  if (!e.is_regex) {
    std::string out;
    bool found = false;
    std::size_t i = 0;
    const std::size_t n = e.find_value.size();
    while (i + n <= text.size()) {
      const bool hit = e.ignore_case ? ascii_iequal(std::string_view(text).substr(i, n), e.find_value)
                                     : text.compare(i, n, e.find_value) == 0;
      if (hit) {
        out += value;
        i += n;
        found = true;
      } else {
        out += text[i++];
      }
    }
    if (!found) return false;
    out.append(text, i);
    text = std::move(out);
    return true;
  }
  std::string out;
  std::size_t last = 0;
  bool found = false;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), *e.regex); it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    if (!found && (!m[1].matched || m.length(1) == 0))
      return fail(
          Error::config("regex '" + e.find_value + "' captured an empty value in " + item.key() + " " + part.path,
                        SourceLocation{shown, e.line}));
    found = true;
    const std::size_t start = static_cast<std::size_t>(m.position(0));
    out.append(text, last, start - last);
    if (m[1].matched) {
      const std::size_t g = static_cast<std::size_t>(m.position(1));
      out.append(text, start, g - start);
      out += value;
      const std::size_t g_end = g + static_cast<std::size_t>(m.length(1));
      out.append(text, g_end, start + static_cast<std::size_t>(m.length(0)) - g_end);
    } else {
      out.append(text, start, static_cast<std::size_t>(m.length(0)));
    }
    last = start + static_cast<std::size_t>(m.length(0));
  }
  if (!found) return false;
  out.append(text, last);
  text = std::move(out);
  return true;
}

std::string quoted_for_warning(const std::string& s) {
  return '"' + (s.size() > 80 ? s.substr(0, 77) + "..." : s) + '"';
}

}  // namespace

std::string python_json_dumps(const nlohmann::ordered_json& value) {
  std::string out;
  dump_python_json(out, value);
  return out;
}

Expected<ParameterReport> apply_parameters(const Parameters& parameters, std::string_view environment,
                                           std::vector<Item>& items) {
  std::vector<char> kv_hit(parameters.key_value_replace.size(), 0);
  std::vector<char> fr_hit(parameters.find_replace.size(), 0);
  const std::string base = parameters.base.empty() ? "" : parameters.base + "/";
  for (Item& item : items) {
    // An item outside the parameter file's folder has no path a file_path filter can
    // name; the other filters still apply to it.
    const bool inside = item.dir.starts_with(base);
    const std::string dir = inside ? item.dir.substr(base.size()) : "";
    for (Part& part : item.parts) {
      if (!part_is_processed(part)) continue;
      const std::optional<std::string> file =
          inside ? std::optional(dir.empty() ? part.path : dir + "/" + part.path) : std::nullopt;
      for (std::size_t i = 0; i < parameters.key_value_replace.size(); ++i) {
        const KeyValueReplace& e = parameters.key_value_replace[i];
        // With no value for the environment fabric-cicd still rewrites the parts the
        // filters select (its replace_key_value checks the environment per match).
        const Json* value = value_for(e.replace_value, environment);
        if (!filters_match(e.filters, item, file)) continue;
        if (replace_keys(e, value, part.bytes)) kv_hit[i] = 1;
      }
      for (std::size_t i = 0; i < parameters.find_replace.size(); ++i) {
        const FindReplace& e = parameters.find_replace[i];
        const std::string* value = value_for(e.replace_value, environment);
        if (value == nullptr || !filters_match(e.filters, item, file)) continue;
        auto hit = replace_text(e, *value, part.bytes, parameters.shown_path, item, part);
        if (!hit) return std::unexpected(hit.error());
        if (*hit) fr_hit[i] = 1;
      }
    }
  }
  ParameterReport report;
  const auto where = [&](int line) { return parameters.shown_path + ":" + std::to_string(line) + ": "; };
  for (std::size_t i = 0; i < parameters.find_replace.size(); ++i) {
    const FindReplace& e = parameters.find_replace[i];
    if (!fr_hit[i] && value_for(e.replace_value, environment) != nullptr)
      report.warnings.push_back(where(e.line) + "find_replace matched nothing in the items (find_value " +
                                quoted_for_warning(e.find_value) + ")");
  }
  for (std::size_t i = 0; i < parameters.key_value_replace.size(); ++i) {
    const KeyValueReplace& e = parameters.key_value_replace[i];
    if (!kv_hit[i] && value_for(e.replace_value, environment) != nullptr)
      report.warnings.push_back(where(e.line) + "key_value_replace matched nothing in the items (find_key " +
                                quoted_for_warning(e.find_key.text()) + ")");
  }
  for (const SparkPool& e : parameters.spark_pool) {
    if (value_for(e.replace_value, environment) == nullptr) continue;
    bool used = false;
    for (const Item& item : items) {
      if (item.type != "Environment" || !spark_pool_names(e, item.name)) continue;
      for (const Part& part : item.parts)
        used = used ||
               (part.path == "Setting/Sparkcompute.yml" && part.bytes.find(e.instance_pool_id) != std::string::npos);
    }
    if (!used)
      report.warnings.push_back(where(e.line) + "spark_pool matched nothing in the items (instance_pool_id " +
                                quoted_for_warning(e.instance_pool_id) + ")");
  }
  for (const auto& [name, line] : parameters.not_applied)
    report.warnings.push_back(where(line) + name + " is not applied by converge's fabric provider");
  return report;
}

void mark_logical_ids(std::vector<Item>& items) {
  std::vector<std::pair<std::string, std::string>> ids;  // logical id → marker
  const auto add = [&](const std::string& type, const std::string& name, const std::string& logical_id) {
    if (!logical_id.empty() && logical_id != kDefaultGuid)
      ids.emplace_back(logical_id, marker("$items." + type + "." + name + ".id"));
  };
  for (const Item& item : items) {
    add(item.type, item.name, item.logical_id);
    // An item inside an item (an Eventhouse's .children/<Name>.KQLDatabase/.platform):
    // fabric-cicd's walk makes it an item of its own, referenced by its logical id too.
    for (const Part& part : item.parts) {
      if (!part.path.ends_with("/.platform") || part.bytes.size() > (std::size_t{1} << 20)) continue;
      const Json meta = Json::parse(part.bytes, nullptr, false);
      if (meta.is_discarded() || !meta.is_object()) continue;
      const auto text = [&](const char* section, const char* key) -> std::string {
        const auto s = meta.find(section);
        if (s == meta.end() || !s->is_object()) return "";
        const auto v = s->find(key);
        return v != s->end() && v->is_string() ? v->get<std::string>() : "";
      };
      const std::string type = text("metadata", "type");
      const std::string name = text("metadata", "displayName");
      if (!type.empty() && !name.empty()) add(type, name, text("config", "logicalId"));
    }
  }
  for (Item& item : items) {
    if (item.type == "VariableLibrary") continue;
    for (Part& part : item.parts) {
      if (!part_is_processed(part)) continue;
      for (const auto& [id, mark] : ids) {
        std::size_t at = 0;
        while ((at = part.bytes.find(id, at)) != std::string::npos) {
          part.bytes.replace(at, id.size(), mark);
          at += mark.size();
        }
      }
    }
  }
}

void mark_default_workspace_ids(std::vector<Item>& items) {
  // fabric-cicd's WORKSPACE_ID_REFERENCE_REGEX ("(.*?)" there: the text up to the next
  // quote on the line, Python's . stopping at a newline); the value is its second group.
  static const std::regex reference(
      R"re("?(default_lakehouse_workspace_id|workspaceId|workspace)"?\s*[:=]\s*"([^"\n]*)")re",
      std::regex::ECMAScript | std::regex_constants::__polynomial);
  const std::string mark = marker("$workspace.id");
  for (Item& item : items) {
    if (item.type == "VariableLibrary") continue;
    for (Part& part : item.parts) {
      if (!part_is_processed(part) || part.bytes.find(kDefaultGuid) == std::string::npos) continue;
      std::string out;
      std::size_t last = 0;
      const std::string& text = part.bytes;
      for (auto it = std::sregex_iterator(text.begin(), text.end(), reference); it != std::sregex_iterator(); ++it) {
        const std::smatch& m = *it;
        const std::size_t start = static_cast<std::size_t>(m.position(0));
        out.append(text, last, start - last);
        std::string whole = m.str(0);
        if (m.str(2) == kDefaultGuid) {
          const std::size_t at = whole.find(kDefaultGuid);  // str.replace on the match: every occurrence
          for (std::size_t p = at; p != std::string::npos; p = whole.find(kDefaultGuid, p + mark.size()))
            whole.replace(p, kDefaultGuid.size(), mark);
        }
        out += whole;
        last = start + static_cast<std::size_t>(m.length(0));
      }
      out.append(text, last);
      part.bytes = std::move(out);
    }
  }
}

std::optional<SparkPoolTarget> spark_pool_for(const Parameters& parameters, std::string_view environment,
                                              std::string_view item_name, std::string_view instance_pool_id) {
  // fabric-cicd's _update_compute_settings: every entry is tried and the last that
  // matches wins; an empty item_name is no filter.
  std::optional<SparkPoolTarget> out;
  for (const SparkPool& e : parameters.spark_pool) {
    if (e.instance_pool_id != instance_pool_id) continue;
    if (!spark_pool_names(e, item_name)) continue;
    if (const SparkPoolTarget* t = value_for(e.replace_value, environment)) out = *t;
  }
  return out;
}

}  // namespace converge::providers::fabric
