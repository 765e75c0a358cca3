// Colours on a terminal only (NO_COLOR, TERM=dumb and GitHub Actions turn them off),
// never in outputs or the job summary; the job summary within GitHub's 1 MiB.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "converge/github/console.hpp"
#include "converge/github/terminal.hpp"
#include "converge/util/fs.hpp"
#include "support/temp_dir.hpp"

namespace converge::github {
namespace {

// The file's bytes; "" when it cannot be read.
using converge::testing::slurp;

std::string without_codes(const std::string& text) {
  return std::regex_replace(text, std::regex("\x1b\\[[0-9;]*m"), "");
}

RunContext local(std::map<std::string, std::string, std::less<>> variables = {}) {
  RunContext ctx;
  ctx.variables = std::move(variables);
  return ctx;
}

TEST(Terminal, ColoursAreAllowedUnlessNoColorTermDumbOrActions) {
  EXPECT_TRUE(colours_allowed(local()));
  EXPECT_TRUE(colours_allowed(local({{"NO_COLOR", ""}}))) << "no-color.org: only a non-empty value counts";
  EXPECT_FALSE(colours_allowed(local({{"NO_COLOR", "1"}})));
  EXPECT_FALSE(colours_allowed(local({{"NO_COLOR", "0"}}))) << "any non-empty value, even 0";
  EXPECT_FALSE(colours_allowed(local({{"TERM", "dumb"}})));
  EXPECT_TRUE(colours_allowed(local({{"TERM", "xterm-256color"}})));
  RunContext actions;
  actions.in_actions = true;
  EXPECT_FALSE(colours_allowed(actions));
}

TEST(Terminal, PlanTextIsPaintedLineByLineAndOnlyWrapped) {
  const std::string text =
      "Plan for environment dev: 1 to create\n== app-db (sql): 1 to create\n+ create migration m\n--- /dev/null\n"
      "+++ desired/m\n@@ -0,0 +1 @@\n+create table t;\n-drop table t;\n~ update chart c\n-/+ replace x\n"
      "note: a note\nERROR: bad\n plain context\n";
  const std::string painted = paint_plan_text(text);
  EXPECT_EQ(without_codes(painted), text);
  EXPECT_NE(painted.find("\x1b[32m+ create migration m\x1b[0m\n"), std::string::npos) << painted;
  EXPECT_NE(painted.find("\x1b[31m-drop table t;\x1b[0m\n"), std::string::npos);
  EXPECT_NE(painted.find("\x1b[33m~ update chart c\x1b[0m"), std::string::npos);
  EXPECT_NE(painted.find("\x1b[31m-/+ replace x\x1b[0m"), std::string::npos);
  EXPECT_NE(painted.find("\x1b[2m--- /dev/null\x1b[0m"), std::string::npos);
  EXPECT_NE(painted.find("\x1b[31mERROR: bad\x1b[0m"), std::string::npos);
  EXPECT_NE(painted.find("\n plain context\n"), std::string::npos) << "context lines stay plain";
  EXPECT_EQ(paint(Tone::plain, "x"), "x");
  EXPECT_EQ(paint(Tone::added, ""), "");
}

TEST(Console, ColoursOnlyOnATerminalAndNeverInOutputsOrTheSummary) {
  converge::testing::TempDir dir;
  RunContext ctx = local();
  ctx.output_file = (dir / "output").string();
  ctx.summary_file = (dir / "summary").string();
  std::ostringstream out, err;
  Console c(out, err, ctx);
  c.info("✓ before", Tone::added);
  EXPECT_EQ(out.str(), "✓ before\n") << "no terminal: no colour";
  c.set_terminals(true, true);
  c.mask("hunter2");
  c.info("✓ migration hunter2 0.42 s", Tone::added);
  c.plan_text("+ create x\n-drop");
  c.error(Error::runtime("failed"));
  c.warning("careful");
  c.set_output("status", "success");
  c.append_summary("**plan** +x\n");
  EXPECT_NE(out.str().find("\x1b[32m✓ migration *** 0.42 s\x1b[0m\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("\x1b[32m+ create x\x1b[0m\n\x1b[31m-drop\x1b[0m\n"), std::string::npos) << out.str();
  EXPECT_EQ(err.str(), "\x1b[31merror:\x1b[0m failed\n\x1b[33mwarning:\x1b[0m careful\n");
  EXPECT_EQ(slurp(dir / "summary"), "**plan** +x\n");
  EXPECT_EQ(slurp(dir / "output").find('\x1b'), std::string::npos);
}

TEST(Console, NoColourWithNoColorInActionsOrOnAStreamThatIsNoTerminal) {
  for (auto ctx : {local({{"NO_COLOR", "1"}}), [] {
         RunContext a;
         a.in_actions = true;
         return a;
       }()}) {
    std::ostringstream out, err;
    Console c(out, err, ctx);
    c.set_terminals(true, true);
    c.info("✓ done", Tone::added);
    c.plan_text("+ create x");
    c.error(Error::runtime("failed"));
    EXPECT_EQ((out.str() + err.str()).find('\x1b'), std::string::npos) << out.str() << err.str();
  }
  // Standard output a terminal, standard error a file: errors are not coloured.
  std::ostringstream out, err;
  Console c(out, err, local());
  c.set_terminals(true, false);
  c.error(Error::runtime("failed"));
  EXPECT_EQ(err.str(), "error: failed\n");
  // Text moved to standard error (--json owns standard output) follows its terminal.
  c.text_to_stderr();
  c.info("✓ done", Tone::added);
  EXPECT_EQ(err.str(), "error: failed\n✓ done\n");
}

TEST(Console, TheJobSummaryStaysWithinOneMebibyteWithANote) {
  converge::testing::TempDir dir;
  RunContext ctx = local();
  ctx.summary_file = (dir / "summary").string();
  // A step that ran converge before: the file already holds most of the limit.
  std::ofstream(dir / "summary", std::ios::binary) << std::string(kSummaryLimit - 3000, 'x') << "\n";
  std::ostringstream out, err;
  Console c(out, err, ctx);
  EXPECT_EQ(c.summary_room(), 2999u);
  std::string markdown = "intro\n\n```diff\n";
  for (int i = 0; i < 200; ++i) markdown += "+ line " + std::to_string(i) + " caf\xC3\xA9\n";
  markdown += "```\n";
  c.append_summary(markdown);
  const std::string summary = slurp(dir / "summary");
  EXPECT_LE(summary.size(), kSummaryLimit);
  EXPECT_NE(summary.find("```\n\n> [!NOTE]\n> The job summary is cut here"), std::string::npos)
      << "the open fence is closed before the note";
  EXPECT_EQ(c.summary_room(), kSummaryLimit - summary.size());
  // Full: nothing more is written.
  std::ofstream(dir / "summary", std::ios::binary | std::ios::app) << std::string(c.summary_room(), 'y');
  c.append_summary("more\n");
  EXPECT_EQ(slurp(dir / "summary").size(), kSummaryLimit);
}

}  // namespace
}  // namespace converge::github
