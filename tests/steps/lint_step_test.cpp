// The migration lint through the built `converge plan` and `converge plan-comment` on a
// real SQLite target: a finding shows at the migration's file:line with its rule id
// (in the text, as an annotation in a runner, in the comment's "Migration lint"
// section, in plan.json and the SARIF file), a warning leaves the plan appliable, a
// rule set to `error` in converge.yaml fails the plan (exit 1, as any plan error), and
// a destructive finding marks the plan destructive.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "steps/repo_fixture.hpp"

namespace converge::testing {
namespace {

class LintStep : public RepoTest {
 protected:
  std::string read(const std::string& file) {
    std::ifstream in(dir_ / file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

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

TEST_F(LintStep, InARunnerEachFindingIsAnAnnotationAtItsLineTitledByItsRule) {
  auto r = converge({"plan", "--env", "dev"}, {{"GITHUB_ACTIONS", "true"}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("::warning file=db/migrations/20260102000000_drop.sql,line=3,title=destructive/drop-table::"
                       "DROP TABLE deletes the table and all its rows (destructive) See https://github.com/"
                       "converge-dev/converge/blob/v"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("DESTRUCTIVE: 1 finding"), std::string::npos) << r.out;
}

TEST_F(LintStep, AHostileFileNameStaysInsideItsAnnotationProperty) {
  dir_.write("db/migrations/20260103000000_a,line=9:b%41.sql",
             "-- migrate:up\ndelete from posts;\n-- migrate:down\nselect 1;\n");
  auto r = converge({"plan", "--env", "dev"}, {{"GITHUB_ACTIONS", "true"}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("::warning file=db/migrations/20260103000000_a%2Cline=9%3Ab%2541.sql,line=2,"
                       "title=destructive/delete-without-where::DELETE without WHERE"),
            std::string::npos)
      << r.out;
}

TEST_F(LintStep, PlanJsonAndTheSarifFileCarryTheFindings) {
  auto r = converge({"plan", "--env", "dev", "--out", "plan.json", "--sarif", "lint.sarif"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto plan = nlohmann::json::parse(read("plan.json"));
  EXPECT_EQ(plan["destructive"], true);
  ASSERT_EQ(plan["targets"][0]["findings"].size(), 1u) << plan.dump(2);
  EXPECT_EQ(plan["targets"][0]["findings"][0]["rule"], "destructive/drop-table");
  EXPECT_EQ(plan["targets"][0]["findings"][0]["line"], 3);
  auto sarif = nlohmann::json::parse(read("lint.sarif"));
  EXPECT_EQ(sarif["version"], "2.1.0");
  const auto& result = sarif["runs"][0]["results"][0];
  EXPECT_EQ(result["ruleId"], "destructive/drop-table");
  EXPECT_EQ(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "db/migrations/20260102000000_drop.sql");
  EXPECT_EQ(result["locations"][0]["physicalLocation"]["region"]["startLine"], 3);

  // No findings: the file is written all the same, with no results.
  dir_.write("converge.yaml", std::string(kSqliteConfig) + "      lint: {destructive/drop-table: off}\n");
  r = converge({"plan", "--env", "dev", "--sarif", "lint.sarif"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(nlohmann::json::parse(read("lint.sarif"))["runs"][0]["results"].empty());
}

TEST_F(LintStep, ASarifFileThatCannotBeWrittenFailsNamingIt) {
  std::filesystem::create_directories(dir_ / "a-directory");
  auto r = converge({"plan", "--env", "dev", "--sarif", "a-directory"});
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("a-directory"), std::string::npos) << r.err;
}

TEST_F(LintStep, ThePlanCommentHasAMigrationLintSectionWithTheRuleLinked) {
  auto r = converge({"plan-comment", "--dry-run", "--pr", "4", "--base", "dev/feature", "--env", "dev",
                     "--out", "plan.json", "--sarif", "lint.sarif"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("#### Migration lint"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("- **warning** [` destructive/drop-table `](https://github.com/converge-dev/converge/blob/v"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("/docs/providers/sql.md#destructive-drop-table) at ` db/migrations/20260102000000_drop.sql:3 `"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "lint.sarif"));

  // An error-level finding fails plan-comment too, after the comment shows why.
  dir_.write("converge.yaml", std::string(kSqliteConfig) + "      lint: {destructive/drop-table: error}\n");
  r = converge({"plan-comment", "--dry-run", "--pr", "4", "--base", "dev/feature", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("- **error** [` destructive/drop-table `]"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace converge::testing
