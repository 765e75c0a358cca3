// The attacker's side of apply integrity (issue 8, items 2, 4 and 10), with the
// real step executables as a runner runs them, the local GitHub API server, and
// real SQLite files and PostgreSQL databases:
//   - record-manifest records only a result this very job's apply wrote: a forged
//     result committed to the work tree, a result of another run, attempt, job or
//     commit, and a result whose MAC does not verify are refused, nothing recorded;
//   - drift-verify --apply only puts back the deploy the manifest recorded: a direct
//     push that apply refused is never applied by the nightly drift run;
//   - two applies at once apply a transaction:false migration exactly once, the
//     second waits or refuses naming the holder, and a killed apply's lock is released.
// Each refusal is checked for its reason and for what it left untouched (the
// manifest's rows, the target's tables); the honest path still passes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "steps/github_fixture.hpp"
#include "support/postgres.hpp"
#include "support/temp_dir.hpp"

namespace converge::testing {
namespace {

namespace fs = std::filesystem;


// True when the step outputs (GITHUB_OUTPUT, name<<delimiter form) set `name` to `value`.
bool output_set(const std::string& outputs, const std::string& name, const std::string& value) {
  for (auto pos = outputs.find(name + "<<"); pos != std::string::npos; pos = outputs.find(name + "<<", pos + 1)) {
    auto line = outputs.find('\n', pos);
    if (line != std::string::npos && outputs.compare(line + 1, value.size() + 1, value + "\n") == 0) return true;
  }
  return false;
}

class ApplyIntegrity : public GitHubFlowTest {
 protected:
  // Rows in the default manifest (.converge/manifest.db); "0" when it does not exist.
  // Rows record-manifest wrote (apply's own journal rows stay "interrupted" until then).
  std::string recorded() {
    auto n = sqlite_value(".converge/manifest.db", "select count(*) from deployments where status <> 'interrupted'");
    return n.empty() ? "0" : n;
  }

  RunResult dev_apply() {
    return step({"apply", "--env", "dev"}, "push", push_event("dev/feature", sha_), sha_);
  }
  RunResult record_in_this_job(const std::string& env, const std::map<std::string, std::string>& extra = {}) {
    return runner_.same_job({"record-manifest", "--env", env}, "push", push_event("dev/feature", sha_), sha_, extra);
  }
  fs::path result_file(const std::string& env) { return runner_.job_home() / ".converge" / ("apply-" + env + ".json"); }
};

// --- item 4: record-manifest trusts only a result of this run ---------------------

TEST_F(ApplyIntegrity, AForgedResultCommittedToTheWorkTreeIsNotRecorded) {
  // The attacker commits what an apply result looks like: fake approvers, PR, tag.
  nlohmann::json forged = {{"format", 2}, {"apply_id", "1001-1"}, {"run_id", "1001"}, {"run_attempt", "1"},
                           {"job", "deploy"}, {"environment", "prod"}, {"approvers", {"bob"}},
                           {"break_glass", ""}, {"git_sha", sha_}, {"git_ref", "refs/heads/main"},
                           {"git_tags", {"v9.9.9"}}, {"plan_hash", std::string(64, 'a')}, {"status", "success"},
                           {"pr_number", 7}, {"mac", std::string(64, '0')},
                           {"targets", {{{"target", "app-db"}, {"status", "success"},
                                         {"bundle_hash", std::string(64, 'b')}, {"version", "20991231000000"},
                                         {"applied", nlohmann::json::array()}, {"error", ""},
                                         {"managed", nullptr}}}}};
  dir_.write(".converge/apply-prod.json", forged.dump(2));
  sha_ = repo_->commit_all("a result file, committed");

  // The drift/deploy workflow's record step runs in a job whose apply wrote nothing.
  auto r = step({"record-manifest", "--env", "prod"}, "schedule", nlohmann::json::object(), sha_);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("is not trusted: it is in the work tree"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was recorded"), std::string::npos) << r.err;

  // Pointing --result at it explicitly changes nothing.
  auto explicit_path =
      step({"record-manifest", "--env", "prod", "--result", ".converge/apply-prod.json"}, "schedule", {}, sha_);
  EXPECT_EQ(explicit_path.exit_code, 1) << explicit_path.out << explicit_path.err;
  EXPECT_NE(explicit_path.err.find("it is in the work tree"), std::string::npos) << explicit_path.err;
  EXPECT_EQ(recorded(), "0");
  EXPECT_FALSE(fs::exists(dir_ / ".converge/prod.db"));
}

TEST_F(ApplyIntegrity, AResultOfAnotherRunAttemptOrJobIsRefusedAndTheHonestOneIsRecorded) {
  auto applied = dev_apply();
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  ASSERT_TRUE(fs::exists(result_file("dev"))) << "in a container action the result lives in the job's HOME";
  EXPECT_FALSE(fs::exists(dir_ / ".converge/apply-dev.json")) << "never in the work tree";
  const fs::path first_job_home = runner_.job_home();

  // Another run that finds the first run's result (and key) in its temp directory.
  auto other_run = step({"record-manifest", "--env", "dev"}, "push", push_event("dev/feature", sha_), sha_,
                        {{"HOME", first_job_home.string()}});
  EXPECT_EQ(other_run.exit_code, 1) << other_run.out << other_run.err;
  EXPECT_NE(other_run.err.find("it is from run 1001, not this run 1002"), std::string::npos) << other_run.err;

  // Back in the first run's job: a re-run attempt, then another job.
  auto attempt = record_in_this_job("dev", {{"HOME", first_job_home.string()}, {"GITHUB_RUN_ATTEMPT", "2"},
                                            {"GITHUB_RUN_ID", "1001"}});
  EXPECT_EQ(attempt.exit_code, 1) << attempt.out << attempt.err;
  EXPECT_NE(attempt.err.find("it is from attempt 1, not this attempt 2"), std::string::npos) << attempt.err;
  auto job = record_in_this_job("dev", {{"HOME", first_job_home.string()}, {"GITHUB_RUN_ID", "1001"},
                                        {"GITHUB_JOB", "drift"}});
  EXPECT_EQ(job.exit_code, 1) << job.out << job.err;
  EXPECT_NE(job.err.find("it is from job 'deploy', not this job 'drift'"), std::string::npos) << job.err;
  EXPECT_EQ(recorded(), "0");

  auto honest = record_in_this_job("dev", {{"HOME", first_job_home.string()}, {"GITHUB_RUN_ID", "1001"}});
  ASSERT_EQ(honest.exit_code, 0) << honest.out << honest.err;
  EXPECT_EQ(recorded(), "1");
  EXPECT_EQ(sqlite_value(".converge/manifest.db", "select run_id || '/' || run_attempt || ' ' || git_sha from deployments"),
            "1001/1 " + sha_);
}

TEST_F(ApplyIntegrity, AResultForAnotherCommitIsRefused) {
  ASSERT_EQ(dev_apply().exit_code, 0);
  dir_.write("README.md", "moved on\n");
  const auto moved = repo_->commit_all("HEAD moved after the apply");
  auto r = record_in_this_job("dev");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("it is for commit " + sha_.substr(0, 12) + ", not the checked-out commit " +
                       moved.substr(0, 12)),
            std::string::npos)
      << r.err;
  EXPECT_EQ(recorded(), "0");
}

TEST_F(ApplyIntegrity, ATamperedResultIsRefusedByItsMac) {
  ASSERT_EQ(dev_apply().exit_code, 0);
  auto result = nlohmann::json::parse(slurp(result_file("dev")));
  ASSERT_EQ(result["mac"].get<std::string>().size(), 64u);
  result["approvers"] = {"bob"};
  result["pr_number"] = 7;
  std::ofstream(result_file("dev")) << result.dump(2);

  auto r = record_in_this_job("dev");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("its MAC does not verify with this job's result key"), std::string::npos) << r.err;
  EXPECT_EQ(recorded(), "0");
}

TEST_F(ApplyIntegrity, OnTheRunnerItselfTheResultLivesInRunnerTempAndIsRecorded) {
  // A step run on the runner's host (not a container action): RUNNER_TEMP exists.
  TempDir runner_temp;
  const std::map<std::string, std::string> host = {{"RUNNER_TEMP", runner_temp.path().string()}};
  auto applied = step({"apply", "--env", "dev"}, "push", push_event("dev/feature", sha_), sha_, host);
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_TRUE(fs::exists(runner_temp.path() / "converge" / "apply-dev.json"));
  EXPECT_FALSE(fs::exists(result_file("dev"))) << "RUNNER_TEMP, when it is there, is the job's directory";
  auto r = record_in_this_job("dev", host);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(recorded(), "1");
}

TEST_F(ApplyIntegrity, AContainerWhoseHomeIsTheWorkTreeAppliesNothing) {
  // RUNNER_TEMP not mounted, and HOME pointing into the checkout (the PR's code):
  // there is nowhere to keep a result that nobody could have planted.
  auto r = step({"apply", "--env", "dev"}, "push", push_event("dev/feature", sha_), sha_,
                {{"HOME", (dir_ / "db").string()}});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("is not a directory here and HOME is not one outside the work tree"), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_ / ".converge/dev.db")) << "nothing was applied";
  EXPECT_EQ(recorded(), "0");
}

TEST_F(ApplyIntegrity, AResultPlantedInAJobWhoseApplyNeverRanIsRefused) {
  ASSERT_EQ(dev_apply().exit_code, 0);
  const auto good = slurp(result_file("dev"));
  // A new job (its own HOME, no apply, so no result key) in which a copy of
  // a good result appears where apply would have written one.
  ASSERT_EQ(step({"describe", "--env", "dev"}, "push", push_event("dev/feature", sha_), sha_).exit_code, 0);
  fs::create_directories(result_file("dev").parent_path());
  std::ofstream(result_file("dev")) << good;
  auto r = record_in_this_job("dev", {{"GITHUB_RUN_ID", "1001"}});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("this job has no result key"), std::string::npos) << r.err;
  EXPECT_EQ(recorded(), "0");
}

// --- item 2: drift --apply only restores the recorded deploy ----------------------

class DriftBypass : public ApplyIntegrity {
 protected:
  // What an honest, gated deploy of `sha` to prod leaves in the manifest: a row
  // with that commit and the bundle hash its plan reports (seeded directly, so
  // this test does not depend on the approval machinery it is not about).
  void record_prod_deploy_of(const std::string& sha) {
    auto planned = converge({"plan", "--env", "prod", "--out", "plan.json"});
    ASSERT_EQ(planned.exit_code, 0) << planned.err;
    auto bundle = nlohmann::json::parse(slurp(dir_ / "plan.json"))["targets"][0]["bundle_hash"].get<std::string>();
    ASSERT_EQ(converge({"describe", "--env", "prod"}).exit_code, 0);  // creates the manifest's schema
    sqlite_exec(".converge/manifest.db",
                "insert into deployments (git_sha, git_ref, git_tag, migration_version, bundle_hash, plan_hash,"
                " environment, target, status, deployed_at, deployed_by, run_url, run_id, run_attempt, pr_number,"
                " approvers, break_glass) values ('" + sha + "', 'refs/heads/main', '', '20260101000000', '" +
                    bundle + "', '', 'prod', 'app-db', 'success', '2026-12-01T00:00:00Z', 'deployer', '', '900',"
                    " '1', 7, 'bob', '')");
  }

  RunResult nightly_drift_apply() {
    // The 1 AM run: a schedule event, and no token at all.
    return step({"drift-verify", "--env", "prod", "--apply"}, "schedule", {{"schedule", "0 1 * * *"}},
                repo_->head_sha(), {{"GITHUB_TOKEN", ""}});
  }

  void push_a_drop_table() {
    dir_.write("db/migrations/20260105000000_drop_users.sql",
               "-- migrate:up\ndrop table users;\n-- migrate:down\n");
    dir_.write("db/migrations/20260106000000_audit.sql",
               "-- migrate:up transaction:false\ncreate table audit_off (id integer);\n-- migrate:down\n");
    const auto pushed = repo_->commit_all("direct push to main");
    auto refused = step({"apply", "--env", "prod"}, "push", push_event("main", pushed), pushed);
    ASSERT_EQ(refused.exit_code, 1) << "apply refuses a direct push: " << refused.out << refused.err;
  }
};

TEST_F(DriftBypass, ADirectPushIsNotAppliedByTheNightlyDriftRunWhenNothingIsRecorded) {
  push_a_drop_table();
  auto r = nightly_drift_apply();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("nothing is recorded as running in prod"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was applied"), std::string::npos) << r.err;
  EXPECT_FALSE(output_set(file("output.txt"), "applied", "true")) << "no result, so nothing to record";
  EXPECT_FALSE(fs::exists(dir_ / ".converge/prod.db"));
}

TEST_F(DriftBypass, ADirectPushIsNotAppliedOverTheRecordedDeployAndTheRecordedOneIsRestored) {
  const auto approved = sha_;
  record_prod_deploy_of(approved);
  push_a_drop_table();
  const auto pushed = repo_->head_sha();

  auto r = nightly_drift_apply();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("prod runs " + approved.substr(0, 12) + " (target app-db, recorded), but the checkout is " +
                       pushed.substr(0, 12)),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("nothing was applied"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / ".converge/prod.db")) << "neither the drop nor the recorded migrations ran";
  EXPECT_FALSE(fs::exists(result_file("prod")));

  // The honest nightly run at the recorded commit puts prod back as recorded.
  repo_->checkout(approved);
  auto restored = nightly_drift_apply();
  ASSERT_EQ(restored.exit_code, 0) << restored.out << restored.err;
  EXPECT_NE(restored.out.find("Drift reconciled"), std::string::npos) << restored.out;
  EXPECT_TRUE(output_set(file("output.txt"), "applied", "true"));
  EXPECT_EQ(sqlite_value(".converge/prod.db", "select max(version) from schema_migrations"), "20260101000000");
  EXPECT_EQ(sqlite_value(".converge/prod.db", "select count(*) from sqlite_master where name = 'audit_off'"), "0");
  auto rec = runner_.same_job({"record-manifest", "--env", "prod"}, "schedule", {}, approved);
  EXPECT_EQ(rec.exit_code, 0) << rec.out << rec.err;
  EXPECT_EQ(recorded(), "2");
}

// --- item 10: two applies at once ------------------------------------------------

// A child process of `converge <args>` that the test can kill.
class Child {
 public:
  Child(const std::vector<std::string>& args, const fs::path& cwd, const std::map<std::string, std::string>& env)
      : pid_(start_step("converge", args, cwd, env, io_ / "stdout", io_ / "stdout")) {}
  ~Child() {
    if (pid_ > 0) kill9();
  }
  void kill9() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // The exit code once the child ends; -1 if it did not exit normally.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string output() const { return slurp(io_ / "stdout"); }

 private:
  TempDir io_;
  pid_t pid_ = -1;
};

// dev (no gates) with its database at ${APP_DB_URL}: SQLite or PostgreSQL.
class ConcurrentApply : public RepoTest {
 protected:
  void SetUp() override {
    RepoTest::SetUp();
    dir_.write("converge.yaml", R"(environments:
  - {name: dev, branch: "dev/**", secrets: [APP_DB_URL]}
targets:
  - name: app-db
    provider: sql
    settings:
      url: ${APP_DB_URL}
)");
    repo_->commit_all("app-db's URL is a declared secret");  // the environment branch's rules before the change
  }

  // A transaction:false migration that counts its runs in `hits` and then takes a while.
  void slow_migration(const std::string& slow_sql) {
    dir_.write("db/migrations/20260102000000_hits.sql",
               "-- migrate:up transaction:false\ncreate table if not exists hits (n integer);\n"
               "insert into hits values (1);\n" + slow_sql + "\n-- migrate:down\n");
    repo_->commit_all("a slow transaction:false migration");
  }

  RunResult apply(const std::string& url, std::map<std::string, std::string> env = {}) {
    env["APP_DB_URL"] = url;
    return converge({"apply", "--env", "dev"}, env);
  }

  // Two applies started together; both must end, in any order.
  std::pair<RunResult, RunResult> two_at_once(const std::string& url, std::map<std::string, std::string> second = {}) {
    auto a = std::async(std::launch::async, [&] { return apply(url); });
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    auto b = std::async(std::launch::async, [&] { return apply(url, second); });
    return {a.get(), b.get()};
  }
};

constexpr std::string_view kSqliteSlow =
    "with recursive c(x) as (select 1 union all select x + 1 from c where x < 8000000) select count(*) from c;";

TEST_F(ConcurrentApply, TwoAppliesAtOnceOnSqliteApplyATransactionFalseMigrationOnce) {
  slow_migration(std::string(kSqliteSlow));
  const std::string url = "sqlite:///.converge/app.db";
  auto [first, second] = two_at_once(url);
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE((first.out + second.out).find("for the apply lock of target app-db, held by a local run"),
            std::string::npos)
      << "the second apply waited for the first: " << first.out << second.out;
  EXPECT_NE((first.out + second.out).find("Nothing to apply"), std::string::npos) << first.out << second.out;
  EXPECT_EQ(sqlite_value(".converge/app.db", "select count(*) from hits"), "1") << "applied exactly once";
  EXPECT_EQ(sqlite_value(".converge/app.db", "select count(*) from schema_migrations"), "2");
}

TEST_F(ConcurrentApply, ASecondApplyThatWaitsTooLongRefusesNamingTheHolder) {
  slow_migration(std::string(kSqliteSlow));
  const std::string url = "sqlite:///.converge/app.db";
  // The first apply holds the lock once its slow migration has started (a sleep instead of this wait let the
  // second apply win the lock on a busy machine, and the test then failed for the wrong reason).
  Child first({"apply", "--env", "dev"}, dir_.path(), {{"GITHUB_ACTIONS", "false"}, {"APP_DB_URL", url}});
  for (int i = 0; i < 400 && sqlite_value(".converge/app.db", "select count(*) from sqlite_master where name = "
                                                              "'hits'") != "1";
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  auto second = apply(url, {{"CONVERGE_LOCK_TIMEOUT_MS", "200"}});
  EXPECT_EQ(first.wait(), 0) << first.output();
  EXPECT_EQ(second.exit_code, 1) << second.out << second.err;
  EXPECT_NE(second.err.find("is held by a local run"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find(", pid "), std::string::npos) << second.err;
  EXPECT_NE(second.err.find(", since 20"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("nothing was applied"), std::string::npos) << second.err;
  EXPECT_EQ(sqlite_value(".converge/app.db", "select count(*) from hits"), "1");
}

TEST_F(ConcurrentApply, TwoAppliesAtOnceOnPostgresApplyATransactionFalseMigrationOnce) {
  CONVERGE_REQUIRE_POSTGRES();
  ScratchDatabase db;
  slow_migration("select pg_sleep(1.5);");
  auto [first, second] = two_at_once(db.url());
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE((first.out + second.out).find("for the apply lock of target app-db, held by a local run"),
            std::string::npos)
      << first.out << second.out;
  EXPECT_EQ(db.query_value("select count(*) from hits"), "1") << "applied exactly once";
  EXPECT_EQ(db.query_value("select count(*) from schema_migrations"), "2");
}

TEST_F(ConcurrentApply, AKilledApplysPostgresLockIsReleasedAndTheNextApplyProceeds) {
  CONVERGE_REQUIRE_POSTGRES();
  ScratchDatabase db;
  db.exec("create table sleep_for (s float); insert into sleep_for values (60)");
  slow_migration("select pg_sleep((select s from sleep_for));");
  Child killed({"apply", "--env", "dev"}, dir_.path(), {{"GITHUB_ACTIONS", "false"}, {"APP_DB_URL", db.url()}});
  auto held = [&] {
    return db.query_value("select count(*) from pg_locks where locktype = 'advisory' and granted and database = "
                          "(select oid from pg_database where datname = current_database())") == "1";
  };
  for (int i = 0; i < 200 && !(held() && db.query_value("select count(*) from pg_stat_activity where query like "
                                                        "'%pg_sleep((select s%' and state = 'active' and datname = "
                                                        "current_database()") != "0");
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(held()) << killed.output();
  auto waiting = apply(db.url(), {{"CONVERGE_LOCK_TIMEOUT_MS", "300"}});
  EXPECT_EQ(waiting.exit_code, 1) << waiting.out << waiting.err;
  EXPECT_NE(waiting.err.find("is held by a local run"), std::string::npos) << waiting.err;

  killed.kill9();  // mid-migration
  db.exec("update sleep_for set s = 0");
  const auto start = std::chrono::steady_clock::now();
  auto next = apply(db.url(), {{"CONVERGE_LOCK_TIMEOUT_MS", "20000"}});
  EXPECT_EQ(next.exit_code, 0) << next.out << next.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15))
      << "neither the lock nor the killed run's statement outlived it";
  EXPECT_EQ(db.query_value("select count(*) from schema_migrations where version = '20260102000000'"), "1");
  EXPECT_EQ(db.query_value("select count(*) from hits"), "1") << "the killed run's statement was cancelled";
}

TEST_F(ConcurrentApply, AKilledApplysSqliteLockIsReleasedAndTheNextApplyProceeds) {
  dir_.write("db/migrations/20260101500000_sleep.sql",
             "-- migrate:up\ncreate table sleep_for (n integer);\ninsert into sleep_for values (400000000);\n"
             "-- migrate:down\n");
  slow_migration("with recursive c(x) as (select 1 union all select x + 1 from c where x < (select n from sleep_for))"
                 " select count(*) from c;");
  const std::string url = "sqlite:///.converge/app.db";
  Child killed({"apply", "--env", "dev"}, dir_.path(), {{"GITHUB_ACTIONS", "false"}, {"APP_DB_URL", url}});
  for (int i = 0; i < 200 && sqlite_value(".converge/app.db", "select count(*) from hits") != "1"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(sqlite_value(".converge/app.db", "select count(*) from hits"), "1") << killed.output();
  auto waiting = apply(url, {{"CONVERGE_LOCK_TIMEOUT_MS", "300"}});
  EXPECT_EQ(waiting.exit_code, 1) << waiting.out << waiting.err;
  EXPECT_NE(waiting.err.find("is held by a local run"), std::string::npos) << waiting.err;

  killed.kill9();  // mid-migration
  sqlite_exec(".converge/app.db", "update sleep_for set n = 1");
  auto next = apply(url, {{"CONVERGE_LOCK_TIMEOUT_MS", "20000"}});
  EXPECT_EQ(next.exit_code, 0) << next.out << next.err;
  EXPECT_EQ(sqlite_value(".converge/app.db", "select count(*) from schema_migrations where version = '20260102000000'"),
            "1");
}

}  // namespace
}  // namespace converge::testing
