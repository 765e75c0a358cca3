// Authenticated encryption of a file's bytes with a key from a secret (AES-256-GCM,
// OpenSSL), and HMAC-SHA256. For what converge keeps between jobs and must neither
// leak nor trust unchecked (a terraform plan file holds sensitive values in clear).
#pragma once

#include <string>
#include <string_view>

#include "converge/util/error.hpp"

namespace converge::util {

// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);

// Constant-time equality of two byte strings.
bool equal_secret(std::string_view a, std::string_view b);

// Encrypts `plain` under a key derived from `secret` (HMAC-SHA256 of `purpose`, so one
// secret gives different keys for different uses), authenticating `associated` too
// (stored in clear by the caller). Returns nonce (12 bytes) + ciphertext + tag (16).
std::string seal(std::string_view secret, std::string_view purpose, std::string_view associated,
                 std::string_view plain);

// The inverse of seal(). Error (refused) when the secret is another one or a byte of
// `sealed` or `associated` changed ("… was not sealed with this key or was altered").
Expected<std::string> unseal(std::string_view secret, std::string_view purpose, std::string_view associated,
                             std::string_view sealed);

}  // namespace converge::util
