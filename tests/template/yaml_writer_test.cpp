// to_yaml writes the bytes yaml-cpp 0.7's Emitter wrote (converge's writer until
// issue 15), so bundles, exports and plans keep their text and hash: compared here
// against that emitter, kept only in this test, on seeded random JSON values (the
// characters, words and shapes where YAML quoting and layout differ) and on every
// JSON and YAML file of the shared test data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "converge/template/yaml.hpp"
#include "support/random_json.hpp"

namespace converge::tmpl {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// ---- the writer converge had before issue 15, on yaml-cpp's emitter ----

// 1 → 1.0, 1e+20 → 1.0e+20 (YAML 1.1 floats need a '.').
std::string emitter_float_text(double value) {
  std::string text = json(value).dump();
  std::size_t mantissa = std::min(text.find_first_of("eE"), text.size());
  return text.find('.') != std::string::npos ? text : text.substr(0, mantissa) + ".0" + text.substr(mantissa);
}

void emitter_string(YAML::Emitter& out, const std::string& text) {
  bool templated = text.find("{{") != std::string::npos || text.find("{%") != std::string::npos ||
                   text.find("{#") != std::string::npos;
  if (plain_scalar_is_string(text) && !templated) {
    out << text;
  } else {
    out << YAML::DoubleQuoted << text;
  }
}

void emitter_value(YAML::Emitter& out, const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key;
        emitter_string(out, key);
        out << YAML::Value;
        emitter_value(out, item);
      }
      out << YAML::EndMap;
      break;
    case json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& item : value) emitter_value(out, item);
      out << YAML::EndSeq;
      break;
    case json::value_t::string: emitter_string(out, value.get_ref<const std::string&>()); break;
    case json::value_t::boolean: out << value.get<bool>(); break;
    case json::value_t::number_integer: out << value.get<std::int64_t>(); break;
    case json::value_t::number_unsigned: out << value.get<std::uint64_t>(); break;
    case json::value_t::number_float: out << emitter_float_text(value.get<double>()); break;
    default: out << YAML::Null; break;
  }
}

std::string emitter_yaml(const json& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetNullFormat(YAML::LowerNull);
  out.SetMapFormat(YAML::Block);
  out.SetSeqFormat(YAML::Block);
  emitter_value(out, value);
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

void expect_written_as_yaml_cpp_wrote(const json& value, const std::string& what) {
  std::string expected = emitter_yaml(value);
  std::string actual = to_yaml(value);
  EXPECT_EQ(actual, expected) << what << ": " << value.dump(-1, ' ', false, json::error_handler_t::replace);
}

TEST(YamlWriter, SeededRandomValuesAreWrittenByteForByteAsYamlCppsEmitterWroteThem) {
  testing::RandomJson random(20261206);
  for (int i = 0; i < 4000 && !HasFailure(); ++i) {
    expect_written_as_yaml_cpp_wrote(random.value(4), "value " + std::to_string(i));
  }
}

TEST(YamlWriter, EveryJsonAndYamlFileOfTheSharedTestDataIsWrittenAsYamlCppsEmitterWroteIt) {
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(CONVERGE_SHARED_TESTDATA)) {
    if (!entry.is_regular_file() || entry.file_size() > (1u << 20)) continue;
    std::string ext = entry.path().extension().string();
    if (ext != ".json" && ext != ".yaml" && ext != ".yml") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    json value;
    if (ext == ".json") {
      value = json::parse(text.str(), nullptr, false);
      if (value.is_discarded()) continue;
    } else {
      auto parsed = parse_yaml(text.str(), entry.path().string());
      if (!parsed) continue;
      value = json::parse(parsed->dump(-1, ' ', false, json::error_handler_t::replace));
    }
    expect_written_as_yaml_cpp_wrote(value, entry.path().string());
    ++files;
  }
  EXPECT_GT(files, 400);  // the shared set holds ~500 such files: a wrong path must fail, not pass empty
}

TEST(YamlWriter, CollectionsAreBlockStyleWithEmptyOnesOnTheirOwnLine) {
  EXPECT_EQ(to_yaml(json::parse(R"({"a": {}, "b": [], "c": [[], {}, [1, [2]], {"x": []}], "d": {"e": 1}})")),
            "a:\n  {}\nb:\n  []\nc:\n  -\n    []\n  - {}\n  -\n    - 1\n    -\n      - 2\n  - x:\n      []\n"
            "d:\n  e: 1\n");
  EXPECT_EQ(to_yaml(json::object()), "{}\n");
  EXPECT_EQ(to_yaml(json::array()), "[]\n");
  EXPECT_EQ(to_yaml(nullptr), "null\n");
}

TEST(YamlWriter, StringsAreQuotedWhenPlainTextWouldReadAsSomethingElse) {
  EXPECT_EQ(to_yaml(json::parse(R"({"k": ["yes", "1.0", "", "a: b", "- x", "x ", "{{ v }}", "line\nbreak", "é\u0085"]})")),
            "k:\n  - \"yes\"\n  - \"1.0\"\n  - \"\"\n  - \"a: b\"\n  - \"- x\"\n  - \"x \"\n  - \"{{ v }}\"\n"
            "  - \"line\\nbreak\"\n  - é\xC2\x85\n");
  EXPECT_EQ(to_yaml(json{{"t", "\x01\xC2\x80\xEF\xBB\xBF"}}), "t: \"\\x01\\x80\\ufeff\"\n");
  // Every first character PyYAML's resolvers start from, typed and not.
  for (const char* typed : {"Yes", "No", "NULL", "True", "false", "ON", "Off", "~", "+1", "-2", ".5", "-.inf",
                            "0b1", "017", "9", "1:20"})
    EXPECT_EQ(to_yaml(json(typed)), "\"" + std::string(typed) + "\"\n") << typed;
  for (const char* text : {"Yesterday", "Nope", "nan", "Truth", "often", "+x", "-", ".x", "0o8", "9a", "x1"})
    EXPECT_EQ(to_yaml(json(text)), std::string(text) == "-" ? "\"-\"\n" : std::string(text) + "\n") << text;
}

TEST(YamlWriter, AKeyLongerThan1024BytesIsWrittenAsAnExplicitKey) {
  std::string key(1025, 'k');
  EXPECT_EQ(to_yaml(json{{key, json{1, 2}}}), "? " + key + "\n: - 1\n  - 2\n");
  EXPECT_EQ(to_yaml(json{{std::string(1024, 'k'), 1}}), std::string(1024, 'k') + ": 1\n");
}

}  // namespace
}  // namespace converge::tmpl
