// Lower-case hex of bytes, and random hex tokens (see hex.hpp).
#include "converge/util/hex.hpp"

#include <openssl/rand.h>

#include <vector>

#include "converge/util/error.hpp"

namespace converge::util {

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

std::string random_hex(std::size_t digits) {
  std::vector<unsigned char> bytes((digits + 1) / 2);
  if (!bytes.empty() && RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw Failure("no random bytes from OpenSSL");
  std::string hex = to_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  hex.resize(digits);
  return hex;
}

}  // namespace converge::util
