// Base64 (RFC 4648, standard alphabet, padded), through OpenSSL: the payloads of
// REST APIs that carry files as text (Fabric's item definition parts, InlineBase64).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace converge::util {

std::string base64_encode(std::string_view bytes);

// The bytes; nullopt when `text` is not padded standard base64 (whitespace, a wrong
// length or character, padding in the middle).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace converge::util
