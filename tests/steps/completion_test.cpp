// `converge completion bash|zsh` and `converge man DIR`: generated from every step's
// own flags (--flags-json), so they cannot drift from --help. The bash script is
// driven as bash's programmable completion drives it; the man pages go through
// groff with warnings on.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "../../steps/converge/man_page.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"

namespace converge::testing {
namespace {

const std::vector<std::string> kSteps = {"plan",     "plan-comment", "apply",   "drift-verify", "record-manifest",
                                         "describe", "export-to-pr", "compile", "render",       "secret-names"};

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The long flags `converge-<step> --help` prints.
std::set<std::string> help_flags(const std::string& step) {
  auto help = run_step("converge-" + step, {"--help"}, std::filesystem::current_path());
  EXPECT_EQ(help.exit_code, 0) << help.err;
  std::set<std::string> flags;
  static const std::regex flag(R"(^\s+(?:-\w, )?--([a-z0-9-]+))");
  std::istringstream lines(help.out);
  for (std::string line; std::getline(lines, line);)
    if (std::smatch m; std::regex_search(line, m, flag)) flags.insert(m[1]);
  return flags;
}

class Completion : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = run_step("converge", {"completion", "bash"}, dir_.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    dir_.write("converge.bash", r.out);
    dir_.write("converge.yaml", "version: 1\nenvironments:\n  - name: dev\n    branch: \"dev/**\"\n"
                                "  - {name: prod, branch: main}\ntargets: []\n");
  }
  // What bash offers for the words typed so far (the last one being completed).
  std::string complete(const std::string& words) {
    auto r = run_step("/bin/bash", {"-c", "source ./converge.bash; COMP_WORDS=(" + words +
                                              "); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ));"
                                              " case ${COMP_WORDS[0]} in converge) _converge;; *) _converge_direct;;"
                                              " esac; echo \"${COMPREPLY[*]}\""},
                      dir_.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  }
  TempDir dir_;
};

TEST_F(Completion, StepNamesAfterConverge) {
  EXPECT_EQ(complete("converge pl"), "plan plan-comment");
  EXPECT_EQ(complete("converge re"), "record-manifest render");
}

TEST_F(Completion, EveryFlagHelpShowsIsOfferedForItsStep) {
  for (const auto& step : kSteps) {
    const auto offered = complete("converge " + step + " ''");
    for (const auto& flag : help_flags(step))
      EXPECT_NE((" " + offered + " ").find(" --" + flag + " "), std::string::npos) << step << " --" << flag;
  }
  EXPECT_EQ(complete("converge-plan --o"), "--out");
}

TEST_F(Completion, EnvironmentNamesComeFromConvergeYamlInBothStyles) {
  EXPECT_EQ(complete("converge plan --env ''"), "dev prod");
  EXPECT_EQ(complete("converge-apply -e p"), "prod");
  dir_.write("other.yaml", "environments:\n  - name: qa\n");
  EXPECT_EQ(complete("converge plan --config other.yaml --env ''"), "qa");
}

TEST_F(Completion, AFlagThatTakesAPathCompletesFiles) {
  EXPECT_EQ(complete("converge plan --out conv"), "converge.bash converge.yaml");
}

TEST(CompletionScript, ZshLoadsTheSameFunctionsThroughBashcompinit) {
  TempDir dir;
  auto r = run_step("converge", {"completion", "zsh"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("#compdef converge converge-plan")) << r.out.substr(0, 80);
  EXPECT_NE(r.out.find("bashcompinit"), std::string::npos);
  EXPECT_EQ(run_step("converge", {"completion", "fish"}, dir.path()).exit_code, 2);
  EXPECT_EQ(run_step("converge", {"man"}, dir.path()).exit_code, 2);
}

TEST(ManPages, OnePerStepEachWithEveryFlagAndNoGroffWarnings) {
  TempDir dir;
  auto r = run_step("converge", {"man", "man1"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& step : kSteps) {
    const auto page = dir.path() / "man1" / ("converge-" + step + ".1");
    const auto text = read(page);
    ASSERT_FALSE(text.empty()) << page;
    for (const auto& flag : help_flags(step)) {
      std::string escaped = "\\-\\-" + std::regex_replace(flag, std::regex("-"), "\\-");
      EXPECT_NE(text.find(escaped), std::string::npos) << page << " lacks --" << flag;
    }
    auto groff = run_step("/usr/bin/groff", {"-man", "-ww", "-z", page.string()}, dir.path());
    EXPECT_EQ(groff.exit_code, 0);
    EXPECT_EQ(groff.err, "") << page;
  }
  EXPECT_NE(read(dir.path() / "man1" / "converge.1").find("converge\\-plan\\-comment"), std::string::npos);
}

TEST(ManPages, HelpTextThatLooksLikeRoffIsPrintedAsWritten) {
  TempDir dir;
  front::StepFlags step{"evil", "a step\n.SH INJECTED", {{"out", "", "path with \\fB bold \\n\n'tick and .dot", true, ""}}};
  dir.write("evil.1", front::step_man_page(step, "1.0"));
  auto groff = run_step("/usr/bin/groff", {"-man", "-Tutf8", "-P-cbou", "-ww", (dir.path() / "evil.1").string()},
                        dir.path());
  EXPECT_EQ(groff.err, "");
  EXPECT_EQ(groff.out.find("INJECTED\n       "), std::string::npos) << "no section was injected:\n" << groff.out;
  EXPECT_NE(groff.out.find(".SH INJECTED"), std::string::npos) << groff.out;
  EXPECT_NE(groff.out.find("\\fB bold \\n"), std::string::npos) << groff.out;
  EXPECT_NE(groff.out.find("'tick and .dot"), std::string::npos) << groff.out;
}

}  // namespace
}  // namespace converge::testing
