// AES-256-GCM sealing and HMAC-SHA256 (seal.hpp), through OpenSSL's EVP interface.
#include "converge/util/seal.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <memory>

namespace converge::util {
namespace {

constexpr int kNonce = 12, kTag = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

CipherCtx context() {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw Failure("cannot allocate a cipher context");
  return ctx;
}

}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes(data), data.size(), out, &size))
    throw Failure("HMAC-SHA256 failed");
  return std::string(reinterpret_cast<const char*>(out), size);
}

bool equal_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string seal(std::string_view secret, std::string_view purpose, std::string_view associated,
                 std::string_view plain) {
  const std::string key = hmac_sha256(secret, purpose);
  std::string out(kNonce + plain.size() + kTag, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (RAND_bytes(o, kNonce) != 1) throw Failure("no random bytes for a nonce");
  auto ctx = context();
  int n = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), o) != 1 ||
      (!associated.empty() &&
       EVP_EncryptUpdate(ctx.get(), nullptr, &n, bytes(associated), static_cast<int>(associated.size())) != 1) ||
      EVP_EncryptUpdate(ctx.get(), o + kNonce, &n, bytes(plain), static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), o + kNonce + n, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, o + kNonce + plain.size()) != 1)
    throw Failure("AES-256-GCM encryption failed");
  return out;
}

Expected<std::string> unseal(std::string_view secret, std::string_view purpose, std::string_view associated,
                             std::string_view sealed) {
  auto altered = [] { return Error::refused("it was not sealed with this key or was altered"); };
  if (sealed.size() < kNonce + kTag) return fail(altered());
  const std::string key = hmac_sha256(secret, purpose);
  const size_t size = sealed.size() - kNonce - kTag;
  std::string plain(size, '\0');
  auto* p = reinterpret_cast<unsigned char*>(plain.data());
  std::string tag(sealed.substr(kNonce + size));
  auto ctx = context();
  int n = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(sealed)) != 1 ||
      (!associated.empty() &&
       EVP_DecryptUpdate(ctx.get(), nullptr, &n, bytes(associated), static_cast<int>(associated.size())) != 1) ||
      EVP_DecryptUpdate(ctx.get(), p, &n, bytes(sealed) + kNonce, static_cast<int>(size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), p + n, &n) != 1)
    return fail(altered());
  return plain;
}

}  // namespace converge::util
