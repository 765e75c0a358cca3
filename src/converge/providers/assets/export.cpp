// Export of an `assets` runtime to sources (see export.hpp).
#include "converge/providers/assets/export.hpp"

#include <algorithm>

#include "converge/providers/assets/yaml_json.hpp"

namespace converge::providers::assets {
namespace {

using nlohmann::json;

bool word_char(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

bool identifier(const std::string& name) {
  static const std::set<std::string> keywords = {"and", "or", "not", "in", "is", "if", "else", "elif", "for",
                                                 "true", "false", "none", "True", "False", "None", "loop"};
  if (name.empty() || keywords.contains(name) || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), word_char);
}

bool safe_value(const std::string& value) {
  return value.size() >= 4 && std::none_of(value.begin(), value.end(), [](char c) {
           return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
         });
}

void flatten(const nlohmann::ordered_json& node, const std::string& prefix, std::vector<TemplateVar>& out) {
  for (const auto& [key, value] : node.items()) {
    if (!identifier(key)) continue;
    std::string name = prefix.empty() ? key : prefix + "." + key;
    if (value.is_object()) {
      flatten(value, name, out);
    } else if (value.is_string() && safe_value(value.get<std::string>())) {
      out.push_back({name, value.get<std::string>()});
    }
  }
}

// Literal text made safe for the renderer: "{{" "{%" "{#" — and a '{' right before
// a substituted expression — are written as {{ '…' }} expressions.
std::string escape_literal(const std::string& text, bool before_expression) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char next = i + 1 < text.size() ? text[i + 1] : '\0';
    bool opens = text[i] == '{' && (next == '{' || next == '%' || next == '#' ||
                                    (i + 1 == text.size() && before_expression));
    if (opens) {
      out += "{{ '{' }}";
    } else {
      out += text[i];
    }
  }
  return out;
}

json templated(const json& value, const std::vector<TemplateVar>& vars, bool* substituted) {
  if (value.is_string()) return templated_string(value.get<std::string>(), vars, substituted);
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [key, item] : value.items()) {
      bool unused = false;
      out[templated_string(key, {}, &unused)] = templated(item, vars, substituted);
    }
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& item : value) out.push_back(templated(item, vars, substituted));
    return out;
  }
  return value;
}

}  // namespace

std::vector<TemplateVar> template_vars(const nlohmann::ordered_json& vars) {
  std::vector<TemplateVar> out;
  if (vars.is_object()) flatten(vars, "", out);
  std::stable_sort(out.begin(), out.end(), [](const TemplateVar& a, const TemplateVar& b) {
    return a.value.size() != b.value.size() ? a.value.size() > b.value.size() : a.name < b.name;
  });
  return out;
}

std::string templated_string(const std::string& text, const std::vector<TemplateVar>& vars, bool* substituted) {
  // owner[i] = index of the variable whose occurrence covers character i, or -1.
  std::vector<int> owner(text.size(), -1);
  for (std::size_t v = 0; v < vars.size(); ++v) {
    const std::string& value = vars[v].value;
    for (auto at = text.find(value); at != std::string::npos; at = text.find(value, at + 1)) {
      std::size_t end = at + value.size();
      bool whole = at == 0 && end == text.size();
      bool token = (at == 0 || !word_char(text[at - 1])) && (end == text.size() || !word_char(text[end]));
      if (!whole && !token) continue;
      if (std::any_of(owner.begin() + static_cast<long>(at), owner.begin() + static_cast<long>(end),
                      [](int o) { return o >= 0; }))
        continue;
      std::fill(owner.begin() + static_cast<long>(at), owner.begin() + static_cast<long>(end), static_cast<int>(v));
    }
  }
  std::string out, literal;
  for (std::size_t i = 0; i < text.size();) {
    if (owner[i] < 0) {
      literal += text[i++];
      continue;
    }
    out += escape_literal(literal, true);
    literal.clear();
    int v = owner[i];
    out += "{{ " + vars[static_cast<std::size_t>(v)].name + " }}";
    *substituted = true;
    i += vars[static_cast<std::size_t>(v)].value.size();
  }
  out += escape_literal(literal, false);
  return out;
}

std::string templated_yaml(const json& item, const std::vector<TemplateVar>& vars, bool* substituted) {
  return to_yaml(templated(item, vars, substituted));
}

std::string file_name_for(const std::string& id) {
  std::string out = id;
  for (auto& c : out)
    if (!word_char(c) && c != '.' && c != '-') c = '_';
  if (out.empty() || out.starts_with('.')) out = "_" + out;
  return out;
}

ExportedSources export_items(const Options& options, const Sources& sources,
                             const std::map<std::string, json>& runtime) {
  ExportedSources out;
  auto vars = template_vars(sources.vars);
  for (const auto& [key, item] : runtime) {
    bool substituted = false;
    auto source = sources.items.find(key);
    if (source != sources.items.end()) {
      const SourceItem& s = source->second;
      out.files[s.file] = s.templated ? templated_yaml(item, vars, &substituted) : to_yaml(item);
      if (!s.overrides_file.empty()) out.removed.push_back(s.overrides_file);
      continue;
    }
    std::string kind = key.substr(0, key.find('/'));
    std::string base = options.sources + "/" + kind + "/" + file_name_for(key.substr(kind.size() + 1));
    std::string text = templated_yaml(item, vars, &substituted);
    if (substituted) {
      out.files[base + ".yaml.j2"] = std::move(text);
    } else {
      out.files[base + ".yaml"] = to_yaml(item);
    }
  }
  for (const auto& [key, s] : sources.items) {
    if (runtime.contains(key)) continue;
    out.removed.push_back(s.file);
    if (!s.overrides_file.empty()) out.removed.push_back(s.overrides_file);
  }
  std::sort(out.removed.begin(), out.removed.end());
  return out;
}

}  // namespace converge::providers::assets
