// Seeded random JSON values for differential tests of YAML writing and reading:
// the characters, words and shapes where YAML typing, quoting, escaping and layout
// differ (indicators, line breaks, control and C1 characters, BOMs, noncharacters,
// malformed UTF-8, YAML 1.1 words like yes/0x1F/1:30, keys around the 1024 bytes
// beyond which yaml-cpp writes `? key`, 64-bit integer edges, any double).
// Only the raw mt19937 output is used, so a seed gives the same values everywhere.
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace converge::testing {

class RandomJson {
 public:
  // `plain_ascii`: strings only of pieces a block-YAML reader without escapes takes
  // (letters, digits, YAML 1.1 words, spaces, quotes, brackets, ':', '-', ',').
  explicit RandomJson(std::uint32_t seed, bool plain_ascii = false) : engine_(seed), plain_ascii_(plain_ascii) {}

  nlohmann::json value(int depth) {
    std::uint32_t pick = below(depth > 0 ? 10 : 6);
    switch (pick) {
      case 0: return nullptr;
      case 1: return below(2) == 1;
      case 2: return integer();
      case 3: return floating();
      case 4:
      case 5: return string();
      case 6:
      case 7: {
        nlohmann::json out = nlohmann::json::object();
        for (std::uint32_t n = below(6); n > 0; --n) out[string()] = value(depth - 1);
        return out;
      }
      default: {
        nlohmann::json out = nlohmann::json::array();
        for (std::uint32_t n = below(6); n > 0; --n) out.push_back(value(depth - 1));
        return out;
      }
    }
  }

  std::uint32_t below(std::uint32_t n) { return engine_() % n; }

  std::string string() {
    // Pieces where YAML typing, quoting and escaping differ; a string joins a few.
    static const std::vector<std::string> pieces = {
        "a", "Z", "word", "0", "1", "7", ".", "-", "?", ":", " ", "#", "\t", "\n", "\r", "\r\n", "'", "\"", "\\",
        "{", "}", "[", "]", ",", "&", "*", "!", "|", ">", "%", "@", "`", "~", "_", "=", "<<", "---", "...", "{{",
        "{%", "{#", "}}", "yes", "No", "ON", "off", "true", "False", "null", "NULL", "1.0", "0x1F", "0b101",
        "012", "1_000", "1:30", "190:20:30.15", ".inf", "-.INF", ".NaN", "1e5", "1.5e+3", "+1", "-.5", "2001-12-14",
        "é", "\xC2\x85", "\xC2\x80", "\xC2\x9F", "\xC2\xA0", "\xC2\xA1", "\xEF\xBB\xBF", "\xF0\x9F\x98\x80",
        "\xEF\xBF\xBE", "\xEF\xBF\xBF", "\xEF\xB7\x90", "\xED\xA0\x80", "\xE2\x80\xA8", "\xC0\xAF", "\xFF",
        "\x80", "\xE2\x82", "\xF4\x90\x80\x80", std::string(1, '\0'), "\x01", "\x04", "\x7F", "\x1F", "\b",
        "\f", "\v", "\x1B", "\x0E"};
    static const std::vector<std::string> ascii_pieces = {
        "a", "Z", "word", "0", "1", "7", ".", "-", "?", ":", " ", "'", "\"", "[", "]", ",", "~", "_", "=", "/", "$",
        "(", ")", "yes", "No", "ON", "off", "true", "null", "1.0", "0x1F", "0b101", "012", "1_000", "1:30", ".inf",
        "-.INF", ".NaN", "1e5", "+1", "-.5", "2001-12-14", "99999999999999999999"};
    const auto& from = plain_ascii_ ? ascii_pieces : pieces;
    std::string out;
    std::uint32_t n = below(7);
    for (std::uint32_t i = 0; i < n; ++i) out += from[below(static_cast<std::uint32_t>(from.size()))];
    if (below(40) == 0) {  // around the 1024 bytes beyond which a key is written `? key`
      std::size_t target = 1020 + below(10);
      while (out.size() < target) out += out.empty() ? "x" : out;
      out.resize(target);
      if (below(2) == 0) out.back() = 'y';  // never cut inside a character at the end
    }
    return out;
  }

 private:
  nlohmann::json integer() {
    static const std::int64_t edges[] = {0, 1, -1, 7, 1000, -1000, INT64_MAX, INT64_MIN, 4294967296};
    switch (below(3)) {
      case 0: return edges[below(9)];
      case 1: return static_cast<std::int64_t>((std::uint64_t{engine_()} << 32) | engine_());
      default: return (std::uint64_t{engine_()} << 32) | engine_() | (std::uint64_t{1} << 63);
    }
  }

  nlohmann::json floating() {
    static const double edges[] = {0.5, -0.0, 1.0, 100.0, 1e300, 1e-7, 1.5e-300, 1e16, 123456789.125, 0.1};
    if (below(2) == 0) return edges[below(10)];
    std::uint64_t bits = (std::uint64_t{engine_()} << 32) | engine_();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;  // NaN and infinities too
  }

  std::mt19937 engine_;
  bool plain_ascii_;
};

}  // namespace converge::testing
