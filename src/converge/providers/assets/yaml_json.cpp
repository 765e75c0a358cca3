// YAML ↔ JSON for asset files (see yaml_json.hpp). The scalar resolver follows
// PyYAML's resolver.py patterns for YAML 1.1 plain scalars; quoted and !!str
// scalars are strings. It mirrors template/yaml_variables.cpp, which keeps its
// converter private to the template library.
#include "converge/providers/assets/yaml_json.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

#include <yaml-cpp/yaml.h>

namespace converge::providers::assets {
namespace {

using nlohmann::json;

struct YamlError {
  std::string message;
  YAML::Mark mark;
};

bool is_bool(std::string_view t) {
  for (std::string_view w : {"yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False",
                             "FALSE", "on", "On", "ON", "off", "Off", "OFF"})
    if (t == w) return true;
  return false;
}
bool bool_value(std::string_view t) {
  return t[0] == 'y' || t[0] == 'Y' || t[0] == 't' || t[0] == 'T' || t == "on" || t == "On" || t == "ON";
}
bool is_null(std::string_view t) { return t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL"; }

// Only text starting like a number can be one; the matchers run on those alone.
bool may_be_number(std::string_view t) {
  if (t.empty()) return false;
  char c = t[0];
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
}
// PyYAML's implicit resolver patterns, matched by hand (std::regex is slow, and
// g++ 12 warns inside it).
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  bool eat(std::string_view what) {
    if (!s_.substr(i_).starts_with(what)) return false;
    i_ += what.size();
    return true;
  }
  template <class P>
  int eat_all(P pred) {
    int n = 0;
    while (i_ < s_.size() && pred(s_[i_])) ++i_, ++n;
    return n;
  }
  template <class P>
  bool eat_one(P pred) {
    if (i_ >= s_.size() || !pred(s_[i_])) return false;
    ++i_;
    return true;
  }
  void sign() {
    if (!eat("-")) eat("+");
  }
  // (?::[0-5]?[0-9])+ — at least one group.
  bool base60_groups() {
    int groups = 0;
    while (eat(":")) {
      std::size_t start = i_;
      int n = eat_all(digit);
      if (n == 0 || n > 2 || (n == 2 && s_[start] > '5')) return false;
      ++groups;
    }
    return groups > 0;
  }
  static bool digit(char c) { return c >= '0' && c <= '9'; }
  static bool digit_(char c) { return digit(c) || c == '_'; }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

template <class F>
bool whole(std::string_view text, F body) {
  Cursor c(text);
  return body(c) && c.done();
}

void exponent(Cursor& c) {
  Cursor back = c;
  if ((c.eat("e") || c.eat("E")) && (c.eat("-") || c.eat("+")) && c.eat_all(Cursor::digit) > 0) return;
  c = back;
}

bool is_float(std::string_view t) {
  return whole(t, [](Cursor& c) {
           c.sign();
           if (!c.eat_one(Cursor::digit)) return false;
           c.eat_all(Cursor::digit_);
           if (!c.eat(".")) return false;
           c.eat_all(Cursor::digit_);
           exponent(c);
           return true;
         }) ||
         whole(t, [](Cursor& c) {
           if (!c.eat(".") || !c.eat_one(Cursor::digit)) return false;
           c.eat_all(Cursor::digit_);
           exponent(c);
           return true;
         }) ||
         whole(t, [](Cursor& c) {
           c.sign();
           if (!c.eat_one(Cursor::digit)) return false;
           c.eat_all(Cursor::digit_);
           if (!c.base60_groups() || !c.eat(".")) return false;
           c.eat_all(Cursor::digit_);
           return true;
         }) ||
         whole(t, [](Cursor& c) { return c.sign(), c.eat(".inf") || c.eat(".Inf") || c.eat(".INF"); }) ||
         whole(t, [](Cursor& c) { return c.eat(".nan") || c.eat(".NaN") || c.eat(".NAN"); });
}

bool is_int(std::string_view t) {
  auto nonzero = [](char x) { return x >= '1' && x <= '9'; };
  return whole(t, [](Cursor& c) { return c.sign(), c.eat("0b") && c.eat_all([](char x) { return x == '0' || x == '1' || x == '_'; }) > 0; }) ||
         whole(t, [](Cursor& c) { return c.sign(), c.eat("0") && c.eat_all([](char x) { return (x >= '0' && x <= '7') || x == '_'; }) > 0; }) ||
         whole(t, [&](Cursor& c) { return c.sign(), c.eat("0") || (c.eat_one(nonzero) && c.eat_all(Cursor::digit_) >= 0); }) ||
         whole(t, [](Cursor& c) { return c.sign(), c.eat("0x") && c.eat_all([](char x) { return std::isxdigit(static_cast<unsigned char>(x)) != 0 || x == '_'; }) > 0; }) ||
         whole(t, [&](Cursor& c) { return c.sign(), c.eat_one(nonzero) && (c.eat_all(Cursor::digit_), c.base60_groups()); });
}

// Sexagesimal "1:30:15" → 5415 (base 60), the sign handled by the caller.
long double base60(const std::string& digits) {
  long double value = 0;
  std::size_t start = 0;
  while (true) {
    std::size_t colon = digits.find(':', start);
    value = value * 60 + std::stold(digits.substr(start, colon - start));
    if (colon == std::string::npos) return value;
    start = colon + 1;
  }
}

json yaml_int(std::string text, const YAML::Mark& mark) {
  std::erase(text, '_');
  bool negative = text[0] == '-';
  if (text[0] == '-' || text[0] == '+') text.erase(0, 1);
  long double value = 0;
  if (text.find(':') != std::string::npos) {
    value = base60(text);
  } else {
    int base = text.starts_with("0b") ? 2 : text.starts_with("0x") ? 16 : (text.size() > 1 && text[0] == '0') ? 8 : 10;
    for (char c : (base == 2 || base == 16) ? text.substr(2) : text)
      value = value * base + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  if (value > static_cast<long double>(std::numeric_limits<std::int64_t>::max()))
    throw YamlError{"integer " + text + " is too large", mark};
  auto n = static_cast<std::int64_t>(value);
  return json(negative ? -n : n);
}

json yaml_float(std::string text, const YAML::Mark& mark) {
  std::erase(text, '_');
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double sign = text[0] == '-' ? -1 : 1;
  if (text[0] == '-' || text[0] == '+') text.erase(0, 1);
  if (text == ".inf" || text == ".nan") throw YamlError{"infinity and NaN have no JSON form", mark};
  double value = text.find(':') != std::string::npos ? static_cast<double>(base60(text))
                                                     : std::strtod(text.c_str(), nullptr);
  return json(sign * value);
}

json scalar(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return json(text);
  if (tag != "?") throw YamlError{"unsupported YAML tag " + tag, node.Mark()};
  if (is_bool(text)) return json(bool_value(text));
  if (may_be_number(text)) {
    if (is_float(text)) return yaml_float(text, node.Mark());
    if (is_int(text)) return yaml_int(text, node.Mark());
  }
  if (is_null(text)) return json(nullptr);
  return json(text);
}

json convert(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar: return scalar(node);
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(convert(item));
      return out;
    }
    case YAML::NodeType::Map: {
      json merged = json::object(), own = json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) throw YamlError{"mapping keys must be scalars", kv.first.Mark()};
        const std::string& key = kv.first.Scalar();
        if (key == "<<" && kv.first.Tag() == "?") {  // PyYAML's merge key: own keys win
          std::vector<YAML::Node> sources;
          if (kv.second.IsSequence()) {
            for (const auto& item : kv.second) sources.push_back(item);
          } else {
            sources.push_back(kv.second);
          }
          for (const auto& source : sources) {
            if (!source.IsMap()) throw YamlError{"a '<<' merge needs mappings", source.Mark()};
            // Named: a range-for over convert(source).items() would outlive the temporary.
            const json converted = convert(source);
            for (const auto& [k, v] : converted.items())
              if (!merged.contains(k)) merged[k] = v;
          }
          continue;
        }
        own[key] = convert(kv.second);
      }
      for (auto& [k, v] : own.items()) merged[k] = v;
      return merged;
    }
    default: return json(nullptr);
  }
}

SourceLocation at(std::string_view file, const YAML::Mark& mark) {
  return {std::string(file), mark.line + 1, mark.column + 1};
}

// Text of a float that reads back as a float under YAML 1.1 (which needs a '.').
std::string float_text(double value) {
  std::string text = json(value).dump();
  if (text.find('.') == std::string::npos) {
    auto e = text.find_first_of("eE");
    text.insert(e == std::string::npos ? text.size() : e, ".0");
  }
  return text;
}

// Template expressions are double-quoted too: what a template renders into a
// quoted scalar stays a string whatever its text.
bool has_template_syntax(const std::string& text) {
  return text.find("{{") != std::string::npos || text.find("{%") != std::string::npos ||
         text.find("{#") != std::string::npos;
}

void emit_string(YAML::Emitter& out, const std::string& text) {
  if (plain_scalar_is_string(text) && !has_template_syntax(text)) {
    out << text;
  } else {
    out << YAML::DoubleQuoted << text;
  }
}

void emit(YAML::Emitter& out, const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key;
        emit_string(out, key);
        out << YAML::Value;
        emit(out, item);
      }
      out << YAML::EndMap;
      break;
    case json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& item : value) emit(out, item);
      out << YAML::EndSeq;
      break;
    case json::value_t::string: emit_string(out, value.get_ref<const std::string&>()); break;
    case json::value_t::boolean: out << value.get<bool>(); break;
    case json::value_t::number_integer: out << value.get<std::int64_t>(); break;
    case json::value_t::number_unsigned: out << value.get<std::uint64_t>(); break;
    case json::value_t::number_float: out << float_text(value.get<double>()); break;
    default: out << YAML::Null; break;
  }
}

}  // namespace

bool plain_scalar_is_string(std::string_view text) {
  if (is_bool(text) || is_null(text)) return false;
  if (!may_be_number(text)) return true;
  return !is_float(text) && !is_int(text);
}

void normalise_numbers(json& value) {
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.0e18) value = static_cast<std::int64_t>(d);
  } else if (value.is_structured()) {
    for (auto& item : value) normalise_numbers(item);
  }
}

Expected<json> parse_yaml_item(std::string_view text, std::string_view file) {
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (!root.IsMap())
      return fail(Error::config("an asset file must hold one YAML mapping", at(file, root.Mark())));
    json item = convert(root);
    normalise_numbers(item);
    return item;
  } catch (const YAML::Exception& e) {
    return fail(Error::config(e.msg, at(file, e.mark)));
  } catch (const YamlError& e) {
    return fail(Error::config(e.message, at(file, e.mark)));
  }
}

std::optional<SourceLocation> locate(std::string_view text, std::string_view file,
                                     const json::json_pointer& path) {
  try {
    YAML::Node node = YAML::Load(std::string(text));
    // A plain Mark and a flag: g++ 12 at -O2 falsely reports std::optional<Mark> as
    // maybe-uninitialized here.
    YAML::Mark key_mark = YAML::Mark::null_mark();
    bool have_key_mark = false;
    std::vector<std::string> tokens;
    for (auto p = path; !p.empty(); p = p.parent_pointer()) tokens.insert(tokens.begin(), p.back());
    for (const auto& token : tokens) {
      if (node.IsMap()) {
        bool found = false;
        for (const auto& kv : node) {
          if (kv.first.IsScalar() && kv.first.Scalar() == token) {
            key_mark = kv.first.Mark();
            have_key_mark = true;
            node.reset(kv.second);  // rebind; `node = …` would write into the tree
            found = true;
            break;
          }
        }
        if (!found) return std::nullopt;
      } else if (node.IsSequence()) {
        std::size_t index = std::stoul(token);
        if (index >= node.size()) return std::nullopt;
        have_key_mark = false;
        YAML::Node child = node[index];
        node.reset(child);
      } else {
        return std::nullopt;
      }
    }
    if (node.IsScalar() || node.IsNull() || !have_key_mark) return at(file, node.Mark());
    return at(file, key_mark);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string to_yaml(const json& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetNullFormat(YAML::LowerNull);
  out.SetMapFormat(YAML::Block);
  out.SetSeqFormat(YAML::Block);
  emit(out, value);
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

}  // namespace converge::providers::assets
