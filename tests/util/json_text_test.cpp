// append_compact_json writes exactly what nlohmann's dump(-1, ' ', false, replace)
// writes: on seeded values of every kind (strings with quotes, control characters,
// multi-byte and invalid UTF-8, integers at their limits, floats) and on every real
// Terraform plan of the shared test data; append_json_string writes a string as its
// JSON value's dump does.
#include "converge/util/json_text.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

namespace converge::util {
namespace {

using nlohmann::json;

std::string reference(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string ours(const json& v) {
  std::string out = "prefix:";
  append_compact_json(out, v);
  return out.substr(7);
}

std::string random_string(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {
      "a", "Z", " ", "~", "\"", "\\", "/", "\n", "\t", "\r", "\b", "\f", std::string(1, '\0'), "\x01", "\x1f", "\x7f",
      "é", "€", "😀", "\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "plain text", "${NAME}", "{{ x }}"};
  std::string s;
  const int parts = static_cast<int>(rng() % 8);
  for (int i = 0; i < parts; ++i) s += pieces[rng() % pieces.size()];
  return s;
}

json random_value(std::mt19937& rng, int depth) {
  switch (rng() % (depth > 3 ? 6 : 8)) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: {
      static const std::vector<std::int64_t> edges = {0, -1, 1, 42, std::numeric_limits<std::int64_t>::min(),
                                                      std::numeric_limits<std::int64_t>::max()};
      return rng() % 2 ? json(edges[rng() % edges.size()]) : json(static_cast<std::int64_t>(rng()) - (1LL << 31));
    }
    case 3: return rng() % 2 ? json(std::numeric_limits<std::uint64_t>::max()) : json(static_cast<std::uint64_t>(rng()));
    case 4: {
      static const std::vector<double> floats = {0.1, -0.0, 1e300, 2.5, 1.0 / 3.0, 1e-7, 123456789.0};
      return floats[rng() % floats.size()];
    }
    case 5: return random_string(rng);
    case 6: {
      json a = json::array();
      for (int i = static_cast<int>(rng() % 4); i > 0; --i) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      json o = json::object();
      for (int i = static_cast<int>(rng() % 4); i > 0; --i) o[random_string(rng)] = random_value(rng, depth + 1);
      return o;
    }
  }
}

TEST(JsonText, WritesTheBytesOfNlohmannsDumpForSeededValuesOfEveryKind) {
  std::mt19937 rng(15);
  for (int i = 0; i < 5000; ++i) {
    const json v = random_value(rng, 0);
    ASSERT_EQ(ours(v), reference(v)) << "seeded value " << i;
  }
}

TEST(JsonText, EscapesWhatNeedsEscapingAndReplacesInvalidUtf8) {
  EXPECT_EQ(ours(json("plain")), "\"plain\"");
  EXPECT_EQ(ours(json("say \"hi\"\\\n")), "\"say \\\"hi\\\"\\\\\\n\"");
  EXPECT_EQ(ours(json(std::string("\x01\x7f", 2))), "\"\\u0001\x7f\"");
  EXPECT_EQ(ours(json("caf\xc3\xa9")), "\"caf\xc3\xa9\"");
  EXPECT_EQ(ours(json("bad \xff")), "\"bad \xef\xbf\xbd\"");
  EXPECT_EQ(ours(json{{"b", 1}, {"a", {nullptr, true, 2.5}}}), "{\"a\":[null,true,2.5],\"b\":1}");
}

TEST(JsonText, WritesAStringAsItsJsonValueIsWritten) {
  std::mt19937 rng(16);
  const std::string fixed[] = {"", "plain", "say \"hi\"\\\n", std::string("nul\0in", 6), "bad \xff", "caf\xc3\xa9"};
  for (const auto& text : fixed) {
    std::string out = "x";
    append_json_string(out, text);
    EXPECT_EQ(out, "x" + reference(json(text))) << text;
  }
  for (int i = 0; i < 2000; ++i) {
    const std::string text = random_string(rng);
    std::string out;
    append_json_string(out, text);
    ASSERT_EQ(out, reference(json(text))) << "seeded string " << i;
  }
}

TEST(JsonText, WritesEveryRealTerraformPlanAsNlohmannDoes) {
  const std::filesystem::path root = CONVERGE_SHARED_TESTDATA "/terraform-plans";
  int plans = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const json plan = json::parse(text.str());
    EXPECT_EQ(ours(plan), reference(plan)) << entry.path();
    ++plans;
  }
  EXPECT_GE(plans, 8);
}

}  // namespace
}  // namespace converge::util
