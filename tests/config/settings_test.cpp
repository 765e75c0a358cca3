// Typed settings access: wrong types and unknown keys name the value's location.
#include <gtest/gtest.h>

#include "converge/config/settings.hpp"

namespace converge::config {
namespace {

Settings sample() {
  Settings s({"converge.yaml", 3, 5});
  s.set("url", {"sqlite:///x.db", {"converge.yaml", 4, 12}});
  s.set("strict", {"yes", {"converge.yaml", 5, 15}});
  return s;
}

TEST(Settings, ReturnsValuesAndDefaults) {
  auto s = sample();
  EXPECT_EQ(s.string("url").value(), "sqlite:///x.db");
  EXPECT_EQ(s.string_or("migrations", "db/migrations").value(), "db/migrations");
  EXPECT_EQ(s.integer_or("timeout", 7).value(), 7);
}

TEST(Settings, WrongTypeNamesTheValueLocation) {
  auto b = sample().boolean_or("strict", true);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().to_string(), "converge.yaml:5:15: setting 'strict' must be true or false");
}

TEST(Settings, MissingRequiredKeyNamesTheTarget) {
  auto v = sample().string("snapshot");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().to_string(), "converge.yaml:3:5: missing setting 'snapshot'");
}

TEST(Settings, UnknownKeyIsRejected) {
  auto ok = sample().allow_only({"url"});
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().to_string(), "converge.yaml:5:15: unknown setting 'strict' (known: url)");
  EXPECT_TRUE(sample().allow_only({"url", "strict"}));
}

}  // namespace
}  // namespace converge::config
