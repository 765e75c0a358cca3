// A reader for the block-YAML subset that asset files mostly are (see
// yaml_block_subset.hpp). It works on lines: a line's indent says which collection
// it belongs to, its text is a "key: value", a "key:" whose value follows on the
// next lines, or a "- " item. It declines (nullopt) at the first thing outside the
// subset, so what it accepts it reads as yaml-cpp would, and the rest is yaml-cpp's.
#include "converge/template/yaml_block_subset.hpp"

#include <utility>
#include <vector>

namespace converge::tmpl {
namespace {

using ojson = nlohmann::ordered_json;

constexpr std::size_t kMaxSubsetBytes = std::size_t{1} << 20;
constexpr int kMaxSubsetDepth = 64;

bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Printable ASCII but the characters that start other YAML constructs (comments,
// anchors, aliases, tags, block scalars, directives, escapes, merges); braces only
// as an empty mapping, `{}`.
bool subset_char(char c) { return alnum(c) || std::string_view(" -_.,:;/()[]{}'\"=+~$^?").find(c) != std::string_view::npos; }

bool key_char(char c) { return alnum(c) || c == '_' || c == '.' || c == '-' || c == '/'; }

// A plain scalar the subset takes: no indicator at the start (a bracket or brace
// starts a flow collection, read apart), no ": " inside, no trailing ':'. Brackets
// and braces inside are text in a block value ("Chart for {{ host }}", which a
// Superset .yaml keeps for Superset's own Jinja).
bool plain_in_subset(std::string_view t) {
  if (t.empty()) return false;
  char first = t[0];
  bool start = alnum(first) || std::string_view("_~+/$(").find(first) != std::string_view::npos ||
               ((first == '-' || first == '.') && t.size() > 1 && (alnum(t[1]) || t[1] == '.') && !t.starts_with(".."));
  return start && t.back() != ':' && t.find(": ") == std::string_view::npos;
}

struct Line {
  std::size_t indent;
  std::string_view text;  // after the indent; never empty, never ends with a space
};

class SubsetReader {
 public:
  explicit SubsetReader(std::vector<Line> lines) : lines_(std::move(lines)) {}

  std::optional<ojson> document() {
    if (lines_.empty() || lines_[0].indent != 0) return std::nullopt;
    auto root = block(0, 0);
    if (!root || i_ != lines_.size()) return std::nullopt;
    return root;
  }

 private:
  // The key of a "key:" or "key: value" line (plain, or double-quoted without
  // escapes) and where its ':' is; nullopt when the line is not one.
  static std::optional<std::pair<std::string_view, std::size_t>> key_of(std::string_view s) {
    if (s.empty()) return std::nullopt;
    std::string_view key;
    std::size_t colon = 1;
    if (s[0] == '"') {
      colon = s.find('"', 1);
      if (colon == std::string_view::npos) return std::nullopt;
      key = s.substr(1, colon - 1);
      ++colon;
    } else {
      if (!alnum(s[0]) && s[0] != '_') return std::nullopt;
      while (colon < s.size() && key_char(s[colon])) ++colon;
      key = s.substr(0, colon);
      if (key == "null" || key == "Null" || key == "NULL") return std::nullopt;  // yaml-cpp: a null node, not a key
    }
    if (colon < s.size() && s[colon] == ':' && (colon + 1 == s.size() || s[colon + 1] == ' '))
      return std::pair{key, colon};
    return std::nullopt;
  }

  static bool is_item(std::string_view s) { return s.starts_with("- "); }

  bool more_at_or_below(std::size_t indent) const { return i_ < lines_.size() && lines_[i_].indent >= indent; }

  // After a one-line value: a deeper next line would continue it (declined).
  bool ends_here(std::size_t indent) const { return i_ == lines_.size() || lines_[i_].indent <= indent; }

  std::optional<ojson> block(std::size_t indent, int depth) {
    if (depth > kMaxSubsetDepth) return std::nullopt;
    return is_item(lines_[i_].text) ? sequence(indent, depth) : mapping(indent, depth);
  }

  std::optional<ojson> mapping(std::size_t indent, int depth) {
    ojson out = ojson::object();
    while (more_at_or_below(indent)) {
      const Line& line = lines_[i_];
      auto key_colon = key_of(line.text);
      if (line.indent != indent || !key_colon) return std::nullopt;
      std::string key(key_colon->first);
      if (out.contains(key)) return std::nullopt;  // yaml-cpp's reader names the duplicate
      std::string_view rest = line.text.substr(key_colon->second + 1);
      ++i_;
      auto value = rest.empty() ? nested(indent, depth) : one_line(rest.substr(1), indent);
      if (!value) return std::nullopt;
      out[key] = std::move(*value);
    }
    return out;
  }

  // The value of a "key:" line: a block on the next lines (deeper, or a sequence at
  // the key's own indent), or null.
  std::optional<ojson> nested(std::size_t indent, int depth) {
    if (i_ < lines_.size()) {
      const Line& next = lines_[i_];
      if (next.indent > indent && (next.text == "{}" || next.text == "[]")) {  // an empty one on its own line
        ++i_;
        if (!ends_here(indent)) return std::nullopt;
        return next.text == "{}" ? ojson::object() : ojson::array();
      }
      if (next.indent > indent) return block(next.indent, depth + 1);
      if (next.indent == indent && is_item(next.text)) return sequence(indent, depth + 1);
    }
    return ojson(nullptr);
  }

  std::optional<ojson> sequence(std::size_t indent, int depth) {
    if (depth > kMaxSubsetDepth) return std::nullopt;
    ojson out = ojson::array();
    while (i_ < lines_.size() && lines_[i_].indent == indent && is_item(lines_[i_].text)) {
      Line& line = lines_[i_];
      std::string_view rest = line.text.substr(2);
      if (key_of(rest)) {  // "- key: …" starts a mapping two columns in
        line = Line{indent + 2, rest};
        auto item = mapping(indent + 2, depth + 1);
        if (!item) return std::nullopt;
        out.push_back(std::move(*item));
        continue;
      }
      ++i_;
      auto item = one_line(rest, indent);
      if (!item) return std::nullopt;
      out.push_back(std::move(*item));
    }
    return out;
  }

  // A value written on the rest of its line.
  std::optional<ojson> one_line(std::string_view t, std::size_t indent) {
    auto value = scalar(t);
    if (!value || !ends_here(indent)) return std::nullopt;
    return value;
  }

  static std::optional<ojson> scalar(std::string_view t) {
    if (t.empty()) return std::nullopt;
    if (t[0] == '"') {  // no backslash in the subset: the text between the quotes
      if (t.size() < 2 || t.back() != '"' || t.substr(1, t.size() - 2).find('"') != std::string_view::npos)
        return std::nullopt;
      return ojson(std::string(t.substr(1, t.size() - 2)));
    }
    if (t[0] == '\'') {
      std::string out;
      for (std::size_t i = 1; i < t.size(); ++i) {
        if (t[i] != '\'') {
          out += t[i];
        } else if (i + 1 < t.size() && t[i + 1] == '\'') {
          out += '\'';
          ++i;
        } else {
          return i + 1 == t.size() ? std::optional<ojson>(ojson(std::move(out))) : std::nullopt;
        }
      }
      return std::nullopt;
    }
    if (t == "{}") return ojson::object();
    if (t[0] == '[') return flow_sequence(t);
    if (!plain_in_subset(t)) return std::nullopt;
    return typed_plain_scalar(std::string(t));
  }

  // "[a, b]" / "[a,b]" / "[]" of plain scalars.
  static std::optional<ojson> flow_sequence(std::string_view t) {
    if (t.back() != ']') return std::nullopt;
    ojson out = ojson::array();
    std::string_view inner = t.substr(1, t.size() - 2);
    if (inner.empty()) return out;
    while (true) {
      std::size_t comma = inner.find(',');
      std::string_view item = inner.substr(0, comma);
      if (item.empty() || item == "-" || item.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                               "0123456789_.+-/$~") != std::string_view::npos)
        return std::nullopt;
      auto value = typed_plain_scalar(std::string(item));
      if (!value) return std::nullopt;
      out.push_back(std::move(*value));
      if (comma == std::string_view::npos) return out;
      inner.remove_prefix(comma + 1);
      if (inner.starts_with(' ')) inner.remove_prefix(1);
    }
  }

  std::vector<Line> lines_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<nlohmann::ordered_json> read_block_subset(std::string_view text) {
  if (text.empty() || text.size() > kMaxSubsetBytes) return std::nullopt;
  std::vector<Line> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    for (char c : line)
      if (!subset_char(c)) return std::nullopt;
    if (line.back() == ' ') return std::nullopt;
    std::size_t indent = line.find_first_not_of(' ');
    lines.push_back({indent, line.substr(indent)});
  }
  return SubsetReader(std::move(lines)).document();
}

}  // namespace converge::tmpl
