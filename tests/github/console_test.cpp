// Workflow commands, outputs and redaction of secrets.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "converge/github/console.hpp"
#include "support/temp_dir.hpp"

namespace converge::github {
namespace {

using converge::testing::slurp;

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

TEST(Console, ASecretInAPathIsRedactedInTheAnnotationsFileProperty) {
  RunContext ctx;
  ctx.in_actions = true;
  std::ostringstream out, err;
  Console c(out, err, ctx);
  c.mask("s3cretdir");
  c.error(Error::config("cannot read", {"/srv/s3cretdir/db.sql", 2, 0}));
  c.warning("odd", SourceLocation{"/srv/s3cretdir/x.yaml", 1, 1});
  std::string printed = out.str();
  printed.erase(0, printed.find('\n') + 1);  // the ::add-mask:: line carries it, as it must
  EXPECT_EQ(printed.find("s3cretdir"), std::string::npos) << printed;
  EXPECT_NE(printed.find("::error file=/srv/***/db.sql,line=2::cannot read"), std::string::npos) << printed;
  EXPECT_EQ(err.str(), "error: /srv/***/db.sql:2: cannot read\n");
}

TEST(Console, ASecretIsHiddenInItsEncodedFormsAndThePiecesAUrlParserSplitsOff) {
  RunContext ctx;
  ctx.in_actions = true;
  std::ostringstream out, err;
  Console c(out, err, ctx);
  c.mask("cAn4ry/p@ss%20 word");
  EXPECT_EQ(c.redact("url-encoded cAn4ry%2Fp%40ss%2520%20word"), "url-encoded ***");
  EXPECT_EQ(c.redact("lower cAn4ry%2fp%40ss%2520%20word"), "lower ***");
  EXPECT_EQ(c.redact("form cAn4ry%2Fp%40ss%2520+word"), "form ***");
  EXPECT_EQ(c.redact("decoded cAn4ry/p@ss  word"), "decoded ***");
  // libpq, given the raw password inside a URL, names the part before the '/' as the port.
  EXPECT_EQ(c.redact("invalid integer value \"cAn4ry\" for connection option \"port\""),
            "invalid integer value \"***\" for connection option \"port\"");
  EXPECT_EQ(c.redact("a password is no word"), "a password is no word") << "short pieces stay";
  EXPECT_NE(out.str().find("::add-mask::cAn4ry%252Fp%2540ss%252520%2520word\n"), std::string::npos) << out.str();
}

TEST(Console, TheVariablesPasswordInAUrlIsHiddenRawAndDecoded) {
  RunContext ctx;
  std::ostringstream out, err;
  Console c(out, err, ctx);
  c.mask("postgres://app:pa%2Fss%40word@db:5432/app");
  EXPECT_EQ(c.redact("auth failed for pa/ss@word"), "auth failed for ***");
  EXPECT_EQ(c.redact("auth failed for pa%2Fss%40word"), "auth failed for ***");
  EXPECT_EQ(c.redact("connecting to db:5432/app as app"), "connecting to db:5432/app as app") << "host and path stay";
}

TEST(Console, AnAnnotationKeepsAHostileFileNameAndTitleInsideTheirProperties) {
  RunContext ctx;
  ctx.in_actions = true;
  std::ostringstream out, err;
  Console c(out, err, ctx);
  c.mask("s3cret");
  c.annotate("error", "drop table s3cret\n::warning::forged 100%", {"db/a,line=1:b%41\n::error::x s3cret.sql", 7, 0},
             "destructive/drop-table,title=x:y");
  const std::string text = out.str();
  EXPECT_EQ(text.substr(text.find("::error ")),
            "::error file=db/a%2Cline=1%3Ab%2541%0A%3A%3Aerror%3A%3Ax ***.sql,line=7,"
            "title=destructive/drop-table%2Ctitle=x%3Ay::drop table ***%0A::warning::forged 100%25\n");
  // One line: the newline of the message cannot start a command of its own.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;  // add-mask + the annotation
  c.annotate("notice", "fyi", {"f.sql", 2, 0}, "r");
  EXPECT_NE(out.str().find("::notice file=f.sql,line=2,title=r::fyi\n"), std::string::npos);
  c.annotate("debug", "x", {"f.sql", 0, 0}, "r");
  EXPECT_NE(out.str().find("::warning file=f.sql,title=r::x\n"), std::string::npos) << "unknown levels are warnings";
  EXPECT_EQ(err.str(), "");
}

TEST(Console, OutsideARunnerAnAnnotationWritesNothing) {
  RunContext ctx;
  std::ostringstream out, err;
  Console c(out, err, ctx);
  c.annotate("error", "x", {"f.sql", 1, 0}, "r");
  EXPECT_EQ(out.str() + err.str(), "");
}

}  // namespace
}  // namespace converge::github
