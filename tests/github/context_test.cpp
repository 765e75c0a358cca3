// The run context is read once from an environ array.
#include <gtest/gtest.h>

#include "converge/github/context.hpp"

namespace converge::github {
namespace {

TEST(RunContext, ReadsTheRunnerVariables) {
  const char* env[] = {"GITHUB_ACTIONS=true",        "GITHUB_REPOSITORY=acme/shop", "GITHUB_RUN_ID=42",
                       "GITHUB_RUN_ATTEMPT=2",       "GITHUB_SERVER_URL=https://ghe.example.com",
                       "GITHUB_ACTOR=alice",         "EMPTY=",                      "WEIRD=a=b",
                       nullptr};
  auto ctx = RunContext::from_environment(const_cast<char**>(env));
  EXPECT_TRUE(ctx.in_actions);
  EXPECT_EQ(ctx.actor, "alice");
  EXPECT_EQ(ctx.run_url(), "https://ghe.example.com/acme/shop/actions/runs/42/attempts/2");
  EXPECT_EQ(ctx.variable("EMPTY"), "");
  EXPECT_EQ(ctx.variable("WEIRD"), "a=b");
  EXPECT_EQ(ctx.variable("MISSING"), std::nullopt);
}

TEST(RunContext, OutsideARunnerHasNoRunUrlAndUsesUser) {
  const char* env[] = {"USER=bob", nullptr};
  auto ctx = RunContext::from_environment(const_cast<char**>(env));
  EXPECT_FALSE(ctx.in_actions);
  EXPECT_EQ(ctx.actor, "bob");
  EXPECT_EQ(ctx.run_url(), "");
}

}  // namespace
}  // namespace converge::github
