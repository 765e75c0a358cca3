// Workflow commands, outputs and redaction of secrets.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "converge/github/console.hpp"
#include "support/temp_dir.hpp"

namespace converge::github {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Console, InARunnerMasksSecretsAndAnnotatesErrorsWithLocation) {
  RunContext ctx;
  ctx.in_actions = true;
  std::ostringstream out, err;
  Console c(out, err, ctx);
  c.mask("postgres://u:pw@db/app");
  c.info("connecting to postgres://u:pw@db/app now");
  c.error(Error::config("bad key, really", {"converge.yaml", 3, 5}));
  EXPECT_NE(out.str().find("::add-mask::postgres://u:pw@db/app\n"), std::string::npos);
  EXPECT_NE(out.str().find("connecting to *** now"), std::string::npos);
  EXPECT_NE(out.str().find("::error file=converge.yaml,line=3,col=5::bad key, really"), std::string::npos);
  EXPECT_EQ(err.str(), "error: converge.yaml:3:5: bad key, really\n");
}

TEST(Console, OutsideARunnerRedactsButPrintsNoCommands) {
  RunContext ctx;
  std::ostringstream out, err;
  Console c(out, err, ctx);
  c.mask("hunter2");
  c.info("password hunter2");
  c.error(Error::runtime("login with hunter2 failed"));
  EXPECT_EQ(out.str(), "password ***\n");
  EXPECT_EQ(err.str(), "error: login with *** failed\n");
}

TEST(Console, MultilineOutputsUseADelimiterAndAreRedacted) {
  converge::testing::TempDir dir;
  RunContext ctx;
  ctx.in_actions = true;
  ctx.output_file = (dir / "output").string();
  ctx.summary_file = (dir / "summary").string();
  std::ostringstream out, err;
  Console c(out, err, ctx);
  c.mask("tok");
  c.set_output("plan-hash", "abc");
  c.set_output("failure-reason", "line one\nline two tok");
  c.append_summary("# hi tok\n");
  auto text = slurp(dir / "output");
  EXPECT_EQ(text.rfind("plan-hash<<ghadelimiter_", 0), 0u);
  EXPECT_NE(text.find("\nabc\nghadelimiter_"), std::string::npos);
  EXPECT_NE(text.find("\nline one\nline two ***\nghadelimiter_"), std::string::npos);
  EXPECT_EQ(slurp(dir / "summary"), "# hi ***\n");
}

TEST(Console, EscapesNewlinesInAnnotations) {
  RunContext ctx;
  ctx.in_actions = true;
  std::ostringstream out, err;
  Console c(out, err, ctx);
  c.warning("50% done\nnext");
  EXPECT_EQ(out.str(), "::warning::50%25 done%0Anext\n");
}

}  // namespace
}  // namespace converge::github
