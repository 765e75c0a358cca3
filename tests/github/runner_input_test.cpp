// The step executables against broken runner input and unusual output targets:
// an event payload that is a directory or has fields of the wrong type, --help
// that never reads the event, a head SHA that is not one, and --out to standard
// output, a symlink to it, or a directory.
#include <sys/stat.h>

#include <filesystem>

#include "steps/repo_fixture.hpp"

namespace converge::testing {
namespace {

namespace fs = std::filesystem;
using RunnerInput = RepoTest;

const std::string kSha = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

size_t lines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

TEST_F(RunnerInput, HelpAndVersionNeverReadTheEventPayload) {
  const std::map<std::string, std::string> env = {{"GITHUB_EVENT_PATH", dir_.path().string()}};  // a directory
  for (const std::string step : {"converge-plan", "converge-plan-comment", "converge-apply"}) {
    auto help = run_step(step, {"--help"}, dir_.path(), env);
    EXPECT_EQ(help.exit_code, 0) << step << ": " << help.err;
    EXPECT_NE(help.out.find("Usage"), std::string::npos) << help.out;
    EXPECT_EQ(run_step(step, {"--version"}, dir_.path(), env).exit_code, 0) << step;
  }
  EXPECT_EQ(run_step("converge", {"plan", "--help"}, dir_.path(), env).exit_code, 0);
}

TEST_F(RunnerInput, AnEventPathThatIsADirectoryIsOneUsageLineNamingTheVariableAndPath) {
  auto r = converge({"plan", "--env", "dev", "--out", "plan.json"}, {{"GITHUB_EVENT_PATH", dir_.path().string()}});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(r.err, "error: GITHUB_EVENT_PATH: cannot read " + dir_.path().string() + ": it is a directory\n");
  EXPECT_FALSE(fs::exists(dir_ / "plan.json")) << "nothing done";
}

TEST_F(RunnerInput, AnEventFieldOfTheWrongTypeNamesTheFieldAndExitsTwo) {
  struct Case {
    std::string pull;
    std::string message;
  };
  const std::string event = (dir_ / "event.json").string();
  for (const auto& [pull, message] : std::vector<Case>{
           {R"({"number": "5", "base": {"ref": "dev"}, "head": {"sha": ")" + kSha + "\"}}",
            "pull_request.number: expected an integer, got \"5\""},
           {R"({"number": 5.7, "base": {"ref": "dev"}, "head": {"sha": ")" + kSha + "\"}}",
            "pull_request.number: expected an integer, got 5.7"},
           {R"({"number": 5, "base": {"ref": "dev"}, "head": {"sha": null}})", "pull_request.head.sha: missing"},
           {R"({"number": 5, "base": {"ref": "dev"}, "head": {"sha": ")" + kSha + R"( plan=x -->"}})",
            "pull_request.head.sha: expected a 40-digit hexadecimal commit SHA"}}) {
    dir_.write("event.json", R"({"pull_request": )" + pull + "}");
    auto r = converge({"plan-comment", "--dry-run", "--env", "dev"},
                      {{"GITHUB_EVENT_PATH", event}, {"GITHUB_EVENT_NAME", "pull_request"}});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("error: GITHUB_EVENT_PATH " + event + ": " + message), std::string::npos) << r.err;
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_EQ(r.out.find("converge:plan"), std::string::npos) << "no comment previewed";
  }
}

TEST_F(RunnerInput, AHeadShaFlagThatIsNoShaNeverReachesTheCommentMarker) {
  auto r = converge({"plan-comment", "--dry-run", "--env", "dev", "--pr", "5", "--head-sha", "abc plan=x -->"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--head-sha: expected a 40-digit hexadecimal commit SHA, got \"abc plan=x -->\""),
            std::string::npos)
      << r.err;
  auto ok = converge({"plan-comment", "--dry-run", "--env", "dev", "--pr", "5", "--head-sha", kSha});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("<!-- converge:plan v=1 env=dev sha=" + kSha + " plan="), std::string::npos) << ok.out;
}

TEST_F(RunnerInput, OutDashAndASymlinkToStandardOutputPrintThePlan) {
  auto dash = converge({"plan", "--env", "dev", "--out", "-"});
  EXPECT_EQ(dash.exit_code, 0) << dash.err;
  EXPECT_NE(dash.out.find("\"environment\": \"dev\""), std::string::npos) << dash.out;
  EXPECT_FALSE(fs::exists(dir_ / "-"));

  // /dev/stdout is a symlink to /proc/self/fd/1; this one is too (and is ours to check).
  fs::create_symlink("/proc/self/fd/1", dir_ / "stdout");
  auto linked = converge({"plan", "--env", "dev", "--out", "stdout"});
  EXPECT_EQ(linked.exit_code, 0) << linked.err;
  EXPECT_NE(linked.out.find("\"environment\": \"dev\""), std::string::npos) << linked.out;
  EXPECT_NE(linked.out.find("1 to create"), std::string::npos) << "what was printed before stays";
  EXPECT_TRUE(fs::is_symlink(dir_ / "stdout")) << "the link was replaced by a file";
  EXPECT_EQ(fs::read_symlink(dir_ / "stdout"), "/proc/self/fd/1");

  auto dev = converge({"plan", "--env", "dev", "--out", "/dev/stdout"});
  EXPECT_EQ(dev.exit_code, 0) << dev.err;
  EXPECT_NE(dev.out.find("\"environment\": \"dev\""), std::string::npos) << dev.out;
  EXPECT_TRUE(fs::is_symlink("/dev/stdout"));
}

TEST_F(RunnerInput, OutToADirectoryIsAUsageErrorNamingIt) {
  fs::create_directory(dir_ / "plans");
  auto r = converge({"plan", "--env", "dev", "--out", "plans"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("cannot write plans: it is a directory"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_directory(dir_ / "plans"));
}

}  // namespace
}  // namespace converge::testing
