// A GitHub Actions matrix of targets end to end: `plan --target T --out plan-T.json`
// per target, `plan-comment --from` merging them into the one sticky comment and plan
// record (the same body and plan hash as one job's plan-comment), every damaged or
// mismatched per-target file refused by name with nothing posted, and a hand-edited one
// unable to get past apply's plan pinning.
#include "steps/github_fixture.hpp"

namespace converge::testing {
namespace {

constexpr std::string_view kMatrixConfig = R"(environments:
  - {name: dev, branch: "dev/**"}
  - name: prod
    branch: main
    gates: {plan_pinning: true}
targets:
  - name: app-db
    provider: sql
    settings:
      url: sqlite:///.converge/${CONVERGE_ENV}-app.db
      migrations: db/app
  - name: audit-db
    provider: sql
    settings:
      url: sqlite:///.converge/${CONVERGE_ENV}-audit.db
      migrations: db/audit
  - name: billing-db
    provider: sql
    settings:
      url: sqlite:///.converge/${CONVERGE_ENV}-billing.db
      migrations: db/billing
)";

const std::string kMatrixHead = "c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5";
const std::vector<std::string> kMatrixTargets = {"app-db", "audit-db", "billing-db"};

class PlanMatrix : public GitHubFlowTest {
 protected:
  void SetUp() override {
    GitHubFlowTest::SetUp();
    dir_.write("converge.yaml", kMatrixConfig);
    dir_.write("db/app/20260101000000_users.sql", kUsers);
    dir_.write("db/audit/20260101000000_posts.sql", kPosts);
    dir_.write("db/billing/20260101000000_invoices.sql",
               "-- migrate:up\ncreate table invoices (id integer primary key);\n-- migrate:down\ndrop table invoices;\n");
    sha_ = repo_->commit_all("three targets");
    // PR #7 merged into main as the repository's HEAD (the apply below reads it).
    github_.seed({{"pulls", {{{"number", 7}, {"user", "alice"}, {"state", "closed"}, {"merged", true},
                              {"merge_commit_sha", sha_}, {"head", {{"ref", "develop"}, {"sha", kMatrixHead}}},
                              {"base", {{"ref", "main"}}},
                              {"commits", {{{"sha", kMatrixHead}, {"author", "alice"}, {"committer", "alice"}}}}}}}});
    // The trusted converge.yaml is the fixture's first (prod: one approval): bob's.
    github_.seed({{"reviews", {{"7", {{{"user", "bob"}, {"state", "APPROVED"}, {"commit_id", kMatrixHead}}}}}}});
  }

  // One matrix job: converge plan --target T --out plans/plan-T.json.
  RunResult plan_target(const std::string& target, const std::string& env = "prod") {
    return converge({"plan", "--env", env, "--target", target, "--out", "plans/plan-" + target + ".json"});
  }
  void plan_every_target() {
    for (const auto& t : kMatrixTargets) ASSERT_EQ(plan_target(t).exit_code, 0) << t;
  }
  // plan-comment on PR #7's pull_request event; `same_job`: the run of the previous
  // step (so the run URL in the comment is the same).
  RunResult plan_comment(std::vector<std::string> args = {}, bool same_job = false) {
    args.insert(args.begin(), "plan-comment");
    const auto event = pull_request_event(7, "main", kMatrixHead);
    return same_job ? runner_.same_job(args, "pull_request", event, sha_) : step(args, "pull_request", event, sha_);
  }
  std::string output(const std::string& name) {
    const auto text = file("output.txt");
    const auto at = text.rfind(name + "<<");
    if (at == std::string::npos) return "";
    const auto start = text.find('\n', at) + 1;
    return text.substr(start, text.find('\n', start) - start);
  }
  nlohmann::json read_json(const std::string& name) { return nlohmann::json::parse(slurp(dir_ / name)); }
  void write_json(const std::string& name, const nlohmann::json& json) { dir_.write(name, json.dump(2)); }
  // The refusal's one line: exit 2, the line names `file`, and no comment was posted.
  void expect_refused(const RunResult& r, const std::string& file, const std::string& why) {
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find(file), std::string::npos) << "names the file: " << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    EXPECT_TRUE(github_.comments(7).empty()) << "no comment posted";
  }
};

TEST_F(PlanMatrix, TheMergedPlansCommentAndHashExactlyAsOneJobsPlan) {
  auto single = plan_comment();
  ASSERT_EQ(single.exit_code, 0) << single.out << single.err;
  const auto single_hash = output("plan-hash");
  const auto single_body = github_.comments(7).at(0)["body"].get<std::string>();
  const auto single_plan = read_json("plan.json");

  plan_every_target();
  EXPECT_EQ(read_json("plans/plan-app-db.json")["partial"], true);
  EXPECT_EQ(read_json("plans/plan-app-db.json")["targets"].size(), 1u);
  std::filesystem::remove(dir_ / "plan.json");
  auto merged = plan_comment({"--from", "plans/*.json"}, /*same_job=*/true);
  ASSERT_EQ(merged.exit_code, 0) << merged.out << merged.err;
  ASSERT_EQ(github_.comments(7).size(), 1u) << "the same sticky comment";
  EXPECT_EQ(output("plan-hash"), single_hash);
  EXPECT_EQ(github_.comments(7).at(0)["body"].get<std::string>(), single_body);
  EXPECT_EQ(read_json("plan.json"), single_plan) << "plan.json as one job writes it, not partial";
  const auto statuses = github_.state()["commit_statuses"][kMatrixHead];
  ASSERT_GE(statuses.size(), 2u);
  // "plan <hash>[ comment <id> since <time>]": the same plan recorded (the second run
  // also remembers where the comment it edited is).
  EXPECT_EQ(statuses[0]["description"].get<std::string>().substr(0, 69), "plan " + single_hash);
  EXPECT_EQ(statuses[1]["description"].get<std::string>().substr(0, 69), "plan " + single_hash);
  EXPECT_FALSE(token_leaked());
}

TEST_F(PlanMatrix, TheMergeMakesTheRequestsOfOneJobWhateverTheNumberOfTargets) {
  ASSERT_EQ(plan_comment().exit_code, 0);  // the comment exists; each run below edits it
  github_.clear_requests();
  ASSERT_EQ(plan_comment().exit_code, 0);
  const auto one_job = github_.requests().size();
  plan_every_target();
  github_.clear_requests();
  auto merged = plan_comment({"--from", "plans/*.json"});
  ASSERT_EQ(merged.exit_code, 0) << merged.out << merged.err;
  std::string log;
  for (const auto& r : github_.requests()) log += r["method"].get<std::string>() + " " + r["path"].get<std::string>() + "\n";
  EXPECT_EQ(github_.requests().size(), one_job) << log;
  // converge's identity, its status on the head (where the comment is), the comments
  // since then, the edit, the new status: bench/README.md states this number for 100
  // targets (BM_MatrixMerge's counter).
  EXPECT_EQ(github_.requests().size(), 5u) << log;
}

TEST_F(PlanMatrix, PathsAndCommaListsNameTheFilesInAnyOrderAndTheMergeKeepsConvergeYamlsOrder) {
  plan_every_target();
  auto merged = plan_comment({"--from", "plans/plan-billing-db.json,plans/plan-app-db.json",
                              "--from", "plans/plan-audit-db.json", "--dry-run"});
  ASSERT_EQ(merged.exit_code, 0) << merged.out << merged.err;
  auto plan = read_json("plan.json");
  ASSERT_EQ(plan["targets"].size(), 3u);
  for (size_t i = 0; i < kMatrixTargets.size(); ++i) EXPECT_EQ(plan["targets"][i]["target"], kMatrixTargets[i]);
  EXPECT_FALSE(plan.contains("partial"));
}

TEST_F(PlanMatrix, ListTargetsGivesTheMatrixEveryTargetThePullRequestPlans) {
  auto listed = plan_comment({"--list-targets"});
  ASSERT_EQ(listed.exit_code, 0) << listed.out << listed.err;
  EXPECT_EQ(output("targets"), R"(["app-db","audit-db","billing-db"])");
  EXPECT_EQ(output("environment"), "prod");
  EXPECT_TRUE(github_.comments(7).empty());
}

TEST_F(PlanMatrix, AMissingTargetIsRefusedAndNothingIsPosted) {
  ASSERT_EQ(plan_target("app-db").exit_code, 0);
  ASSERT_EQ(plan_target("billing-db").exit_code, 0);
  expect_refused(plan_comment({"--from", "plans/*.json"}), "plans/*.json", "target audit-db of environment prod has no plan");
}

TEST_F(PlanMatrix, ATargetPlannedTwiceIsRefused) {
  plan_every_target();
  std::filesystem::copy_file(dir_ / "plans/plan-app-db.json", dir_ / "plans/plan-copy.json");
  expect_refused(plan_comment({"--from", "plans/*.json"}), "plans/plan-copy.json", "target app-db is planned again");
}

TEST_F(PlanMatrix, AnotherEnvironmentsPlanIsRefused) {
  plan_every_target();
  ASSERT_EQ(plan_target("audit-db", "dev").exit_code, 0);
  expect_refused(plan_comment({"--from", "plans/*.json"}), "plans/plan-audit-db.json",
                 "a plan of environment dev, not prod");
}

TEST_F(PlanMatrix, AnotherCommitsPlanIsRefused) {
  plan_every_target();
  auto old = read_json("plans/plan-app-db.json");
  old["git_sha"] = kMatrixHead;  // git_sha is not hashed: the file still verifies
  write_json("plans/plan-app-db.json", old);
  expect_refused(plan_comment({"--from", "plans/*.json"}), "plans/plan-app-db.json", "planned at commit c4d3e2f1a0b9");
}

TEST_F(PlanMatrix, ADamagedOrEditedFileIsRefusedByName) {
  plan_every_target();
  dir_.write("plans/plan-audit-db.json", "{\"format\": 1, \"targets\": [");
  expect_refused(plan_comment({"--from", "plans/*.json"}), "plans/plan-audit-db.json", "not valid JSON");
  plan_every_target();
  auto edited = read_json("plans/plan-audit-db.json");
  edited["targets"][0]["changes"] = nlohmann::json::array();  // its plan_hash no longer matches
  write_json("plans/plan-audit-db.json", edited);
  expect_refused(plan_comment({"--from", "plans/*.json"}), "plans/plan-audit-db.json",
                 "plan_hash does not match the plan's content");
}

TEST_F(PlanMatrix, TheReplanOfAMergedPullRequestIsNotMerged) {
  plan_every_target();
  auto r = step({"plan-comment", "--pr", "7", "--from", "plans/*.json"}, "workflow_dispatch", nlohmann::json::object(),
                sha_);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("the re-plan of pull request #7 runs in one job"), std::string::npos) << r.err;
  EXPECT_TRUE(github_.comments(7).empty());
}

TEST_F(PlanMatrix, AnUnknownTargetIsOneLineAndExit2) {
  auto r = plan_target("no-such-db");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--target no-such-db: environment prod has no such target (its targets: app-db, audit-db, "
                       "billing-db)"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "plans/plan-no-such-db.json"));
}

TEST_F(PlanMatrix, ApplyRefusesAPartialPlanAsTheEnvironmentsPlan) {
  ASSERT_EQ(converge({"plan", "--env", "dev", "--target", "app-db,audit-db", "--out", "partial.json"}).exit_code, 0);
  EXPECT_EQ(read_json("partial.json")["targets"].size(), 2u);
  auto r = converge({"apply", "--env", "dev", "--plan", "partial.json"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("partial.json: a plan of some targets only (plan --target), not of environment dev"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".converge/dev-app.db"));
}

TEST_F(PlanMatrix, AHandEditedTargetPlanThatHidesAChangeCannotBeApplied) {
  plan_every_target();
  // Someone between the matrix jobs and the merge drops billing-db's migration from its
  // plan and the hash that would give it away: the comment then shows no change there.
  auto forged = read_json("plans/plan-billing-db.json");
  forged["targets"][0]["changes"] = nlohmann::json::array();
  forged["targets"][0].erase("schema_preview");
  forged.erase("plan_hash");
  write_json("plans/plan-billing-db.json", forged);
  auto merged = plan_comment({"--from", "plans/*.json"});
  ASSERT_EQ(merged.exit_code, 0) << merged.out << merged.err;
  EXPECT_EQ(github_.comments(7).at(0)["body"].get<std::string>().find("invoices"), std::string::npos)
      << "the comment shows the forged plan";
  // The deploy of the merge commit plans it itself: its plan is not the one the comment
  // and converge's record carry, so plan pinning refuses and nothing is applied.
  auto r = step({"apply", "--env", "prod"}, "push", push_event("main", sha_), sha_);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("the plan changed since it was approved on pull request #7"), std::string::npos) << r.err;
  for (const auto* db : {".converge/prod-app.db", ".converge/prod-audit.db", ".converge/prod-billing.db"})
    EXPECT_EQ(sqlite_value(db, "select count(*) from schema_migrations"), "") << db;
}

TEST_F(PlanMatrix, AnUneditedMatrixPlanIsAppliedByTheDeploy) {
  plan_every_target();
  ASSERT_EQ(plan_comment({"--from", "plans/*.json"}).exit_code, 0);
  auto r = step({"apply", "--env", "prod"}, "push", push_event("main", sha_), sha_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(sqlite_value(".converge/prod-billing.db", "select group_concat(version) from schema_migrations"),
            "20260101000000");
}

}  // namespace
}  // namespace converge::testing
