// SHA-256 of bytes, as lowercase hex (OpenSSL's EVP interface underneath).
#pragma once

#include <string>
#include <string_view>

namespace converge::util {

std::string sha256_hex(std::string_view bytes);

// Incremental form, for hashing many pieces without concatenating them.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  std::string hex();  // finishes the digest; call once

 private:
  void* ctx_;
};

}  // namespace converge::util
