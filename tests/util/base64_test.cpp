// Base64 (util/base64.hpp): RFC 4648's test vectors, binary bytes round trip, and
// text that is not padded standard base64 refused rather than decoded to garbage.
#include <gtest/gtest.h>

#include "converge/util/base64.hpp"

namespace converge::util {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                          {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                          {"foobar", "Zm9vYmFy"}};
  for (auto [plain, coded] : vectors) {
    EXPECT_EQ(base64_encode(plain), coded);
    EXPECT_EQ(base64_decode(coded), std::optional<std::string>(plain)) << coded;
  }
}

TEST(Base64, BinaryBytesRoundTrip) {
  std::string bytes;
  for (int i = 0; i < 1000; ++i) bytes.push_back(static_cast<char>((i * 37) & 0xff));
  EXPECT_EQ(base64_decode(base64_encode(bytes)), std::optional<std::string>(bytes));
}

TEST(Base64, TextThatIsNotPaddedStandardBase64IsRefused) {
  for (const char* bad : {"Zg=", "Zm9v\n", "Zm9-", "Zm_v", "Z===", "=Zm9", "Zg==Zg==", "Zm 9v"})
    EXPECT_EQ(base64_decode(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace converge::util
