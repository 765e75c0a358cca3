// The deterministic YAML writer (see yaml.hpp): block style, two-space indent, with
// the quoting that makes PyYAML read every value back as the same JSON value. Asset
// files (export, bundle files) and the plan's asset diffs are written by it, so a
// plan shows an item as the file that holds it would.
//
// The bytes are those yaml-cpp 0.7's Emitter wrote for the same value (converge used
// it until issue 15's profile found its regex-driven plain-scalar check the hottest
// function of compile), so existing bundles and plans keep their text and hash;
// tests/template/yaml_writer_test.cpp compares the two on thousands of values.
// What that layout is:
//   - a mapping: `key: scalar`; a collection value on the next line, two spaces in;
//     an empty one as `{}` / `[]` there; a key longer than 1024 bytes as
//     `? key` then `: value` (the value on the `:` line);
//   - a sequence: `- scalar`, `- {}`, `- first: key` (the mapping two spaces in),
//     a sequence or `[]` item on the next line, two spaces in;
//   - a string plain when yaml-cpp's plain-scalar rules allow it (no indicator at
//     the start, no `: `, ` #`, tab, line break, control character, BOM, no
//     trailing space) and PyYAML would read it as a string, else double-quoted with
//     yaml-cpp's escapes (\" \\ \n \t \r \b \f, \xHH below 0x20 and for
//     U+0080–U+00A0, \ufeff; other characters as UTF-8, a malformed sequence as
//     U+FFFD).
#include <cstdint>
#include <string>
#include <string_view>

#include "converge/template/unicode.hpp"
#include "converge/template/yaml.hpp"

namespace converge::tmpl {
namespace {

using nlohmann::json;

constexpr std::size_t kLongKey = 1024;  // a longer key is written as `? key`

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
bool has_template_syntax(std::string_view text) {
  return text.find("{{") != std::string_view::npos || text.find("{%") != std::string_view::npos ||
         text.find("{#") != std::string_view::npos;
}

// The byte at `i`, or 0x04 past the end (yaml-cpp's end-of-input marker, which its
// patterns match as "end").
unsigned char at(std::string_view s, std::size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0x04; }

// Blank (space, tab), a line break (\n, \r\n) or the end of the text, at `i`.
bool blank_break_or_end(std::string_view s, std::size_t i) {
  unsigned char c = at(s, i);
  return c == ' ' || c == '\t' || c == '\n' || c == 0x04 || (c == '\r' && at(s, i + 1) == '\n');
}

// A character that yaml-cpp refuses in a plain scalar, at `i`: a control character,
// DEL, a C1 control (U+0080–U+0084, U+0086–U+009F), a BOM, a tab or a line break.
bool unprintable_at(std::string_view s, std::size_t i) {
  unsigned char c = at(s, i);
  if (c < 0x20) return c != '\r' || at(s, i + 1) == '\n';  // a lone \r passes; \n, \r\n, tab and the rest not
  if (c == 0x7F) return true;
  if (c == 0xC2) {
    unsigned char next = at(s, i + 1);
    return (next >= 0x80 && next <= 0x84) || (next >= 0x86 && next <= 0x9F);
  }
  return c == 0xEF && at(s, i + 1) == 0xBB && at(s, i + 2) == 0xBF;
}

// Whether yaml-cpp writes `s` plain in block context (its IsValidPlainScalar).
bool plain_allowed(std::string_view s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return false;
  unsigned char first = at(s, 0);
  if (first == ' ' || first == '\t' || first == '\n' || (first == '\r' && at(s, 1) == '\n')) return false;
  if (std::string_view(",[]{}#&*!|>'\"%@`").find(static_cast<char>(first)) != std::string_view::npos) return false;
  if ((first == '-' || first == '?' || first == ':') && blank_break_or_end(s, 1)) return false;
  if (s.back() == ' ') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = at(s, i);
    if (c == ':' && blank_break_or_end(s, i + 1)) return false;
    if ((c == ' ' || c == '\t' || c == '\n') && at(s, i + 1) == '#') return false;
    if (unprintable_at(s, i)) return false;
  }
  return true;
}

// The next code point of `s` from `i` as yaml-cpp decodes it (a bad lead byte, a
// missing continuation byte, a surrogate, a noncharacter or anything past U+10FFFF
// is U+FFFD; a missing continuation byte is not consumed).
char32_t next_code_point(std::string_view s, std::size_t& i) {
  constexpr char32_t kReplacement = 0xFFFD;
  unsigned char lead = static_cast<unsigned char>(s[i++]);
  int more = lead < 0x80 ? 0 : lead < 0xC0 ? -1 : lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : 3;
  if (more < 0) return kReplacement;
  if (more == 0) return lead;
  char32_t cp = lead & (0xFFu >> (more + 2));
  for (; more > 0; --more, ++i) {
    if (i == s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return kReplacement;
    cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || (cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF))
    return kReplacement;
  return cp;
}

void append_escape(std::string& out, char32_t cp) {
  static constexpr char kHex[] = "0123456789abcdef";
  int digits = cp < 0xFF ? 2 : cp < 0xFFFF ? 4 : 8;
  out += digits == 2 ? "\\x" : digits == 4 ? "\\u" : "\\U";
  for (int d = digits - 1; d >= 0; --d) out += kHex[(cp >> (4 * d)) & 0xF];
}

void append_double_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = next_code_point(s, i);
    if (const char* escape = short_escape(cp)) {
      out += escape;
    } else if (cp < 0x20 || (cp >= 0x80 && cp <= 0xA0) || cp == 0xFEFF) {
      append_escape(out, cp);
    } else {
      utf8_append(out, cp);
    }
  }
  out += '"';
}

void append_string(std::string& out, std::string_view text) {
  if (plain_scalar_is_string(text) && !has_template_syntax(text) && plain_allowed(text)) {
    out += text;
  } else {
    append_double_quoted(out, text);
  }
}

void append_indent(std::string& out, std::size_t indent) { out.append(indent, ' '); }

// A scalar, or an empty collection (written in flow style).
void append_scalar(std::string& out, const json& value) {
  switch (value.type()) {
    case json::value_t::object: out += "{}"; break;
    case json::value_t::array: out += "[]"; break;
    case json::value_t::string: append_string(out, value.get_ref<const std::string&>()); break;
    case json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; break;
    case json::value_t::number_integer: out += std::to_string(value.get<std::int64_t>()); break;
    case json::value_t::number_unsigned: out += std::to_string(value.get<std::uint64_t>()); break;
    case json::value_t::number_float: out += float_text(value.get<double>()); break;
    default: out += "null"; break;
  }
}

bool is_block(const json& value) { return value.is_structured() && !value.empty(); }

// Any value whose first line goes where the text ends; a collection's other lines at `indent`.
void append_value(std::string& out, const json& value, std::size_t indent);

// What follows a `key:` or a `-`: the value on the next line at `indent`, or after a space.
void append_child(std::string& out, const json& value, bool on_next_line, std::size_t indent) {
  if (on_next_line) {
    out += '\n';
    append_indent(out, indent);
  } else {
    out += ' ';
  }
  append_value(out, value, indent);
}

// A mapping whose first key goes where the text ends; the others at `indent`.
void append_map(std::string& out, const json& value, std::size_t indent) {
  bool first = true;
  for (const auto& [key, item] : value.items()) {
    if (!first) {
      out += '\n';
      append_indent(out, indent);
    }
    first = false;
    if (key.size() > kLongKey) {
      out += "? ";
      append_string(out, key);
      out += '\n';
      append_indent(out, indent);
      out += ':';
      append_child(out, item, false, indent + 2);
      continue;
    }
    append_string(out, key);
    out += ':';
    append_child(out, item, item.is_structured(), indent + 2);  // a collection, even empty, on the next line
  }
}

// A sequence whose first `-` goes where the text ends; the others at `indent`.
void append_seq(std::string& out, const json& value, std::size_t indent) {
  bool first = true;
  for (const auto& item : value) {
    if (!first) {
      out += '\n';
      append_indent(out, indent);
    }
    first = false;
    out += '-';
    append_child(out, item, item.is_array(), indent + 2);  // a sequence, even empty, on the next line
  }
}

void append_value(std::string& out, const json& value, std::size_t indent) {
  if (!is_block(value)) {
    append_scalar(out, value);
  } else if (value.is_object()) {
    append_map(out, value, indent);
  } else {
    append_seq(out, value, indent);
  }
}

}  // namespace

std::string to_yaml(const json& value) {
  std::string text;
  append_value(text, value, 0);
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

}  // namespace converge::tmpl
