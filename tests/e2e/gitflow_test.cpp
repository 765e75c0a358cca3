// The seed story of converge, replayed end to end (DESIGN.md, "The story it
// serves"): dev/** push → dev applied; PR to develop → stage plan comment; merge →
// stage applied exactly as planned; PR develop → main → prod plan comment; the
// author's own approval refused; a second person's approval → prod applied and
// recorded; an ad-hoc change in prod found by the 1 AM drift run, its issue opened,
// reconciled and closed; tag v1.1.0 redeployed; v1.2.0 with one more migration
// deployed, then rolled back to v1.1.0 (its migration's down block runs).
//
// Each "job" starts from a clean checkout (reset --hard), as on a runner. app-db
// lives in PostgreSQL (one database per environment, passed as the environment's
// secret), cache-db in SQLite files; the manifest is a shared PostgreSQL database.
#include <gtest/gtest.h>

#include <sstream>

#include "github/server/actions_runner.hpp"
#include "support/git_repo.hpp"
#include "support/postgres.hpp"
#include "support/temp_dir.hpp"

namespace converge::testing {
namespace {

constexpr std::string_view kConfig = R"(version: 1
manifest:
  url: ${MANIFEST_URL}
environments:
  - name: dev
    branch: "dev/**"
  - name: stage
    branch: develop
    gates: {plan_pinning: true}
  - name: prod
    branch: main
    gates: {approvals: 1, distinct_approver: true, plan_pinning: true}
    drift: {schedule: "0 1 * * *", mode: apply}
    promote_from: stage
targets:
  - name: app-db
    provider: sql
    settings:
      url: ${APP_DB_URL}
  - name: cache-db
    provider: sql
    settings:
      url: sqlite:///.converge/${CONVERGE_ENV}-cache.db
      migrations: db/cache-migrations
      snapshot: db/cache-schema.sql
)";

class GitFlow : public ::testing::Test {
 protected:
  void SetUp() override {
    CONVERGE_REQUIRE_POSTGRES();
    for (const char* env : {"dev", "stage", "prod"}) dbs_.emplace(env, std::make_unique<ScratchDatabase>());
    manifest_ = std::make_unique<ScratchDatabase>();
    dir_.write("converge.yaml", kConfig);
    dir_.write(".gitignore", ".converge/\nevent.json\noutput.txt\nsummary.md\nplan.json\n");
    dir_.write("db/migrations/README.md", "dbmate migrations of app-db\n");
    dir_.write("db/cache-migrations/README.md", "dbmate migrations of cache-db\n");
    repo_ = std::make_unique<GitRepo>(dir_.path(), "main");
    repo_->commit_all("converge.yaml");
    repo_->branch("develop");
  }

  std::map<std::string, std::string> secrets(const std::string& env) {
    return {{"APP_DB_URL", dbs_.at(env)->url()}, {"MANIFEST_URL", manifest_->url()}};
  }

  // A new workflow run: a clean checkout of `ref`, then the steps of the job.
  RunResult job(const std::string& env, const std::vector<std::string>& args, const std::string& event_name,
                const nlohmann::json& event, const std::string& ref) {
    repo_->checkout(ref);
    repo_->reset_hard();
    return runner_.run(args, event_name, event, repo_->head_sha(), secrets(env));
  }
  RunResult next_step(const std::string& env, const std::vector<std::string>& args, const std::string& event_name,
                      const nlohmann::json& event) {
    return runner_.same_job(args, event_name, event, repo_->head_sha(), secrets(env));
  }

  nlohmann::json describe(const std::string& env) {
    auto r = runner_.run({"describe", "--env", env, "--json"}, "workflow_dispatch", nlohmann::json::object(),
                         repo_->head_sha(), secrets(env));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    // In a runner, stdout also carries the runner's commands (::add-mask::…).
    std::string json;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);)
      if (!line.starts_with("::")) json += line + "\n";
    return nlohmann::json::parse(json)["environments"][env];
  }

  static nlohmann::json row(const nlohmann::json& rows, const std::string& target) {
    for (const auto& r : rows)
      if (r["target"] == target) return r;
    return nullptr;
  }

  std::string comment(int pr, const std::string& env) {
    for (const auto& c : github_.comments(pr))
      if (c["body"].get<std::string>().find("env=" + env + " ") != std::string::npos) return c["body"];
    return "";
  }

  TempDir dir_;
  std::map<std::string, std::unique_ptr<ScratchDatabase>> dbs_;
  std::unique_ptr<ScratchDatabase> manifest_;
  std::unique_ptr<GitRepo> repo_;
  GitHubServer github_;
  ActionsRunner runner_{dir_.path(), github_};
};

TEST_F(GitFlow, FromAFeatureBranchToProdAndBackToATag) {
  // --- a feature branch dev/add-invoices, pushed → dev applied and recorded.
  repo_->checkout("main");
  repo_->branch("dev/add-invoices");
  repo_->checkout("dev/add-invoices");
  dir_.write("db/migrations/20260101000000_users.sql",
             "-- migrate:up\ncreate table users (id bigint primary key, email text not null);\n"
             "-- migrate:down\ndrop table users;\n");
  dir_.write("db/migrations/20260102000000_invoices.sql",
             "-- migrate:up\ncreate table invoices (id bigint primary key, user_id bigint references users(id));\n"
             "-- migrate:down\ndrop table invoices;\n");
  dir_.write("db/cache-migrations/20260101000000_kv.sql",
             "-- migrate:up\ncreate table kv (k text primary key, v text);\n-- migrate:down\ndrop table kv;\n");
  const auto c1 = repo_->commit_all("Add invoices");
  auto dev = job("dev", {"apply", "--env", "dev"}, "push", runner_.push_event("dev/add-invoices", c1),
                 "dev/add-invoices");
  ASSERT_EQ(dev.exit_code, 0) << dev.out << dev.err;
  ASSERT_EQ(next_step("dev", {"record-manifest", "--env", "dev"}, "push", {}).exit_code, 0);
  EXPECT_EQ(dbs_["dev"]->query_value("select max(version) from schema_migrations"), "20260102000000");
  EXPECT_EQ(row(describe("dev"), "app-db")["git_sha"], c1);
  // The developer commits the snapshots apply wrote (as with dbmate's schema.sql).
  const auto c2 = repo_->commit_all("Schema snapshots");
  ASSERT_EQ(job("dev", {"apply", "--env", "dev"}, "push", runner_.push_event("dev/add-invoices", c2),
                "dev/add-invoices").exit_code, 0);
  ASSERT_EQ(next_step("dev", {"drift-verify", "--env", "dev"}, "push", {}).exit_code, 0) << "snapshots match";

  // Merge commits the test needs later, made now: develop ← feature (M1), main ← develop (M2).
  repo_->checkout("develop");
  const auto m1 = repo_->merge("dev/add-invoices", "Merge pull request #1 from dev/add-invoices");
  repo_->checkout("main");
  const auto m2 = repo_->merge("develop", "Merge pull request #2 from develop");
  github_.seed({{"pulls",
                 {{{"number", 1}, {"user", "alice"}, {"merged", true}, {"merge_commit_sha", m1},
                   {"head", {{"ref", "dev/add-invoices"}, {"sha", c2}}}, {"base", {{"ref", "develop"}}},
                   {"commits", {{{"sha", c1}, {"author", "alice"}}, {{"sha", c2}, {"author", "alice"}}}}},
                  {{"number", 2}, {"user", "alice"}, {"merged", true}, {"merge_commit_sha", m2},
                   {"head", {{"ref", "develop"}, {"sha", m1}}}, {"base", {{"ref", "main"}}},
                   {"commits", {{{"sha", c1}, {"author", "alice"}}, {{"sha", c2}, {"author", "alice"}}}}}}}});

  // --- PR #1 to develop → the stage plan comment.
  auto planned = job("stage", {"plan-comment"}, "pull_request", runner_.pull_request_event(1, "develop", c2), c2);
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  auto stage_comment = comment(1, "stage");
  EXPECT_NE(stage_comment.find("sha=" + c2), std::string::npos);
  EXPECT_NE(stage_comment.find("3 to create"), std::string::npos) << stage_comment;
  EXPECT_NE(stage_comment.find("20260102000000_invoices"), std::string::npos);

  // --- merge → stage applied exactly as planned.
  auto stage = job("stage", {"apply", "--env", "stage"}, "push", runner_.push_event("develop", m1), "develop");
  ASSERT_EQ(stage.exit_code, 0) << stage.out << stage.err;
  EXPECT_NE(stage.out.find("plan pinning: the plan equals the one approved on pull request #1"), std::string::npos);
  ASSERT_EQ(next_step("stage", {"record-manifest", "--env", "stage"}, "push", {}).exit_code, 0);
  EXPECT_NE(comment(1, "stage").find("applied at " + m1.substr(0, 12)), std::string::npos);
  EXPECT_EQ(dbs_["stage"]->query_value("select max(version) from schema_migrations"), "20260102000000");

  // --- PR #2 develop → main → the prod plan comment.
  ASSERT_EQ(job("prod", {"plan-comment"}, "pull_request", runner_.pull_request_event(2, "main", m1), m1).exit_code, 0);
  EXPECT_NE(comment(2, "prod").find("env=prod sha=" + m1), std::string::npos);

  // --- the author approves their own PR → prod apply refused.
  github_.seed({{"reviews", {{"2", {{{"user", "alice"}, {"state", "APPROVED"}, {"commit_id", m1}}}}}}});
  auto refused = job("prod", {"apply", "--env", "prod"}, "push", runner_.push_event("main", m2), "main");
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("the author cannot approve their own pull request"), std::string::npos);
  EXPECT_EQ(dbs_["prod"]->query_value("select count(*) from information_schema.tables where table_name = 'users'"), "0");

  // --- a second person approves → prod applied; the manifest says what runs.
  github_.seed({{"reviews", {{"2", {{{"user", "bob"}, {"state", "APPROVED"}, {"commit_id", m1}}}}}}});
  auto prod = job("prod", {"apply", "--env", "prod"}, "push", runner_.push_event("main", m2), "main");
  ASSERT_EQ(prod.exit_code, 0) << prod.out << prod.err;
  EXPECT_NE(prod.out.find("promotion: every target's bundle equals what stage runs"), std::string::npos);
  ASSERT_EQ(next_step("prod", {"record-manifest", "--env", "prod"}, "push", {}).exit_code, 0);
  auto prod_rows = describe("prod");
  EXPECT_EQ(row(prod_rows, "app-db")["git_sha"], m2);
  EXPECT_EQ(row(prod_rows, "app-db")["approvers"], nlohmann::json::array({"bob"}));
  EXPECT_EQ(row(prod_rows, "app-db")["pr_number"], 2);
  EXPECT_EQ(row(prod_rows, "app-db")["migration_version"], "20260102000000");
  // The promotion's source: the stage deployment (its commit) whose bundle prod took.
  EXPECT_EQ(row(prod_rows, "app-db")["promoted_from"], "stage@" + m1);
  EXPECT_EQ(row(describe("stage"), "app-db")["promoted_from"], "");
  EXPECT_NE(comment(2, "prod").find("applied at " + m2.substr(0, 12)), std::string::npos);
  repo_->tag_lightweight("v1.1.0");

  // --- an ad-hoc change in prod (a manual rollback of the last migration) → the
  // 1 AM drift run detects it and opens the drift issue.
  dbs_["prod"]->exec("drop table invoices; delete from schema_migrations where version = '20260102000000'");
  nlohmann::json schedule = {{"schedule", "0 1 * * *"}};
  auto detect = job("prod", {"drift-verify", "--env", "prod", "--issue"}, "schedule", schedule, "main");
  EXPECT_EQ(detect.exit_code, 1) << detect.out << detect.err;
  auto issues = github_.state()["issues"];
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0]["state"], "open");
  EXPECT_NE(issues[0]["body"].get<std::string>().find("20260102000000_invoices"), std::string::npos);
  // mode: apply puts prod back and closes the issue.
  auto reconcile = job("prod", {"drift-verify", "--env", "prod", "--apply", "--issue"}, "schedule", schedule, "main");
  ASSERT_EQ(reconcile.exit_code, 0) << reconcile.out << reconcile.err;
  ASSERT_EQ(next_step("prod", {"record-manifest", "--env", "prod"}, "schedule", schedule).exit_code, 0);
  EXPECT_EQ(github_.state()["issues"][0]["state"], "closed");
  EXPECT_EQ(github_.state()["issues"].size(), 1u) << "one drift issue, never two";
  EXPECT_EQ(dbs_["prod"]->query_value("select max(version) from schema_migrations"), "20260102000000");

  // --- rollback: tag v1.1.0 redeployed through workflow_dispatch.
  auto rollback = job("prod", {"apply", "--env", "prod"}, "workflow_dispatch",
                      runner_.workflow_dispatch_event("refs/tags/v1.1.0"), "v1.1.0");
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  ASSERT_EQ(next_step("prod", {"record-manifest", "--env", "prod"}, "workflow_dispatch", {}).exit_code, 0);
  auto text = runner_.run({"describe", "--env", "prod"}, "workflow_dispatch", {}, m2, secrets("prod"));
  EXPECT_NE(text.out.find("app-db  success  " + m2.substr(0, 12) + " (v1.1.0)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("promoted from stage at " + m1.substr(0, 12)), std::string::npos) << text.out;

  // --- v1.2.0 adds a migration and goes the whole way to prod: feature → develop
  // (PR #3, stage) → main (PR #4, prod, approved by bob).
  repo_->checkout("develop");
  repo_->branch("dev/payments");
  repo_->checkout("dev/payments");
  dir_.write("db/migrations/20260103000000_payments.sql",
             "-- migrate:up\ncreate table payments (id bigint primary key, invoice_id bigint references invoices(id),"
             " cents bigint not null);\n-- migrate:down\ndrop table payments;\n");
  const auto c3 = repo_->commit_all("Add payments");
  ASSERT_EQ(job("dev", {"apply", "--env", "dev"}, "push", runner_.push_event("dev/payments", c3), "dev/payments")
                .exit_code, 0);
  const auto c4 = repo_->commit_all("Schema snapshot with payments");
  repo_->checkout("develop");
  const auto m3 = repo_->merge("dev/payments", "Merge pull request #3 from dev/payments");
  repo_->checkout("main");
  const auto m4 = repo_->merge("develop", "Merge pull request #4 from develop");
  const nlohmann::json payments_commits = {{{"sha", c3}, {"author", "alice"}}, {{"sha", c4}, {"author", "alice"}}};
  github_.seed({{"pulls",
                 {{{"number", 3}, {"user", "alice"}, {"merged", true}, {"merge_commit_sha", m3},
                   {"head", {{"ref", "dev/payments"}, {"sha", c4}}}, {"base", {{"ref", "develop"}}},
                   {"commits", payments_commits}},
                  {{"number", 4}, {"user", "alice"}, {"merged", true}, {"merge_commit_sha", m4},
                   {"head", {{"ref", "develop"}, {"sha", m3}}}, {"base", {{"ref", "main"}}},
                   {"commits", payments_commits}}}}});
  ASSERT_EQ(job("stage", {"plan-comment"}, "pull_request", runner_.pull_request_event(3, "develop", c4), c4).exit_code,
            0);
  ASSERT_EQ(job("stage", {"apply", "--env", "stage"}, "push", runner_.push_event("develop", m3), "develop").exit_code,
            0);
  ASSERT_EQ(next_step("stage", {"record-manifest", "--env", "stage"}, "push", {}).exit_code, 0);
  ASSERT_EQ(job("prod", {"plan-comment"}, "pull_request", runner_.pull_request_event(4, "main", m3), m3).exit_code, 0);
  github_.seed({{"reviews", {{"4", {{{"user", "bob"}, {"state", "APPROVED"}, {"commit_id", m3}}}}}}});
  auto v12 = job("prod", {"apply", "--env", "prod"}, "push", runner_.push_event("main", m4), "main");
  ASSERT_EQ(v12.exit_code, 0) << v12.out << v12.err;
  ASSERT_EQ(next_step("prod", {"record-manifest", "--env", "prod"}, "push", {}).exit_code, 0);
  repo_->tag_lightweight("v1.2.0");
  EXPECT_EQ(dbs_["prod"]->query_value("select max(version) from schema_migrations"), "20260103000000");
  dbs_["prod"]->exec("insert into users values (1, 'a@example.com')");

  // --- rollback to v1.1.0 across that migration: the rollback workflow (approved
  // by bob in GitHub's environment review) runs payments' recorded down block.
  github_.seed({{"runs", {{{"id", 7001}, {"actor", "alice"}, {"event", "workflow_dispatch"},
                           {"approvals", {{{"user", "bob"}, {"state", "approved"}, {"environments", {"prod"}}}}}}}}});
  auto with_run = secrets("prod");
  with_run["GITHUB_RUN_ID"] = "7001";
  with_run["GITHUB_ACTOR"] = "alice";
  repo_->checkout("v1.1.0");
  repo_->reset_hard();
  auto back = runner_.run({"apply", "--env", "prod", "--rollback", "--trusted-ref", "main"}, "workflow_dispatch",
                          runner_.workflow_dispatch_event("refs/tags/v1.1.0"), repo_->head_sha(), with_run);
  ASSERT_EQ(back.exit_code, 0) << back.out << back.err;
  EXPECT_NE(back.out.find("20260103000000_payments"), std::string::npos) << "the plan shows the down block\n" << back.out;
  ASSERT_EQ(runner_.same_job({"record-manifest", "--env", "prod"}, "workflow_dispatch", {}, repo_->head_sha(), with_run)
                .exit_code, 0);
  EXPECT_EQ(dbs_["prod"]->query_value("select max(version) from schema_migrations"), "20260102000000");
  EXPECT_EQ(dbs_["prod"]->query_value("select count(*) from information_schema.tables where table_name = 'payments'"),
            "0");
  EXPECT_EQ(dbs_["prod"]->query_value("select count(*) from users"), "1") << "the older tables keep their rows";
  auto after = describe("prod");
  EXPECT_EQ(row(after, "app-db")["git_sha"], m2);
  EXPECT_EQ(row(after, "app-db")["migration_version"], "20260102000000");
  // The rolled-back prod equals v1.1.0's snapshot: no drift.
  auto clean = job("prod", {"drift-verify", "--env", "prod"}, "schedule", schedule, "v1.1.0");
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_FALSE(runner_.token_leaked());
}

}  // namespace
}  // namespace converge::testing
