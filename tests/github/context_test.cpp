// The run context is read once from an environ array; the event payload is read
// after the flags (never for --help) and every field converge uses is checked.
#include <gtest/gtest.h>

#include "converge/github/context.hpp"
#include "support/temp_dir.hpp"

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

// ---- the event payload --------------------------------------------------------

const std::string kSha = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

std::string pull_event(const std::string& number, const std::string& sha = "\"" + kSha + "\"") {
  return R"({"action": "opened", "pull_request": {"number": )" + number + R"(, "base": {"ref": "main"},
             "head": {"sha": )" + sha + R"(}}, "repository": {"default_branch": "main"}})";
}

std::string event_error(const std::string& text) {
  auto event = parse_event(text, "GITHUB_EVENT_PATH /x/event.json");
  if (event) return "";
  EXPECT_EQ(event.error().code, ExitCode::usage) << event.error().message;
  return event.error().message;
}

TEST(Event, EveryRecordedPayloadOfGithubReads) {
  int read = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(CONVERGE_SHARED_TESTDATA) + "/github-events")) {
    if (entry.path().extension() != ".json") continue;
    auto event = read_event(entry.path().string());
    ASSERT_TRUE(event) << event.error().message;
    ++read;
  }
  EXPECT_GE(read, 5);
  auto pr = read_event(std::string(CONVERGE_SHARED_TESTDATA) +
                       "/github-events/octokit-webhooks/pull_request/opened.payload.json");
  ASSERT_TRUE(pr && pr->pull_request);
  EXPECT_EQ(pr->pull_request->number, 2);
  EXPECT_EQ(pr->pull_request->base_ref, "master");
  EXPECT_EQ(pr->pull_request->head_sha, kSha);
  EXPECT_EQ(pr->default_branch, "master");
  auto push = read_event(std::string(CONVERGE_SHARED_TESTDATA) +
                         "/github-events/reallyfastci/push/webhook-push-to-master.json");
  ASSERT_TRUE(push);
  EXPECT_EQ(push->ref, "refs/heads/master");
  EXPECT_EQ(push->before.size(), 40u);
  EXPECT_FALSE(push->pull_request);
}

TEST(Event, AFieldOfTheWrongTypeIsNamedWithTheSource) {
  EXPECT_EQ(event_error(pull_event("\"5\"")),
            "GITHUB_EVENT_PATH /x/event.json: pull_request.number: expected an integer, got \"5\"");
  EXPECT_EQ(event_error(pull_event("5.7")),
            "GITHUB_EVENT_PATH /x/event.json: pull_request.number: expected an integer, got 5.7")
      << "never truncated to 5";
  EXPECT_EQ(event_error(pull_event("5", "null")), "GITHUB_EVENT_PATH /x/event.json: pull_request.head.sha: missing");
  EXPECT_EQ(event_error(pull_event("5", "42")),
            "GITHUB_EVENT_PATH /x/event.json: pull_request.head.sha: expected a 40-digit hexadecimal commit SHA, got 42");
  EXPECT_NE(event_error(pull_event("5", "\"" + kSha + " plan=x -->\"")).find("pull_request.head.sha: expected"),
            std::string::npos)
      << "a SHA with more in it never reaches the comment marker";
  EXPECT_NE(event_error(pull_event("18446744073709551615")).find("expected an integer within 64 bits"),
            std::string::npos);
  EXPECT_NE(event_error(pull_event("1e30")).find("pull_request.number: expected an integer"), std::string::npos);
  EXPECT_NE(event_error(pull_event("0")).find("pull_request.number: expected a positive integer, got 0"),
            std::string::npos);
  EXPECT_NE(event_error(pull_event("-3")).find("expected a positive integer"), std::string::npos);
  EXPECT_EQ(event_error(R"({"pull_request": {"number": 5, "head": {"sha": ")" + kSha + R"("}}})"),
            "GITHUB_EVENT_PATH /x/event.json: pull_request.base: missing");
  EXPECT_EQ(event_error(R"({"pull_request": "#5"})"),
            "GITHUB_EVENT_PATH /x/event.json: pull_request: expected an object, got \"#5\"");
  EXPECT_EQ(event_error(R"({"before": 7})"),
            "GITHUB_EVENT_PATH /x/event.json: before: expected a 40-digit hexadecimal commit SHA, got 7");
  EXPECT_EQ(event_error(R"({"ref": ["refs/heads/main"]})"),
            "GITHUB_EVENT_PATH /x/event.json: ref: expected a string, got [\"refs/heads/main\"]");
  EXPECT_EQ(event_error(R"({"repository": {"default_branch": false}})"),
            "GITHUB_EVENT_PATH /x/event.json: repository.default_branch: expected a string, got false");
}

TEST(Event, ALongValueIsShownShortened) {
  auto message = event_error(pull_event("\"" + std::string(5000, '7') + "\""));
  EXPECT_NE(message.find("pull_request.number: expected an integer, got \"777"), std::string::npos);
  EXPECT_LT(message.size(), 200u);
}

TEST(Event, ADocumentThatIsNoJsonObjectIsAUsageError) {
  EXPECT_EQ(event_error("{\"pull_request\": "), "GITHUB_EVENT_PATH /x/event.json: not valid JSON");
  EXPECT_EQ(event_error("[1, 2]"), "GITHUB_EVENT_PATH /x/event.json: the document: expected an object, got [1,2]");
  EXPECT_EQ(event_error(""), "GITHUB_EVENT_PATH /x/event.json: not valid JSON");
  EXPECT_EQ(event_error("{}"), "") << "an event without the fields converge reads is fine";
  EXPECT_EQ(event_error(R"({"pull_request": null, "before": null})"), "");
}

TEST(Event, ReadingTheEnvironmentNeverReadsTheEventFile) {
  testing::TempDir dir;
  const std::string variable = "GITHUB_EVENT_PATH=" + dir.path().string();
  const char* env[] = {variable.c_str(), nullptr};
  auto ctx = RunContext::from_environment(const_cast<char**>(env));  // a directory: must not throw
  EXPECT_EQ(ctx.event_path, dir.path().string());
  auto loaded = ctx.load_event();
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ExitCode::usage);
  EXPECT_EQ(loaded.error().message, "GITHUB_EVENT_PATH: cannot read " + dir.path().string() + ": it is a directory");
}

TEST(Event, LoadingAMissingOrHugePayloadNamesTheVariableAndPath) {
  testing::TempDir dir;
  RunContext ctx;
  ctx.event_path = (dir / "missing.json").string();
  auto missing = ctx.load_event();
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message.find("GITHUB_EVENT_PATH: cannot read " + ctx.event_path), 0u)
      << missing.error().message;
  ctx.event_path = "/dev/zero";
  auto endless = ctx.load_event();
  ASSERT_FALSE(endless);
  EXPECT_NE(endless.error().message.find("larger than"), std::string::npos) << endless.error().message;
  dir.write("event.json", pull_event("12"));
  ctx.event_path = (dir / "event.json").string();
  ASSERT_TRUE(ctx.load_event());
  EXPECT_EQ(ctx.event.pull_request->number, 12);
  ctx.event_path.clear();
  EXPECT_TRUE(ctx.load_event()) << "no payload outside a runner";
}

TEST(RunContext, RunnerValuesThatGoIntoApiPathsAreChecked) {
  RunContext ctx;
  EXPECT_TRUE(ctx.check()) << "outside a runner everything is empty";
  ctx.repository = "octo-org/octo.repo_1";
  ctx.run_id = "1234567890";
  ctx.run_attempt = "2";
  EXPECT_TRUE(ctx.check());
  for (const std::string repository : {"octo-org", "octo-org/repo/pulls/1", "../x", "o/..", "o/r?x=1", "/r", "o/"}) {
    ctx.repository = repository;
    auto checked = ctx.check();
    ASSERT_FALSE(checked) << repository;
    EXPECT_EQ(checked.error().code, ExitCode::usage);
    EXPECT_EQ(checked.error().message, "GITHUB_REPOSITORY: expected owner/name, got \"" + repository + "\"");
  }
  ctx.repository = "o/r";
  ctx.run_id = "12/../../x";
  EXPECT_EQ(ctx.check().error().message, "GITHUB_RUN_ID: expected a number, got \"12/../../x\"");
  ctx.run_id = "1";
  ctx.run_attempt = "-1";
  EXPECT_FALSE(ctx.check());
}

}  // namespace
}  // namespace converge::github
