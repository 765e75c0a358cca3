// The forms of a secret (see secret_forms.hpp).
#include "converge/github/secret_forms.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "converge/http/client.hpp"

namespace converge::github {
namespace {

constexpr std::string_view kUrlDelimiters = "/@:?#";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `text` with each %XX decoded (other '%' kept).
std::string percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string lower_hex(std::string encoded) {
  for (size_t i = 0; i + 2 < encoded.size(); ++i)
    if (encoded[i] == '%') {
      encoded[i + 1] = static_cast<char>(std::tolower(static_cast<unsigned char>(encoded[i + 1])));
      encoded[i + 2] = static_cast<char>(std::tolower(static_cast<unsigned char>(encoded[i + 2])));
      i += 2;
    }
  return encoded;
}

void add(std::vector<std::string>& forms, std::string form) {
  if (form.empty() || std::find(forms.begin(), forms.end(), form) != forms.end()) return;
  forms.push_back(std::move(form));
}

void add_encodings(std::vector<std::string>& forms, std::string_view text) {
  add(forms, std::string(text));
  const auto encoded = http::percent_encode(text);
  add(forms, encoded);
  add(forms, lower_hex(encoded));
  std::string plus = encoded;
  for (size_t at = plus.find("%20"); at != std::string::npos; at = plus.find("%20", at + 1)) plus.replace(at, 3, "+");
  add(forms, plus);
  add(forms, percent_decode(text));
  const auto json = nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  add(forms, json.substr(1, json.size() - 2));
}

// The pieces between URL delimiters, long enough to mean something.
void add_pieces(std::vector<std::string>& forms, std::string_view text) {
  if (text.find_first_of(kUrlDelimiters) == std::string_view::npos) return;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(kUrlDelimiters, start);
    if (end == std::string_view::npos) end = text.size();
    if (end - start >= kMinPiece) add(forms, std::string(text.substr(start, end - start)));
    start = end + 1;
  }
}

}  // namespace

std::vector<std::string> secret_forms(std::string_view secret) {
  std::vector<std::string> forms;
  if (secret.empty()) return forms;
  add_encodings(forms, secret);
  if (auto scheme = secret.find("://"); scheme != std::string_view::npos) {
    // A URL: its password (raw or encoded, with the user) is what messages repeat;
    // its host and path are no secret, so no pieces of it are hidden.
    std::string_view rest = secret.substr(scheme + 3);
    auto at = rest.rfind('@');
    if (at != std::string_view::npos) {
      std::string_view userinfo = rest.substr(0, at);
      if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
        add(forms, std::string(userinfo) + "@");
        std::string_view password = userinfo.substr(colon + 1);
        add_encodings(forms, password);
        add_pieces(forms, password);
        add_pieces(forms, percent_decode(password));
      }
    }
  } else {
    add_pieces(forms, secret);
    add_pieces(forms, percent_decode(secret));
  }
  return forms;
}

}  // namespace converge::github
