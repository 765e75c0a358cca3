// util/seal.hpp: what is sealed opens only with its key, purpose and associated bytes,
// and a changed byte anywhere is refused.
#include "converge/util/seal.hpp"

#include <gtest/gtest.h>

namespace converge::util {
namespace {

TEST(Seal, OpensWithTheSameKeyPurposeAndAssociatedBytes) {
  const std::string plain = std::string("plan bytes with a secret: hunter2\0and binary", 44);
  const std::string sealed = seal("k/ey with a slash", "purpose", "header", plain);
  EXPECT_EQ(sealed.find("hunter2"), std::string::npos);
  EXPECT_EQ(sealed.size(), plain.size() + 28);
  auto opened = unseal("k/ey with a slash", "purpose", "header", sealed);
  ASSERT_TRUE(opened) << opened.error().to_string();
  EXPECT_EQ(*opened, plain);
  EXPECT_NE(seal("k/ey with a slash", "purpose", "header", plain), sealed) << "a fresh nonce each time";
}

TEST(Seal, RefusesAnotherKeyPurposeOrHeaderAndEveryFlippedByte) {
  const std::string sealed = seal("key", "purpose", "header", "plain text");
  EXPECT_FALSE(unseal("key2", "purpose", "header", sealed));
  EXPECT_FALSE(unseal("key", "other purpose", "header", sealed));
  EXPECT_FALSE(unseal("key", "purpose", "headeR", sealed));
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string altered = sealed;
    altered[i] = static_cast<char>(altered[i] ^ 0x01);
    auto opened = unseal("key", "purpose", "header", altered);
    ASSERT_FALSE(opened) << "byte " << i;
    EXPECT_EQ(opened.error().code, ExitCode::refused);
  }
  EXPECT_FALSE(unseal("key", "purpose", "header", sealed.substr(0, 27)));
  EXPECT_FALSE(unseal("key", "purpose", "header", ""));
}

TEST(Seal, EmptyPlainTextRoundTrips) {
  auto opened = unseal("key", "p", "", seal("key", "p", "", ""));
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, "");
}

TEST(Hmac, MatchesRfc4231TestCase2) {
  EXPECT_EQ(hmac_sha256("Jefe", "what do ya want for nothing?").size(), 32u);
  std::string hex;
  for (unsigned char c : hmac_sha256("Jefe", "what do ya want for nothing?")) {
    static const char* digits = "0123456789abcdef";
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  EXPECT_EQ(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_TRUE(equal_secret("abc", "abc"));
  EXPECT_FALSE(equal_secret("abc", "abd"));
  EXPECT_FALSE(equal_secret("abc", "abcd"));
}

}  // namespace
}  // namespace converge::util
