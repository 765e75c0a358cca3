// Whether a part's bytes are UTF-8 as Python's decoder reads it (overlong forms,
// surrogates and code points beyond U+10FFFF are not; fabric-cicd could not read such
// a file as text, so parameters leave it alone), and whether they are text: UTF-8
// without a NUL byte. Text parts are compared and shown as text and the bundle holds
// them as strings; others are binary (base64 in the bundle, a hash in a plan).
#pragma once

#include <cstdint>
#include <string_view>

namespace converge::providers::fabric {

inline bool is_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 4;
    if (n == 4 || i + n >= s.size()) return false;  // not a lead byte, or cut short
    std::uint32_t cp = n == 0 ? c : n == 1 ? c & 0x1F : n == 2 ? c & 0x0F : c & 0x07;
    for (std::size_t k = 1; k <= n; ++k) {
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d >> 6) != 0x2) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    constexpr std::uint32_t kLeast[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kLeast[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

inline bool is_text(std::string_view s) { return s.find('\0') == std::string_view::npos && is_utf8(s); }

}  // namespace converge::providers::fabric
