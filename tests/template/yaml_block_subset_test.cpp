// read_block_subset, the reader parse_yaml tries before yaml-cpp, reads what it
// accepts exactly as yaml-cpp (with converge's PyYAML typing) reads it, and declines
// the rest: checked on hand-written documents of the subset's shapes, on to_yaml of
// seeded values, and on thousands of seeded edits of those (an edit may leave the
// subset, break the YAML, or change what it means).
#include <gtest/gtest.h>

#include <random>

#include "converge/template/yaml.hpp"
#include "converge/template/yaml_block_subset.hpp"
#include "support/random_json.hpp"

namespace converge::tmpl {
namespace {

using ojson = nlohmann::ordered_json;

const char* const kSubsetDocuments[] = {
    // a Superset .yaml keeping Jinja for Superset, and brackets inside values
    "slice_name: Revenue for {{ filter_values('region') }}\nparams:\n  where: region IN {{ regions }}\n"
    "  label: total[0] {x}\n",
    // the benchmark's chart, rendered (bench/support.cpp, make_asset_repo)
    "dataset_name: none\nparams:\n  metric: sum__amount_cents\n  host: \"warehouse-dev.internal\"\n  filters:\n"
    "    - col: region\n      op: in\n      val: [eu, us, apac]\nslice_name: Chart 1 for warehouse-dev.internal\n"
    "uuid: 9c2b4e6f-3a1d-4b8c-a5e7-000000000001\nviz_type: big_number_total\n"
    "description: \"A chart that shows the revenue of region 1: summed, in cents\"\n",
    // PyYAML's layout: sequences at their key's indent, single quotes, typed words
    "slice_name: Games per Genre\nviz_type: treemap\nparams:\n  groupby:\n  - genre\n  - platform\n  metrics:\n"
    "  - count\n  row_limit: 10\n  ratio: 1.618033988749895\n  show: true\n  opacity: .5\n  note: 'it''s ~ fine'\n"
    "  empty: ''\n  none: ~\n  nothing:\n  octal: 017\n  hex: 0x1F\n  time: 1:30\n  inf: -.inf\n  date: 2001-12-14\n"
    "cache_timeout: null\nversion: 1.0.0\nuuid: 2b5e7b3a-0000-4000-8000-000000000001\n",
    // nesting: mappings in sequences in mappings, flow sequences, empty ones
    "a:\n  - x: 1\n    y:\n      - [1, 2.5, yes, off, -3]\n      - []\n    z:\n    - k: v\n  - plain text, with commas\n"
    "  - \"quoted: text\"\nb: end\n",
    "- 1\n- two\n- key: value\n  other: [a,b]\n- x\n",
    "top:\n  deep:\n    deeper:\n      deepest: 1\n  back: 2\nlast: end\n",
};

// The same document read twice must give the same JSON, numbers' types included.
void expect_as_yaml_cpp_reads_it(const std::string& text, int& accepted, const std::string& what) {
  auto subset = read_block_subset(text);
  if (!subset) return;
  ++accepted;
  auto full = parse_yaml_with_yaml_cpp(text, "x.yaml");
  ASSERT_TRUE(full) << what << ": the subset reader took a text yaml-cpp refuses (" << full.error().to_string()
                    << "):\n" << text;
  EXPECT_EQ(subset->dump(), full->dump()) << what << ":\n" << text;
}

// An asset-like value: simple keys, sequences of scalars or mappings, any scalar.
nlohmann::json asset_like(testing::RandomJson& random, int depth) {
  static const char* const keys[] = {"a", "b", "slice_name", "0", "x1", "y-2", "k.k", "a/b", "uuid", "null"};
  static const char* const words[] = {"text", "two words", "1.5", "yes", "-7", "0x1F", "~", "null", "a:b", "it's",
                                      "http://x/y?z=1", "(x)", "$5", "+1", "1_000", "2001-12-14", ".inf", "a, b", "",
                                      "1:30", "-", "a - b", "{{ v }}", " lead", "trail ", "x\"y", "Off", "0.0",
                                      "Chart for {{ v }}", "a[0]", "x{y}", "sum(a) [b]", "a,b]", "t}", "q {x: 1}"};
  switch (depth > 0 ? random.below(4) : 0) {
    case 0: return random.below(3) == 0 ? random.value(0) : nlohmann::json(words[random.below(std::size(words))]);
    case 1: {
      nlohmann::json out = nlohmann::json::array();
      for (std::uint32_t n = random.below(4); n > 0; --n) out.push_back(asset_like(random, random.below(2) ? 0 : depth - 1));
      return out;
    }
    default: {
      nlohmann::json out = nlohmann::json::object();
      for (std::uint32_t n = random.below(5); n > 0; --n) out[keys[random.below(10)]] = asset_like(random, depth - 1);
      return out;
    }
  }
}

std::string edited(std::string text, std::mt19937& engine) {
  static const std::string inserts[] = {" ", "  ", ":", ": ", "-", "- ", "'", "\"", "[", "]", ",", "a", "1", "\n",
                                        "\n  ", "~", ".", "x: y", "\n- ", "? ", "#", "{", "}", "{{ v }}", "[x]"};
  for (int edits = 1 + static_cast<int>(engine() % 3); edits > 0 && !text.empty(); --edits) {
    std::size_t at = engine() % text.size();
    switch (engine() % 3) {
      case 0: text.erase(at, 1 + engine() % 3); break;
      case 1: text.insert(at, inserts[engine() % std::size(inserts)]); break;
      default: {  // re-indent a line
        std::size_t line = text.rfind('\n', at);
        line = line == std::string::npos ? 0 : line + 1;
        if (engine() % 2 == 0 && text[line] == ' ') {
          text.erase(line, 1);
        } else {
          text.insert(line, engine() % 2 == 0 ? " " : "  ");
        }
      }
    }
  }
  return text;
}

TEST(YamlBlockSubset, WhatItAcceptsReadsAsYamlCppReadsItOnDocumentsValuesAndEditsOfThem) {
  std::vector<std::string> bases(std::begin(kSubsetDocuments), std::end(kSubsetDocuments));
  testing::RandomJson random(42, true);
  for (int i = 0; i < 600; ++i) {
    nlohmann::json item = nlohmann::json::object();
    for (int k = 0; k < 4; ++k) item["k" + std::to_string(k)] = asset_like(random, 3);
    bases.push_back(to_yaml(item));
  }
  int accepted = 0;
  std::mt19937 engine(15);
  for (std::size_t b = 0; b < bases.size() && !HasFailure(); ++b) {
    expect_as_yaml_cpp_reads_it(bases[b], accepted, "document " + std::to_string(b));
    for (int e = 0; e < 40 && !HasFailure(); ++e)
      expect_as_yaml_cpp_reads_it(edited(bases[b], engine), accepted, "edit of document " + std::to_string(b));
  }
  EXPECT_GT(accepted, 2000);  // the comparison must not pass by declining everything
}

TEST(YamlBlockSubset, TheDocumentsOfItsShapesAreAllTaken) {
  for (const char* text : kSubsetDocuments) EXPECT_TRUE(read_block_subset(text)) << text;
}

TEST(YamlBlockSubset, AnythingElseIsLeftToYamlCpp) {
  for (const char* text : {"a: 1\na: 2\n",               // a duplicate key: yaml-cpp's reader names it
                           "a: &x 1\nb: *x\n",           // anchors and aliases (the expansion budget)
                           "a: 1 # note\n",              // comments
                           "a: \"tab\\there\"\n",        // escapes
                           "a: |\n  text\n",             // block scalars
                           "a: {b: 1}\n",                // flow mappings
                           "a: 99999999999999999999\n",  // an integer beyond 64 bits: yaml-cpp's error
                           "a: caf\xC3\xA9\n",           // beyond ASCII
                           "a: long\n  continued\n",     // a plain scalar over two lines
                           "NULL: 1.5\n",               // yaml-cpp reads a plain null key as a null node
                           "a: 1\r\nb: 2\r\n", "<<: {a: 1}\n", "- - a\n", "a:\tb\n", "  a: 1\n", "just text\n"})
    EXPECT_FALSE(read_block_subset(text)) << text;
}

}  // namespace
}  // namespace converge::tmpl
