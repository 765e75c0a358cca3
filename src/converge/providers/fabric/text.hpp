// Whether a part's bytes are text: valid UTF-8 without a NUL byte. Text parts are
// compared and shown as text, parameters apply to them, and the bundle holds them as
// strings; others are binary (base64 in the bundle, a hash in a plan).
#pragma once

#include <string_view>

namespace converge::providers::fabric {

inline bool is_text(std::string_view s) {
  std::size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 (nlohmann::json refuses them).
    if (len == 2 && c < 0xC2) return false;
    if (len == 3) {
      unsigned char d = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d >= 0xA0)) return false;
    }
    if (len == 4) {
      unsigned char d = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xF0 && d < 0x90) || c > 0xF4 || (c == 0xF4 && d >= 0x90)) return false;
    }
    i += len;
  }
  return true;
}

}  // namespace converge::providers::fabric
