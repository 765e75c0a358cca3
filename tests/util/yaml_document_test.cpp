// util::load_yaml, the one YAML reader: syntax errors, key checks and the budget on
// alias expansion ("billion laughs") all end in Error::config at file:line.
#include <gtest/gtest.h>

#include <string>

#include "converge/util/yaml_document.hpp"
#include "support/yaml_bomb.hpp"

namespace converge::util {
namespace {

TEST(YamlDocument, BillionLaughsIsRefusedAtTheFirstAnchorBeyondTheBudget) {
  auto doc = load_yaml(testing::billion_laughs(), "env/prod.yaml");
  ASSERT_FALSE(doc);
  ASSERT_TRUE(doc.error().where);
  EXPECT_EQ(doc.error().where->file, "env/prod.yaml");
  EXPECT_EQ(doc.error().where->line, 7) << "l6 stands for 10^6 leaves plus its lists: the first beyond 1,000,000 nodes";
  EXPECT_EQ(doc.error().where->column, 5) << "where its anchor starts";
  EXPECT_NE(doc.error().message.find("more than 1000000 nodes"), std::string::npos) << doc.error().message;
  EXPECT_EQ(doc.error().code, ExitCode::usage);
}

TEST(YamlDocument, AFewBigScalarsRepeatedByAliasesHitTheByteBudget) {
  // 100 aliases of one 1 MiB scalar: few nodes, 100 MiB once expanded.
  std::string text = "big: &b " + std::string(1 << 20, 'x') + "\nmany: [";
  for (int i = 0; i < 100; ++i) text += std::string(i ? ", " : "") + "*b";
  text += "]\n";
  auto doc = load_yaml(text, "x.yaml");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().where->line, 2);
  EXPECT_NE(doc.error().message.find("64 MiB of text"), std::string::npos) << doc.error().message;
}

TEST(YamlDocument, AliasesWithinTheBudgetLoad) {
  auto doc = load_yaml(testing::billion_laughs("", 5), "x.yaml");  // 10^5 leaves
  ASSERT_TRUE(doc) << doc.error().to_string();
  EXPECT_EQ((*doc)["l5"].size(), 10u);
  auto merge = load_yaml("base: &b {k: 1}\nitem:\n  <<: *b\n  j: 2\n", "x.yaml");
  ASSERT_TRUE(merge) << merge.error().to_string();
}

TEST(YamlDocument, SyntaxDuplicateAndComplexKeyErrorsNameFileAndLine) {
  auto syntax = load_yaml("a: [1, 2\nb: 3\n", "c.yaml");
  ASSERT_FALSE(syntax);
  EXPECT_NE(syntax.error().message.find("invalid YAML"), std::string::npos) << syntax.error().message;
  EXPECT_GT(syntax.error().where->line, 0);
  auto duplicate = load_yaml("a: 1\nb: 2\na: 3\n", "c.yaml");
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().where->line, 3);
  auto complex = load_yaml("a: 1\n? [x, y]\n: 2\n", "c.yaml");
  ASSERT_FALSE(complex);
  EXPECT_EQ(complex.error().where->line, 2);
  EXPECT_NE(complex.error().message.find("must be a plain value"), std::string::npos);
}

TEST(YamlDocument, AValueThatIsNotUtf8IsAnErrorAtItsLine) {
  for (std::string bad : {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"}) {
    auto doc = load_yaml("ok: Grüße 😀\nkey:\n  nested: [a, \"x" + bad + "y\"]\n", "v.yaml");
    ASSERT_FALSE(doc) << "accepted bytes " << bad.size();
    EXPECT_EQ(doc.error().where->line, 3);
    EXPECT_NE(doc.error().message.find("invalid UTF-8"), std::string::npos) << doc.error().message;
  }
  auto key = load_yaml("\xff: 1\n", "v.yaml");
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().where->line, 1);
}

TEST(YamlDocument, DeepNestingIsAnErrorNotAStackOverflow) {
  auto doc = load_yaml(std::string(100000, '[') + std::string(100000, ']'), "deep.yaml");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().where->file, "deep.yaml");
}

}  // namespace
}  // namespace converge::util
