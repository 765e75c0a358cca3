// Literals inside template tags, as jinja2/lexer.py reads them: integers (decimal
// with single '_' between digits, 0b/0o/0x), floats (a fraction and/or an exponent,
// never right after a '.'), and quoted strings with Python's backslash escapes
// (\n, \t, \xhh, \uhhhh, \Uhhhhhhhh, octal, escaped quotes; unknown ones kept).
#include <cerrno>
#include <cstdlib>

#include "converge/template/lexer.hpp"
#include "converge/template/unicode.hpp"
#include "converge/template/value.hpp"
#include "converge/util/ascii.hpp"

namespace converge::tmpl {

namespace {

using util::is_ascii_digit;
int digit_value(char c) {
  if (is_ascii_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

// Digits with single underscores between them, from p; returns the end or p.
std::size_t digits(std::string_view s_, std::size_t p, std::string& out) {
  std::size_t q = p;
  while (q < s_.size() && is_ascii_digit(s_[q])) {
    out += s_[q++];
    if (q + 1 < s_.size() && s_[q] == '_' && is_ascii_digit(s_[q + 1])) ++q;
  }
  return q;
}

// The escape at s_[p] == '\\' appended to out; returns the position after it.
std::size_t escape(std::string_view s_, std::size_t p, std::string& out) {
  char c = s_[p + 1];
  static const std::string_view simple = "\\'\"abfnrtv", mapped = "\\'\"\a\b\f\n\r\t\v";
  if (auto k = simple.find(c); k != std::string_view::npos) { out += mapped[k]; return p + 2; }
  if (c == '\n') return p + 2;
  if (c >= '0' && c <= '7') {
    std::size_t q = p + 1;
    char32_t v = 0;
    for (int i = 0; i < 3 && q < s_.size() && s_[q] >= '0' && s_[q] <= '7'; ++i) v = v * 8 + (s_[q++] - '0');
    utf8_append(out, v);
    return q;
  }
  int width = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
  if (width == 0) { out += '\\'; return p + 1; }
  char32_t v = 0;
  for (int i = 0; i < width; ++i) {
    std::size_t q = p + 2 + i;
    if (q >= s_.size() || digit_value(s_[q]) > 15) throw TemplateError("truncated \\" + std::string(1, c) + " escape");
    v = v * 16 + digit_value(s_[q]);
  }
  if (v > 0x10FFFF) throw TemplateError("illegal Unicode character");
  utf8_append(out, v);
  return p + 2 + width;
}

}  // namespace

Literal scan_number(std::string_view s_, std::size_t start) {
std::size_t pos_ = start;
  std::string mantissa;
  std::size_t p = digits(s_, pos_, mantissa);
  bool is_float = false;
  if (!(start > 0 && s_[start - 1] == '.')) {
    std::size_t q = p;
    std::string frac;
    if (q < s_.size() && s_[q] == '.') {
      std::size_t r = digits(s_, q + 1, frac);
      if (r > q + 1) { q = r; mantissa += "." + frac; is_float = true; }
    }
    if (q < s_.size() && (s_[q] == 'e' || s_[q] == 'E')) {
      std::size_t r = q + 1;
      std::string exp = "e";
      if (r < s_.size() && (s_[r] == '+' || s_[r] == '-')) exp += s_[r++];
      std::size_t e = digits(s_, r, exp);
      if (e > r) { q = e; mantissa += exp; is_float = true; }
    }
    if (is_float) p = q;
  }
  if (is_float) {
    return {Tok::floating, p, 0, std::strtod(mantissa.c_str(), nullptr), ""};
  }
  int base = 10;
  std::size_t q = start;
  if (s_[start] == '0' && start + 1 < s_.size()) {
    char x = s_[start + 1] | 0x20;
    base = x == 'b' ? 2 : x == 'o' ? 8 : x == 'x' ? 16 : 10;
  }
  std::int64_t value = 0;
  if (base != 10) {
    q = start + 2;
    std::size_t first = q;
    while (q < s_.size()) {
      std::size_t d = q + (s_[q] == '_' ? 1 : 0);
      if (d >= s_.size() || digit_value(s_[d]) >= base) break;
      if (__builtin_mul_overflow(value, base, &value) || __builtin_add_overflow(value, digit_value(s_[d]), &value))
        throw TemplateError("integer literal too large for converge");
      q = d + 1;
    }
    if (q == first) { base = 10; q = start; }
  }
  if (base == 10) {
    if (s_[start] == '0') {
      q = start + 1;
      while (q + 1 < s_.size() && s_[q] == '_' && s_[q + 1] == '0') q += 2;
      while (q < s_.size() && s_[q] == '0') ++q;
    } else {
      q = p;
      errno = 0;
      value = std::strtoll(mantissa.c_str(), nullptr, 10);
      if (errno == ERANGE) throw TemplateError("integer literal too large for converge");
    }
  }
  return {Tok::integer, q, value, 0, ""};
}

// A quoted string at `pos_` with Python's escapes; nothing if it is not closed.
std::optional<Literal> scan_string(std::string_view s_, std::size_t pos_) {
  char quote = s_[pos_];
  std::string value;
  std::size_t p = pos_ + 1;
  while (p < s_.size() && s_[p] != quote) {
    if (s_[p] != '\\') { value += s_[p++]; continue; }
    if (p + 1 >= s_.size()) return std::nullopt;
    p = escape(s_, p, value);
  }
  if (p >= s_.size()) return std::nullopt;
  return Literal{Tok::string, p + 1, 0, 0, value};
}

}  // namespace converge::tmpl
