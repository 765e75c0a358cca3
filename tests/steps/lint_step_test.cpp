// The migration lint through the built `converge plan` on a real SQLite target: a
// finding shows at the migration's file:line with its rule id, a warning leaves the
// plan appliable, and a rule set to `error` in converge.yaml fails the plan (exit 1, as any plan error).
#include <string>

#include "steps/repo_fixture.hpp"

namespace converge::testing {
namespace {

class LintStep : public RepoTest {
 protected:
  void SetUp() override {
    RepoTest::SetUp();
    dir_.write("db/migrations/20260102000000_drop.sql",
               "-- migrate:up\ncreate table posts (id int);\ndrop table users;\n-- migrate:down\n"
               "create table users (id integer primary key, name text);\n");
  }
};

TEST_F(LintStep, AWarningNamesTheFileLineAndRuleAndThePlanStillSucceeds) {
  auto r = converge({"plan", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("db/migrations/20260102000000_drop.sql:3: warning [destructive/drop-table]"),
            std::string::npos)
      << r.out << r.err;
}

TEST_F(LintStep, ARuleSetToErrorFailsThePlanAndOffSilencesIt) {
  std::string config(kSqliteConfig);
  dir_.write("converge.yaml", config + "      lint: {destructive/drop-table: error}\n");
  auto r = converge({"plan", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("db/migrations/20260102000000_drop.sql:3: error [destructive/drop-table]"), std::string::npos)
      << r.out << r.err;

  dir_.write("converge.yaml", config + "      lint: {destructive/drop-table: off}\n");
  r = converge({"plan", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("destructive/drop-table"), std::string::npos) << r.out << r.err;

  dir_.write("converge.yaml", config + "      lint: {destructive/no-such-rule: error}\n");
  r = converge({"plan", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("unknown lint rule 'destructive/no-such-rule'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace converge::testing
