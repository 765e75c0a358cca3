// Template variables from YAML, typed the way PyYAML's yaml.safe_load types them,
// so that converge and Jinja2 (given the same file) see the same values. Plain
// scalars go through PyYAML's YAML 1.1 implicit resolvers (resolver.py) and
// constructors (constructor.py): bool (yes/no/on/off/true/false), int (decimal,
// 0b, 0x, leading-0 octal, sexagesimal 1:30, '_' ignored), float (needs a '.',
// exponent needs a sign, .inf/.nan), null (~, null, empty). Quoted, block and
// !!str scalars are strings. Timestamps stay strings (PyYAML makes dates, whose
// str() is the same text). Mapping keys are kept as written and must be unique
// scalars (util::load_yaml, which also bounds alias expansion); `<<` merges as in
// PyYAML (merged keys first, the mapping's own keys override). parse_yaml reads
// the block subset asset files mostly are without yaml-cpp (yaml_block_subset.hpp),
// with the same typing; everything else goes through yaml-cpp.
#include <cmath>
#include <limits>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "converge/template/render.hpp"

#include <fstream>
#include <sstream>

#include "converge/template/yaml.hpp"
#include "converge/template/yaml_block_subset.hpp"
#include "converge/util/yaml_document.hpp"
#include "converge/util/ascii.hpp"

namespace converge::tmpl {

namespace {

using ojson = nlohmann::ordered_json;

// PyYAML's implicit resolver patterns (resolver.py), matched by hand.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  bool eat(std::string_view what) {
    if (s_.substr(i_).starts_with(what)) { i_ += what.size(); return true; }
    return false;
  }
  bool eat_if(bool (*pred)(char)) {
    if (i_ < s_.size() && pred(s_[i_])) { ++i_; return true; }
    return false;
  }
  int eat_all(bool (*pred)(char)) {
    int n = 0;
    while (eat_if(pred)) ++n;
    return n;
  }
  void sign() { if (!eat("-")) eat("+"); }
  // (?::[0-5]?[0-9])+
  bool sexagesimal() {
    while (eat(":")) {
      if (!eat_if(digit)) return false;
      std::size_t back = i_;
      if (!eat_if(digit)) continue;
      if (s_[back - 1] > '5') return false;
    }
    return true;
  }
  static bool digit(char c) { return c >= '0' && c <= '9'; }
  static bool digit_(char c) { return digit(c) || c == '_'; }
  std::size_t pos() const { return i_; }
  void reset(std::size_t p) { i_ = p; }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

bool is_bool(std::string_view t) {
  for (std::string_view w : {"yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False",
                             "FALSE", "on", "On", "ON", "off", "Off", "OFF"}) {
    if (t == w) return true;
  }
  return false;
}

bool is_null(std::string_view t) { return t == "~" || t == "null" || t == "Null" || t == "NULL" || t.empty(); }

bool is_int(std::string_view t) {
  auto alt = [&](auto body) { Cursor c(t); c.sign(); return body(c) && c.done(); };
  return alt([](Cursor& c) { return c.eat("0b") && c.eat_all([](char x) { return x == '0' || x == '1' || x == '_'; }) > 0; }) ||
         alt([](Cursor& c) { return c.eat("0") && c.eat_all([](char x) { return (x >= '0' && x <= '7') || x == '_'; }) > 0; }) ||
         alt([](Cursor& c) { return c.eat("0") || (c.eat_if([](char x) { return x >= '1' && x <= '9'; }) && c.eat_all(Cursor::digit_) >= 0); }) ||
         alt([](Cursor& c) { return c.eat("0x") && c.eat_all([](char x) { return std::isxdigit(static_cast<unsigned char>(x)) != 0 || x == '_'; }) > 0; }) ||
         alt([](Cursor& c) {
           if (!c.eat_if([](char x) { return x >= '1' && x <= '9'; })) return false;
           c.eat_all(Cursor::digit_);
           return c.eat(":") && (c.reset(c.pos() - 1), c.sexagesimal());
         });
}

bool is_float(std::string_view t) {
  auto exponent = [](Cursor& c) {
    std::size_t back = c.pos();
    if (c.eat("e") || c.eat("E")) {
      if ((c.eat("-") || c.eat("+")) && c.eat_all(Cursor::digit) > 0) return;
      c.reset(back);
    }
  };
  auto alt = [&](bool signed_, auto body) { Cursor c(t); if (signed_) c.sign(); return body(c) && c.done(); };
  return alt(true, [&](Cursor& c) {
           if (!c.eat_if(Cursor::digit)) return false;
           c.eat_all(Cursor::digit_);
           if (!c.eat(".")) return false;
           c.eat_all(Cursor::digit_);
           exponent(c);
           return true;
         }) ||
         alt(false, [&](Cursor& c) {
           if (!c.eat(".") || !c.eat_if(Cursor::digit)) return false;
           c.eat_all(Cursor::digit_);
           exponent(c);
           return true;
         }) ||
         alt(true, [](Cursor& c) {
           if (!c.eat_if(Cursor::digit)) return false;
           c.eat_all(Cursor::digit_);
           if (!c.eat(":")) return false;
           c.reset(c.pos() - 1);
           if (!c.sexagesimal() || !c.eat(".")) return false;
           c.eat_all(Cursor::digit_);
           return true;
         }) ||
         alt(true, [](Cursor& c) { return c.eat(".inf") || c.eat(".Inf") || c.eat(".INF"); }) ||
         alt(false, [](Cursor& c) { return c.eat(".nan") || c.eat(".NaN") || c.eat(".NAN"); });
}

// PyYAML picks its resolvers by the first character (resolver.py): a plain scalar
// starting with anything else is a string whatever follows (most are: skip the
// patterns below).
bool may_be_typed(std::string_view t) {
  return t.empty() || std::string_view("yYnNtTfFoO~+-.0123456789").find(t[0]) != std::string_view::npos;
}

struct YamlError {
  std::string message;
  YAML::Mark mark;
};

std::string without_underscores(std::string s) {
  std::erase(s, '_');
  return s;
}

ojson yaml_int(const std::string& text, const YAML::Mark& mark) {
  std::string v = without_underscores(text);
  int sign = 1;
  if (v[0] == '-') sign = -1;
  if (v[0] == '+' || v[0] == '-') v.erase(0, 1);
  long double value = 0;
  if (v.find(':') != std::string::npos) {
    std::size_t start = 0;
    while (true) {
      std::size_t colon = v.find(':', start);
      long double group = 0;  // digits only (is_int checked); std::stoll would throw beyond 64 bits
      for (char c : v.substr(start, colon - start)) group = group * 10 + (c - '0');
      value = value * 60 + group;
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  } else {
    int base = v.starts_with("0b") ? 2 : v.starts_with("0x") ? 16 : (v.size() > 1 && v[0] == '0') ? 8 : 10;
    std::string digits = base == 2 || base == 16 ? v.substr(2) : v;
    for (char c : digits) value = value * base + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  if (value > static_cast<long double>(std::numeric_limits<std::int64_t>::max())) {
    throw YamlError{"integer " + text + " is too large for converge", mark};
  }
  return ojson(sign * static_cast<std::int64_t>(value));
}

ojson yaml_float(const std::string& text) {
  std::string v = util::ascii_lower(without_underscores(text));
  double sign = 1;
  if (v[0] == '-') sign = -1;
  if (v[0] == '+' || v[0] == '-') v.erase(0, 1);
  if (v == ".inf") return ojson(sign * std::numeric_limits<double>::infinity());
  if (v == ".nan") return ojson(std::numeric_limits<double>::quiet_NaN());
  if (v.find(':') != std::string::npos) {
    double value = 0;
    std::size_t start = 0;
    while (true) {
      std::size_t colon = v.find(':', start);
      value = value * 60 + std::strtod(v.substr(start, colon - start).c_str(), nullptr);  // stod throws on overflow
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    return ojson(sign * value);
  }
  return ojson(sign * std::strtod(v.c_str(), nullptr));
}

ojson plain_value(const std::string& text, const YAML::Mark& mark);

ojson scalar(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return ojson(text);
  if (tag != "?" && !tag.starts_with("tag:yaml.org,2002:")) throw YamlError{"unsupported YAML tag " + tag, node.Mark()};
  return plain_value(text, node.Mark());
}

ojson plain_value(const std::string& text, const YAML::Mark& mark) {
  if (!may_be_typed(text)) return ojson(text);
  if (is_bool(text)) return ojson(text[0] == 'y' || text[0] == 'Y' || text[0] == 't' || text[0] == 'T' ||
                                                    text == "on" || text == "On" || text == "ON");
  if (is_float(text)) return yaml_float(text);
  if (is_int(text)) return yaml_int(text, mark);
  if (is_null(text)) return ojson(nullptr);
  return ojson(text);
}

ojson convert(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return ojson(nullptr);
    case YAML::NodeType::Scalar: return scalar(node);
    case YAML::NodeType::Sequence: {
      ojson out = ojson::array();
      for (const auto& item : node) out.push_back(convert(item));
      return out;
    }
    case YAML::NodeType::Map: {
      ojson merged = ojson::object(), own = ojson::object();
      bool merges = false;
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) throw YamlError{"mapping keys must be scalars", kv.first.Mark()};
        const std::string& key = kv.first.Scalar();
        if (key == "<<" && kv.first.Tag() == "?") {
          merges = true;
          std::vector<YAML::Node> sources;
          if (kv.second.IsSequence()) {
            for (const auto& item : kv.second) sources.push_back(item);
          }
          else {
            sources.push_back(kv.second);
          }
          for (const auto& source : sources) {
            if (!source.IsMap()) throw YamlError{"a '<<' merge needs mappings", source.Mark()};
            ojson converted = convert(source);
            for (const auto& [k, v] : converted.items()) {
              if (!merged.contains(k)) merged[k] = v;
            }
          }
          continue;
        }
        own[key] = convert(kv.second);
      }
      if (!merges) return own;  // `merged` would be a copy of it
      for (auto& [k, v] : own.items()) merged[k] = std::move(v);
      return merged;
    }
    default: return ojson(nullptr);
  }
}

// The converted document; Error::config at the node the conversion refuses.
Expected<nlohmann::ordered_json> convert_document(const YAML::Node& root, const std::string& file) {
  try {
    return convert(root);
  } catch (const YamlError& e) {
    return fail(Error::config(e.message, {file, e.mark.line + 1, e.mark.column + 1}));
  }
}

}  // namespace

std::optional<nlohmann::ordered_json> typed_plain_scalar(const std::string& text) {
  try {
    return plain_value(text, YAML::Mark::null_mark());
  } catch (const YamlError&) {
    return std::nullopt;
  }
}

Expected<nlohmann::ordered_json> parse_yaml_with_yaml_cpp(std::string_view text, std::string_view file_label) {
  auto root = util::load_yaml(text, file_label);
  if (!root) return fail(root.error());
  return convert_document(*root, std::string(file_label));
}

Expected<nlohmann::ordered_json> parse_yaml(std::string_view text, std::string_view file_label) {
  if (auto simple = read_block_subset(text)) return std::move(*simple);
  return parse_yaml_with_yaml_cpp(text, file_label);
}

bool plain_scalar_is_string(std::string_view text) {
  return !may_be_typed(text) || (!is_bool(text) && !is_null(text) && !is_float(text) && !is_int(text));
}

Expected<nlohmann::ordered_json> load_yaml_variables(const std::filesystem::path& vars_yaml) {
  std::string file = vars_yaml.string();
  std::ifstream in(vars_yaml, std::ios::binary);
  if (!in) return fail(Error::config("cannot read the variables file", {file}));
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto doc = util::load_yaml(buffer.str(), file);
  if (!doc) return fail(doc.error());
  auto root = convert_document(*doc, file);
  if (!root) return root;
  if (root->is_null()) return ojson::object();
  if (!root->is_object()) {
    return fail(Error::config("template variables must be a YAML mapping",
                              {file, doc->Mark().line + 1, doc->Mark().column + 1}));
  }
  return root;
}

}  // namespace converge::tmpl
