// converge init and converge check-workflows, black-box on real git repositories:
// converge.yaml from the layout, the starters from converge.yaml (for the GitFlow
// file they are exactly workflows/), GitHub's workflow parser on what init writes,
// the schema on the converge.yaml it writes, and check-workflows catching every
// place where the workflows and converge.yaml part.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/git_repo.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"

namespace converge::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = CONVERGE_SOURCE_DIR;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int shell(const std::string& command, std::string* out = nullptr) { return run_shell(command + " 2>&1", out); }

class Init : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("db/migrations/20260101000000_users.sql", "-- migrate:up\ncreate table users (id int);\n-- migrate:down\ndrop table users;\n");
    dir_.write("assets/charts/sales.yaml", "uuid: 5c1f3a2e-0d5b-4c61-9a57-2f8f7a4b9c10\nslice_name: Sales\n");
    dir_.write("infra/main.tf", "terraform {}\n");
    dir_.write("fabric/Sales.SemanticModel/.platform", "{}\n");
    dir_.write("node_modules/x/db/migrations/1_x.sql", "-- migrate:up\n");  // never scanned
    repo_.emplace(dir_.path(), "main");
    repo_->commit_all("layout");
    repo_->branch("develop");
  }
  RunResult converge(const std::vector<std::string>& args) { return run_step("converge", args, dir_.path()); }

  TempDir dir_;
  std::optional<GitRepo> repo_;
};

TEST_F(Init, WritesConvergeYamlFromTheLayoutAndTheGitFlowStartersOfWorkflows) {
  auto r = converge({"init"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto config = read(dir_.path() / "converge.yaml");
  EXPECT_NE(config.find("  - name: app-db\n    provider: sql\n    settings:\n      url: ${DATABASE_URL}\n"
                        "      migrations: db/migrations\n      snapshot: db/schema.sql\n"),
            std::string::npos)
      << config;
  EXPECT_NE(config.find("  - name: bi\n    provider: assets\n    settings:\n      url: ${BI_URL}\n      sources: assets\n"),
            std::string::npos)
      << config;
  EXPECT_NE(config.find("  - name: stage\n    branch: develop\n"), std::string::npos) << "develop exists: GitFlow";
  EXPECT_NE(config.find("manifest:\n  url: \"github:\"\n"), std::string::npos) << "a start with no manifest secret";
  EXPECT_EQ(config.find("node_modules"), std::string::npos);
  EXPECT_NE(r.out.find("found a Microsoft Fabric workspace at fabric/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("found a Terraform root module at infra/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("GitHub environment prod (secrets: DATABASE_URL, BI_URL), required reviewers: 1"),
            std::string::npos)
      << r.out;
  for (const auto& entry : fs::directory_iterator(kSource / "workflows"))
    EXPECT_EQ(read(dir_.path() / ".github/workflows" / entry.path().filename()), read(entry.path()))
        << entry.path().filename() << ": for the GitFlow converge.yaml, init writes exactly the starters of workflows/";
  EXPECT_NE(read(dir_.path() / ".gitignore").find(".converge/\n"), std::string::npos);

  auto again = converge({"init"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("nothing to write"), std::string::npos) << again.out;
  EXPECT_EQ(converge({"check-workflows"}).exit_code, 0);
  // The converge.yaml it wrote compiles the repository as it is.
  auto compiled = run_step("converge", {"compile", "--env", "dev", "--out", "bundles"}, dir_.path(),
                           {{"DATABASE_URL", "sqlite:///dev.db"}, {"BI_URL", "http://127.0.0.1:9"}});
  EXPECT_EQ(compiled.exit_code, 0) << compiled.out << compiled.err;
}

TEST_F(Init, WithoutADevelopBranchThereIsNoStageAndANoteSaysWhy) {
  TempDir dir;
  dir.write("db/migrations/1_a.sql", "-- migrate:up\n");
  GitRepo repo(dir.path(), "master");
  repo.commit_all("one");
  auto r = run_step("converge", {"init"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto config = read(dir.path() / "converge.yaml");
  EXPECT_EQ(config.find("name: stage"), std::string::npos) << config;
  EXPECT_NE(config.find("  - name: prod\n    branch: master\n"), std::string::npos) << config;
  EXPECT_NE(r.out.find("no develop branch: no stage environment"), std::string::npos) << r.out;
  EXPECT_NE(read(dir.path() / ".github/workflows/converge-pr.yml").find("branches: [master]"), std::string::npos);
}

TEST_F(Init, CheckWorkflowsNamesEveryPlaceWhereConvergeYamlAndTheWorkflowsPart) {
  ASSERT_EQ(converge({"init"}).exit_code, 0);
  // converge.yaml changes: prod deploys from trunk, stage gets its own drift check.
  auto config = read(dir_.path() / "converge.yaml");
  config.replace(config.find("branch: main"), 12, "branch: trunk");
  config.replace(config.find("    gates: {plan_pinning: true}\n"), 31,
                 "    gates: {plan_pinning: true}\n    drift: {schedule: \"30 2 * * 1-5\", mode: apply}\n");
  dir_.write("converge.yaml", config);
  auto r = converge({"check-workflows"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  for (const char* expected :
       {"converge-pr.yml: on.pull_request.branches is [develop, main], converge.yaml says [develop, trunk]",
        "converge-pr.yml: the branch map is \"dev/**=dev develop=stage main=prod\", converge.yaml says "
        "\"dev/**=dev develop=stage trunk=prod\"",
        "converge-deploy.yml: on.push.branches is [dev/**, develop, main], converge.yaml says [dev/**, develop, trunk]",
        "converge-drift.yml: on.schedule is [0 1 * * *], converge.yaml says [0 1 * * *, 30 2 * * 1-5]",
        "converge-drift.yml: has no job for stage (drift.schedule \"30 2 * * 1-5\")"})
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n" << r.out;
  EXPECT_NE(r.out.find("6 difference(s)"), std::string::npos) << r.out;

  // init keeps the team's files unless told; --force rewrites them, and they agree.
  const auto before = read(dir_.path() / ".github/workflows/converge-deploy.yml");
  auto kept = converge({"init"});
  EXPECT_EQ(kept.exit_code, 1) << kept.out << kept.err;
  EXPECT_EQ(read(dir_.path() / ".github/workflows/converge-deploy.yml"), before);
  ASSERT_EQ(converge({"init", "--force"}).exit_code, 0);
  auto clean = converge({"check-workflows"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out;
  const auto drift = read(dir_.path() / ".github/workflows/converge-drift.yml");
  EXPECT_NE(drift.find("  stage:\n    if: github.event_name == 'workflow_dispatch' || github.event.schedule == '30 2 * * 1-5'\n"),
            std::string::npos)
      << drift;
  EXPECT_NE(drift.find("      mode: apply\n      ref: develop\n"), std::string::npos) << drift;

  // A drift job for an environment converge.yaml does not check, and a missing file.
  fs::remove(dir_.path() / ".github/workflows/converge-export.yml");
  auto edited = drift;
  edited.replace(edited.find("environment: stage"), 18, "environment: dev");
  dir_.write(".github/workflows/converge-drift.yml", edited);
  auto broken = converge({"check-workflows"});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.out.find("converge-export.yml: is missing"), std::string::npos) << broken.out;
  EXPECT_NE(broken.out.find("converge-drift.yml: checks dev, which has no drift.schedule"), std::string::npos) << broken.out;
}

TEST_F(Init, WhatInitWritesPassesGithubsParserAndTheSchema) {
  // A repository whose converge.yaml is not GitFlow: other branches, names that need
  // quoting, two drift schedules; the starters it gets must still be valid workflows.
  TempDir dir;
  dir.write("converge.yaml",
            "environments:\n  - {name: qa.1, branch: \"feature/*\", drift: {schedule: \"*/30 * * * *\"}}\n"
            "  - {name: live, branch: trunk, drift: {schedule: \"0 3 * * *\", mode: apply}}\n"
            "targets:\n  - {name: db, provider: sql, settings: {url: \"sqlite:///x.db\"}}\n");
  GitRepo repo(dir.path(), "trunk");
  repo.commit_all("config");
  auto r = run_step("converge", {"init"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(run_step("converge", {"check-workflows"}, dir.path()).exit_code, 0);
  // GitHub's parser and actionlint (tests/workflows) on a tree holding this
  // repository's reusable workflows, actions and CMakeLists.txt (the repository
  // they are published from), and init's starters as workflows/.
  TempDir tree;
  fs::create_directories(tree.path() / ".github");
  fs::create_directory_symlink(kSource / ".github/workflows", tree.path() / ".github/workflows");
  fs::create_directory_symlink(kSource / "actions", tree.path() / "actions");
  fs::create_symlink(kSource / "action.yml", tree.path() / "action.yml");
  fs::create_symlink(kSource / "CMakeLists.txt", tree.path() / "CMakeLists.txt");  // the repository setting
  fs::copy(dir.path() / ".github/workflows", tree.path() / "workflows");
  std::string out;
  const int status = shell("bash '" + (kSource / "tests/workflows/run-validation.sh").string() + "' '" +
                           tree.path().string() + "'", &out);
  if (status == 77) GTEST_SKIP() << out;
  EXPECT_EQ(status, 0) << out;
  for (const char* file : {"converge-pr.yml", "converge-deploy.yml", "converge-drift.yml", "converge-export.yml",
                           "converge-rollback.yml"})
    EXPECT_NE(out.find(std::string("ok   workflows/") + file + ": @actions/workflow-parser"), std::string::npos) << file << "\n" << out;

  // init's own converge.yaml (the layout case) against the JSON Schema.
  TempDir layout;
  layout.write("db/migrations/1_a.sql", "-- migrate:up\n");
  layout.write("assets/a.yaml", "x: 1\n");
  GitRepo layout_repo(layout.path(), "main");
  layout_repo.commit_all("layout");
  ASSERT_EQ(run_step("converge", {"init"}, layout.path()).exit_code, 0);
  layout.write("cases.json", "[" + nlohmann::json(nullptr).dump() + "]");
  const std::string to_json = "python3 -c 'import json,sys,yaml; print(json.dumps([yaml.safe_load(open(sys.argv[1]))]))' '" +
                              (layout.path() / "converge.yaml").string() + "' > '" + (layout.path() / "cases.json").string() + "'";
  ASSERT_EQ(shell(to_json), 0);
  ASSERT_EQ(shell("sh '" + (kSource / "tests/config/schema/check.sh").string() + "' '" +
                      (kSource / "schema/converge.schema.json").string() + "' '" + (layout.path() / "cases.json").string() + "'",
                  &out),
            0)
      << out;
  EXPECT_EQ(nlohmann::json::parse(out.substr(out.find('[')))[0]["valid"], true) << out;
}

}  // namespace
}  // namespace converge::testing
