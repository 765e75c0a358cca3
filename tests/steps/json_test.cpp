// --json, "-" paths and plan --detailed-exitcode through the built executables:
// standard output parses as exactly one document of the documented shape, the text
// is on standard error, errors are the error object, and exit codes are as documented.
#include <nlohmann/json.hpp>

#include <regex>

#include "steps/repo_fixture.hpp"

namespace converge::testing {
namespace {

using json = nlohmann::json;
using Json = RepoTest;

// The whole of standard output as one JSON document (a parse error fails the test).
json document(const RunResult& r) {
  auto j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "stdout is not one JSON document:\n" << r.out << "\nstderr:\n" << r.err;
  return j.is_discarded() ? json::object() : j;
}

void expect_error_document(const RunResult& r, int exit_code, const std::string& message_part) {
  EXPECT_EQ(r.exit_code, exit_code) << r.out << r.err;
  auto j = document(r);
  ASSERT_TRUE(j.contains("error")) << r.out;
  EXPECT_EQ(j["format"], 1);
  EXPECT_EQ(j["error"]["exit_code"], exit_code);
  EXPECT_TRUE(j["error"]["message"].is_string());
  EXPECT_NE(j["error"]["message"].get<std::string>().find(message_part), std::string::npos) << r.out;
  EXPECT_TRUE(j["error"]["file"].is_string());
  EXPECT_TRUE(j["error"]["line"].is_number_integer());
}

TEST_F(Json, PlanJsonIsOneDocumentOnStdoutAndTheTextGoesToStderr) {
  auto r = converge({"plan", "--env", "dev", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = document(r);
  EXPECT_EQ(j["format"], 1);
  EXPECT_EQ(j["environment"], "dev");
  EXPECT_EQ(j["git_sha"], sha_);
  EXPECT_EQ(j["has_changes"], true);
  EXPECT_EQ(j["has_errors"], false);
  EXPECT_EQ(j["destructive"], false);
  EXPECT_EQ(j["counts"], (json{{"create", 1}, {"update", 0}, {"delete", 0}, {"replace", 0}, {"total", 1}}));
  ASSERT_EQ(j["targets"].size(), 1u);
  EXPECT_EQ(j["targets"][0]["target"], "app-db");
  EXPECT_EQ(j["targets"][0]["provider"], "sql");
  EXPECT_EQ(j["targets"][0]["counts"]["create"], 1);
  EXPECT_EQ(j["plan"]["plan_hash"], j["plan_hash"]);
  EXPECT_EQ(j["plan"]["targets"][0]["changes"][0]["key"], "20260101000000_users");
  EXPECT_NE(r.err.find("1 to create"), std::string::npos) << "the plan's text is on stderr: " << r.err;

  // jq .plan is a plan.json apply --plan accepts.
  dir_.write("reviewed.json", j["plan"].dump());
  auto applied = converge({"apply", "--env", "dev", "--plan", "reviewed.json"});
  EXPECT_EQ(applied.exit_code, 0) << applied.err;
}

TEST_F(Json, DetailedExitcodeIsZeroTwoOrOne) {
  EXPECT_EQ(converge({"plan", "--env", "dev", "--detailed-exitcode"}).exit_code, 2) << "a migration to create";
  EXPECT_EQ(converge({"plan", "--env", "dev"}).exit_code, 0) << "without the flag, changes exit 0";
  ASSERT_EQ(converge({"apply", "--env", "dev"}).exit_code, 0);
  EXPECT_EQ(converge({"plan", "--env", "dev", "--detailed-exitcode"}).exit_code, 0) << "nothing to change";

  // A lint rule set to error: the plan has errors (and changes).
  dir_.write("converge.yaml", std::string(kSqliteConfig) + "      lint: {destructive/drop-table: error}\n");
  dir_.write("db/migrations/20260102000000_drop.sql", "-- migrate:up\ndrop table users;\n-- migrate:down\n");
  auto errors = converge({"plan", "--env", "dev", "--detailed-exitcode", "--json"});
  EXPECT_EQ(errors.exit_code, 1) << errors.err;
  EXPECT_EQ(document(errors)["has_errors"], true);
}

TEST_F(Json, UnderDetailedExitcodeConfigurationAndUsageErrorsExitOneNeverTwo) {
  dir_.write("converge.yaml", std::string(kSqliteConfig) + "    bogus: 1\n");
  auto config = converge({"plan", "--env", "dev", "--detailed-exitcode"});
  EXPECT_EQ(config.exit_code, 1) << config.err;
  EXPECT_NE(config.err.find("unknown key 'bogus'"), std::string::npos) << config.err;
  EXPECT_EQ(converge({"plan", "--env", "dev"}).exit_code, 2) << "without the flag a config error is 2";
  EXPECT_EQ(converge({"plan", "--env", "dev", "--detailed-exitcode", "--no-such-flag"}).exit_code, 1);
  EXPECT_EQ(converge({"plan", "--detailed-exitcode"}).exit_code, 1) << "--env missing";
}

TEST_F(Json, AConfigErrorWithJsonIsTheErrorObjectWithFileAndLine) {
  dir_.write("converge.yaml", std::string(kSqliteConfig) + "    bogus: 1\n");
  auto r = converge({"plan", "--env", "dev", "--json"});
  expect_error_document(r, 2, "unknown key 'bogus'");
  auto j = document(r);
  EXPECT_EQ(j["error"]["file"], "converge.yaml");
  EXPECT_EQ(j["error"]["line"], 11);
  EXPECT_NE(r.err.find("converge.yaml:11:5"), std::string::npos) << "the error is on stderr too: " << r.err;

  for (const auto& step : {"apply", "drift-verify"}) expect_error_document(converge({step, "--env", "dev", "--json"}), 2, "bogus");
  expect_error_document(converge({"describe", "--json"}), 2, "bogus");
}

TEST_F(Json, AFlagTheParserRefusesIsAJsonErrorToo) {
  auto unknown = converge({"plan", "--env", "dev", "--json", "--no-such-flag"});
  expect_error_document(unknown, 2, "no-such-flag");
  expect_error_document(converge({"apply", "--json"}), 2, "--env is required");
  auto environment = converge({"drift-verify", "--env", "qa", "--json"});
  EXPECT_EQ(document(environment).contains("error"), true) << environment.out;
}

TEST_F(Json, DashWritesTheFileToStdoutAndNothingElse) {
  auto out = converge({"plan", "--env", "dev", "--out", "-"});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  auto plan = document(out);
  EXPECT_EQ(plan["format"], 1);
  EXPECT_EQ(plan["environment"], "dev");
  EXPECT_TRUE(plan.contains("targets"));
  EXPECT_NE(out.err.find("1 to create"), std::string::npos) << out.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "-"));

  auto sarif = converge({"plan", "--env", "dev", "--sarif", "-"});
  ASSERT_EQ(sarif.exit_code, 0) << sarif.err;
  EXPECT_EQ(document(sarif)["version"], "2.1.0");

  auto bundles = converge({"compile", "--env", "dev", "--out", "-"});
  ASSERT_EQ(bundles.exit_code, 0) << bundles.err;
  auto compiled = document(bundles);
  EXPECT_EQ(compiled["format"], 1);
  ASSERT_EQ(compiled["targets"].size(), 1u);
  EXPECT_EQ(compiled["targets"][0]["target"], "app-db");
  EXPECT_EQ(compiled["targets"][0]["bundle_hash"].get<std::string>().size(), 64u);
  EXPECT_FALSE(compiled["targets"][0]["files"].empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "-")) << "no directory named -";
  EXPECT_FALSE(std::filesystem::exists(dir_ / "bundles"));

  auto comment = converge({"plan-comment", "--env", "dev", "--pr", "7", "--dry-run", "--out", "-"});
  ASSERT_EQ(comment.exit_code, 0) << comment.err;
  EXPECT_EQ(document(comment)["environment"], "dev");
  EXPECT_NE(comment.err.find("Preview"), std::string::npos) << "the comment preview is on stderr: " << comment.err;
}

TEST_F(Json, TwoFlagsThatWantStdoutAreAUsageErrorNamingBoth) {
  auto two = converge({"plan", "--env", "dev", "--out", "-", "--sarif=-"});
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_EQ(two.out, "") << "nothing half-written";
  EXPECT_NE(two.err.find("--out - and --sarif - both write to standard output"), std::string::npos) << two.err;

  auto with_json = converge({"plan", "--env", "dev", "--json", "--out", "-"});
  expect_error_document(with_json, 2, "--json and --out - both write to standard output");
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".converge/dev.db")) << "nothing was planned";
}

TEST_F(Json, ApplyJsonSaysWhatWasAppliedPerTarget) {
  auto dry = converge({"apply", "--env", "dev", "--dry-run", "--json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  auto d = document(dry);
  EXPECT_EQ(d["status"], "dry-run");
  EXPECT_EQ(d["dry_run"], true);
  EXPECT_TRUE(d["result"].is_null());
  EXPECT_TRUE(d["gates"].is_array());

  auto r = converge({"apply", "--env", "dev", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = document(r);
  EXPECT_EQ(j["format"], 1);
  EXPECT_EQ(j["status"], "success");
  EXPECT_EQ(j["dry_run"], false);
  EXPECT_EQ(j["has_changes"], true);
  EXPECT_EQ(j["result"]["targets"][0]["target"], "app-db");
  EXPECT_EQ(j["result"]["targets"][0]["status"], "success");
  EXPECT_EQ(j["result"]["targets"][0]["applied"], json::array({"20260101000000_users"}));
  EXPECT_EQ(j["result"]["targets"][0]["version"], "20260101000000");
  EXPECT_EQ(j["result"]["plan_hash"], j["plan_hash"]);
  EXPECT_NE(r.err.find("Applied dev"), std::string::npos) << r.err;

  auto again = document(converge({"apply", "--env", "dev", "--json"}));
  EXPECT_EQ(again["has_changes"], false);
  EXPECT_EQ(again["result"]["targets"][0]["applied"], json::array());
}

TEST_F(Json, ARefusedApplyIsTheErrorObject) {
  // prod needs an approved pull request; without a token that cannot be verified.
  auto r = converge({"apply", "--env", "prod", "--json"});
  expect_error_document(r, 1, "requires 1 approval");
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".converge/prod.db"));
}

TEST_F(Json, DriftVerifyJsonSaysPerTargetWhetherItDrifted) {
  auto none = converge({"apply", "--env", "dev"});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  auto clean = converge({"drift-verify", "--env", "dev", "--json"});
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  auto c = document(clean);
  EXPECT_EQ(c["format"], 1);
  EXPECT_EQ(c["drift"], false);
  EXPECT_EQ(c["drift_remains"], false);
  EXPECT_EQ(c["applied"], false);
  EXPECT_EQ(c["targets"][0]["drift"], false);
  EXPECT_EQ(c["targets"][0]["items"], json::array());
  EXPECT_TRUE(c["remaining"].is_null());

  dir_.write("db/migrations/20260102000000_posts.sql", kPosts);
  auto drift = converge({"drift-verify", "--env", "dev", "--json"});
  EXPECT_EQ(drift.exit_code, 1) << drift.err;
  auto d = document(drift);
  EXPECT_EQ(d["drift"], true);
  EXPECT_EQ(d["drift_remains"], true);
  EXPECT_EQ(d["reconciled"], false);
  ASSERT_EQ(d["targets"][0]["items"].size(), 1u);
  EXPECT_EQ(d["targets"][0]["items"][0]["key"], "20260102000000_posts");
  EXPECT_EQ(d["targets"][0]["items"][0]["action"], "create");
  EXPECT_FALSE(d["targets"][0]["items"][0].contains("after")) << "items name the change, the plan has its content";
  EXPECT_NE(drift.err.find("drift in dev"), std::string::npos) << drift.err;
}

TEST_F(Json, DescribeJsonFieldsAreTypedAsDocumented) {
  repo_->tag_lightweight("v1.0.0");
  ASSERT_EQ(converge({"apply", "--env", "dev"}).exit_code, 0);
  ASSERT_EQ(converge({"record-manifest", "--env", "dev"}, {{"GITHUB_ACTOR", "alice"}}).exit_code, 0);
  auto r = converge({"describe", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = document(r);
  EXPECT_EQ(j["format"], 1);
  EXPECT_TRUE(j["history"].is_null());
  EXPECT_EQ(j["environments"]["prod"], json::array()) << "every environment, nothing recorded in prod";
  ASSERT_EQ(j["environments"]["dev"].size(), 1u);
  const auto& row = j["environments"]["dev"][0];
  EXPECT_TRUE(row["id"].is_number_integer());
  EXPECT_TRUE(row["pr_number"].is_null());
  EXPECT_EQ(row["approvers"], json::array());
  EXPECT_EQ(row["git_tags"], json::array({"v1.0.0"}));
  EXPECT_EQ(row["applied"], json::array({"20260101000000_users"}));
  EXPECT_TRUE(std::regex_match(row["deployed_at"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
      << row["deployed_at"];
  for (const auto* field : {"environment", "target", "status", "git_sha", "git_ref", "migration_version",
                            "bundle_hash", "plan_hash", "deployed_by", "run_url", "break_glass"})
    EXPECT_TRUE(row[field].is_string()) << field;

  auto history = document(converge({"describe", "--env", "dev", "--history", "5", "--json"}));
  EXPECT_EQ(history["history"], 5);
  EXPECT_EQ(history["environments"]["dev"].size(), 1u);
}

TEST_F(Json, ASecretInAConfigValueNeverAppearsInTheDocument) {
  const std::string secret = "canary-s3cret-4217";
  dir_.write("converge.yaml", "environments:\n  - {name: dev, branch: \"dev/**\", secrets: [DB_NAME]}\ntargets:\n"
                              "  - name: app-db\n    provider: sql\n    settings:\n"
                              "      url: sqlite:///.converge/${DB_NAME}/dev.db\n");
  repo_->commit_all("the database's name is a secret");
  dir_.write("README.md", "the trusted converge.yaml is the parent commit's\n");
  repo_->commit_all("readme");
  std::map<std::string, std::string> env = {{"DB_NAME", secret}};
  for (const auto& step : {"plan", "apply", "drift-verify"}) {
    auto r = converge({step, "--env", "dev", "--json"}, env);
    EXPECT_LE(r.exit_code, 1) << step << ": " << r.err;
    EXPECT_FALSE(document(r).empty()) << step;
    EXPECT_EQ(r.out.find(secret), std::string::npos) << step << ": " << r.out;
  }
  // The database's directory is a file: the error names the path (the secret), masked.
  std::filesystem::remove_all(dir_ / ".converge" / secret);
  dir_.write(".converge/" + secret, "not a directory");
  auto failed = converge({"apply", "--env", "dev", "--json"}, env);
  EXPECT_EQ(failed.exit_code, 3) << failed.err;
  EXPECT_TRUE(document(failed).contains("error")) << failed.out;
  EXPECT_EQ(failed.out.find(secret), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find("***"), std::string::npos) << "the error names the path, masked: " << failed.out;
}

TEST_F(Json, InARunnerTheWorkflowCommandsGoToStderrAndStdoutStaysTheDocument) {
  const std::string secret = "canary-runner-9931";
  TempDir runner_temp;
  auto r = run_step("converge", {"plan", "--env", "dev", "--json"}, dir_.path(),
                    {{"GITHUB_ACTIONS", "true"}, {"RUNNER_TEMP", runner_temp.path().string()}, {"GITHUB_TOKEN", secret}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(document(r)["environment"], "dev");
  EXPECT_EQ(r.out.find("::"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("::add-mask::" + secret), std::string::npos) << "the runner reads it on stderr: " << r.err;
}

TEST_F(Json, TheFlagsAreDeclaredWhereCompletionAndTheActionsReadThem) {
  auto flags_of = [&](const std::string& step) {
    auto r = run_step("converge-" + step, {"--flags-json"}, dir_.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::string> help;
    const auto flags = document(r)["flags"];
    for (const auto& f : flags) help[f["long"]] = f["help"];
    return help;
  };
  auto plan = flags_of("plan");
  EXPECT_TRUE(plan.contains("json") && plan.contains("detailed-exitcode"));
  for (const auto* step : {"apply", "drift-verify", "describe"}) EXPECT_TRUE(flags_of(step).contains("json")) << step;
  // Every flag that writes a file says "-" is standard output (run_guarded reads that).
  for (const auto& [step, flag] : std::vector<std::pair<std::string, std::string>>{
           {"plan", "out"}, {"plan", "sarif"}, {"plan-comment", "out"}, {"plan-comment", "sarif"}, {"compile", "out"}})
    EXPECT_TRUE(flags_of(step)[flag].ends_with("; - for standard output")) << step << " --" << flag;
}

}  // namespace
}  // namespace converge::testing
