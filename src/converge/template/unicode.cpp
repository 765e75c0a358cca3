// Code points, Python's whitespace set and case mapping for the template renderer.
#include "converge/template/unicode.hpp"

#include "converge/util/error.hpp"

#include <clocale>
#include <cstring>
#include <cwctype>
#include <locale.h>

namespace converge::tmpl {

namespace {

// glibc's C.UTF-8 carries Unicode's simple case mappings. Without it (never on
// Debian) converge would be wrong for non-ASCII text, so that is a Failure.
locale_t utf8_locale() {
  static locale_t loc = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    if (!l) throw Failure("the C.UTF-8 locale is not available");
    return l;
  }();
  return loc;
}

}  // namespace

// One code point at s[i]; `length` is how many bytes it took (invalid bytes: U+FFFD, 1).
char32_t decode_one(std::string_view s, std::size_t i, std::size_t& length) {
  auto c = static_cast<unsigned char>(s[i]);
  length = 1;
  if (c < 0x80) return c;
  std::size_t extra = (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 0;
  if (extra == 0 || i + extra >= s.size()) return 0xFFFD;
  char32_t cp = c & (0x3F >> extra);
  for (std::size_t k = 1; k <= extra; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc >> 6) != 2) return 0xFFFD;
    cp = (cp << 6) | (cc & 0x3F);
  }
  length = extra + 1;
  return cp;
}

std::u32string utf8_decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0, n = 0; i < s.size(); i += n) out.push_back(decode_one(s, i, n));
  return out;
}

void utf8_append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

const char* short_escape(char32_t cp) {
  switch (cp) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    case '\b': return "\\b";
    case '\f': return "\\f";
    default: return nullptr;
  }
}

std::string utf8_encode(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t cp : s) utf8_append(out, cp);
  return out;
}

// Python's Py_UNICODE_ISSPACE: bidi classes WS, B, S and category Zs.
bool py_isspace(char32_t cp) {
  if (cp <= 0x20) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

std::u32string py_lower(std::u32string_view s) {
  std::u32string out;
  auto letter = [](char32_t c) { return iswalpha_l(static_cast<wint_t>(c), utf8_locale()) != 0; };
  for (std::size_t i = 0; i < s.size(); ++i) {
    char32_t cp = s[i];
    // Python's Final_Sigma rule: Σ ends a word → ς
    if (cp == U'Σ' && i > 0 && letter(s[i - 1]) && (i + 1 == s.size() || !letter(s[i + 1]))) out += U'ς';
    else if (cp < 0x80) out += (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    else out += static_cast<char32_t>(towlower_l(static_cast<wint_t>(cp), utf8_locale()));
  }
  return out;
}

std::u32string py_upper(std::u32string_view s) {
  std::u32string out;
  for (char32_t cp : s) {
    if (cp < 0x80) out += (cp >= 'a' && cp <= 'z') ? cp - 32 : cp;
    else if (cp == U'ß') out += U"SS";
    else out += static_cast<char32_t>(towupper_l(static_cast<wint_t>(cp), utf8_locale()));
  }
  return out;
}

std::string py_rstrip(std::string_view s) {
  std::size_t end = 0;  // end of the last non-space code point
  for (std::size_t i = 0, n = 0; i < s.size(); i += n) {
    if (!py_isspace(decode_one(s, i, n))) end = i + n;
  }
  return std::string(s.substr(0, end));
}

std::string py_lstrip(std::string_view s) {
  std::size_t i = 0;
  for (std::size_t n = 0; i < s.size(); i += n) {
    if (!py_isspace(decode_one(s, i, n))) break;
  }
  return std::string(s.substr(i));
}

std::size_t find_text(std::string_view hay, std::string_view needle, std::size_t pos) {
  if (pos > hay.size()) return std::string_view::npos;
  if (needle.empty()) return pos;
  // glibc's memmem is the two-way algorithm: linear time, constant space.
  const void* hit = memmem(hay.data() + pos, hay.size() - pos, needle.data(), needle.size());
  return hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - hay.data()) : std::string_view::npos;
}

}  // namespace converge::tmpl
