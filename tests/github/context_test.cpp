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

TEST(RunContext, TheIntegrationLoginComesFromTheEnvironmentThenTheInputElseGithubActions) {
  const char* none[] = {"GITHUB_ACTIONS=true", nullptr};
  EXPECT_EQ(RunContext::from_environment(const_cast<char**>(none)).github_login, "github-actions[bot]");
  const char* input[] = {"INPUT_GITHUB-LOGIN=deploy-app[bot]", nullptr};
  EXPECT_EQ(RunContext::from_environment(const_cast<char**>(input)).github_login, "deploy-app[bot]");
  const char* both[] = {"INPUT_GITHUB-LOGIN=deploy-app[bot]", "CONVERGE_GITHUB_LOGIN= other-app[bot] ", nullptr};
  EXPECT_EQ(RunContext::from_environment(const_cast<char**>(both)).github_login, "other-app[bot]");
  const char* empty[] = {"CONVERGE_GITHUB_LOGIN=", "INPUT_GITHUB-LOGIN=  ", nullptr};
  EXPECT_EQ(RunContext::from_environment(const_cast<char**>(empty)).github_login, "github-actions[bot]")
      << "an empty login is no login";
}

}  // namespace
}  // namespace converge::github
