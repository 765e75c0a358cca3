// Checked reads of outside JSON: the one error names the source, the field and an
// excerpt of what was there, and an excerpt never splits a UTF-8 character.
#include "converge/github/json_fields.hpp"

#include <gtest/gtest.h>

namespace converge::github {
namespace {

using nlohmann::json;

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

TEST(JsonExcerpt, ALongValueIsCutAtACharacterBoundary) {
  // "\"" + 38 ASCII + "é…": byte 40 falls inside the two-byte é.
  const std::string value = std::string(38, 'a') + "\xC3\xA9" + std::string(20, 'b');
  const std::string excerpt = json_excerpt(json(value));
  EXPECT_TRUE(valid_utf8(excerpt)) << excerpt;
  EXPECT_EQ(excerpt, "\"" + std::string(38, 'a') + "…");
  EXPECT_EQ(json_excerpt(json("short")), "\"short\"");
}

TEST(JsonReader, AWrongTypeIsOneErrorNamingSourceFieldAndValue) {
  JsonReader reader("GITHUB_EVENT_PATH /x/event.json", ExitCode::usage);
  const json event = json::parse(R"({"pull_request": {"number": "5", "head": {"sha": null}}})");
  JsonObject top(reader, &event, "");
  JsonObject pr = top.object("pull_request", Need::required);
  EXPECT_EQ(pr.positive("number", Need::required), 0);
  EXPECT_EQ(pr.object("head").sha("sha", Need::required), "");  // a second problem is not reported
  ASSERT_TRUE(reader.error());
  EXPECT_EQ(reader.error()->code, ExitCode::usage);
  EXPECT_EQ(reader.error()->message,
            "GITHUB_EVENT_PATH /x/event.json: pull_request.number: expected an integer, got \"5\"");
}

}  // namespace
}  // namespace converge::github
