// Attacker tests: the gates come from the change being deployed (issue 8, items 3
// and 9). Each test plays a pull request author or a pusher who edits converge.yaml
// to get past the gates, or to read secrets the environment does not give the
// change, with the real step executables, a real git repository, the local GitHub
// API server and real SQLite targets; it asserts that nothing was applied and that
// the refusal says why. The honest paths (gates unchanged, declared secrets, the
// first adoption) still pass.
#include <gtest/gtest.h>

#include <sstream>

#include "steps/github_fixture.hpp"

namespace converge::testing {
namespace {

// The environment branch's converge.yaml before the attack: prod gated, with the
// one secret it may use declared.
constexpr std::string_view kTrusted = R"(environments:
  - {name: dev, branch: "dev/**"}
  - name: prod
    branch: main
    gates: {approvals: 1, distinct_approver: true, plan_pinning: true}
    secrets: [PROD_DB_FILE]
targets:
  - name: app-db
    provider: sql
    settings:
      url: sqlite:///.converge/${CONVERGE_ENV}.db
    overrides:
      prod:
        url: sqlite:///.converge/${PROD_DB_FILE}
)";

const std::string kHead = "c0ffee0000000000000000000000000000000001";
const std::string kSecretValue = "prod-3f9a1c.db";

class TrustedConfig : public GitHubFlowTest {
 protected:
  void SetUp() override {
    GitHubFlowTest::SetUp();
    dir_.write("converge.yaml", kTrusted);
    base_ = repo_->commit_all("prod gates and secrets");
  }

  // A commit on top of the environment branch with `config` as converge.yaml.
  std::string commit_config(std::string_view config, const std::string& message) {
    dir_.write("converge.yaml", config);
    dir_.write("db/migrations/20260109000000_drop.sql", "-- migrate:up\ndrop table users;\n-- migrate:down\n");
    return repo_->commit_all(message);
  }

  std::map<std::string, std::string> secrets() {
    return {{"PROD_DB_FILE", kSecretValue}, {"STOLEN_SECRET", "s3cr3t-do-not-print"}};
  }

  RunResult apply_pushed(const std::string& sha, const std::string& branch = "main",
                         const nlohmann::json& before = nullptr) {
    auto event = push_event(branch, sha);
    if (!before.is_null()) event["before"] = before;
    return step({"apply", "--env", "prod"}, "push", event, sha, secrets());
  }

  // Pull request `number` by `author` into main, merged as `merge_sha`, head kHead.
  void seed_merged_pull(int number, const std::string& author, const std::string& merge_sha) {
    github_.seed({{"pulls", {{{"number", number}, {"user", author}, {"state", "closed"}, {"merged", true},
                              {"merge_commit_sha", merge_sha}, {"head", {{"ref", "topic"}, {"sha", kHead}}},
                              {"base", {{"ref", "main"}}},
                              {"commits", {{{"sha", kHead}, {"author", author}, {"committer", author}}}}}}}});
  }
  // An open pull request `number` by `author` into main, head kHead.
  void seed_open_pull(int number, const std::string& author) {
    github_.seed({{"pulls", {{{"number", number}, {"user", author}, {"head", {{"ref", "topic"}, {"sha", kHead}}},
                              {"base", {{"ref", "main"}}}}}}});
  }

  bool prod_touched() const {
    return std::filesystem::exists(dir_ / ".converge/prod.db") || std::filesystem::exists(dir_ / ".converge" / kSecretValue);
  }

  // True when `text` is in the step's output other than in the runner's ::add-mask::
  // command (which must carry it: that is how the runner learns what to hide).
  static bool printed(const RunResult& r, const std::string& text) {
    std::istringstream lines(r.out + "\n" + r.err);
    for (std::string line; std::getline(lines, line);)
      if (!line.starts_with("::add-mask::") && line.find(text) != std::string::npos) return true;
    return false;
  }

  void expect_nothing_leaked(const RunResult& r) {
    EXPECT_FALSE(token_leaked());
    EXPECT_FALSE(printed(r, "s3cr3t-do-not-print"));
    EXPECT_EQ(file("output.txt").find("s3cr3t-do-not-print"), std::string::npos);
  }

  std::string base_;
};

std::string weakened(std::string_view gates_line) {
  std::string config(kTrusted);
  const std::string old = "    gates: {approvals: 1, distinct_approver: true, plan_pinning: true}\n";
  config.replace(config.find(old), old.size(), gates_line);
  return config;
}

TEST_F(TrustedConfig, ADirectPushThatSetsApprovalsToZeroIsJudgedByTheOldGates) {
  auto pushed = commit_config(weakened("    gates: {approvals: 0, distinct_approver: false, plan_pinning: false}\n"),
                              "prod needs no review any more");
  auto r = apply_pushed(pushed);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("without a pull request (a direct push); prod is gated, so nothing was applied"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("Gates, environments, branches and secrets from converge.yaml@" + base_.substr(0, 12)),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(prod_touched());
  expect_nothing_leaked(r);
}

TEST_F(TrustedConfig, ACommitThatRemovesTheGatesBlockIsJudgedByTheOldGates) {
  auto pushed = commit_config(weakened(""), "no gates");
  auto r = apply_pushed(pushed);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("prod is gated, so nothing was applied"), std::string::npos) << r.err;
  EXPECT_FALSE(prod_touched());
}

TEST_F(TrustedConfig, AMergedPullRequestThatWeakensTheGatesStillNeedsTheOldApproval) {
  auto merged = commit_config(weakened("    gates: {approvals: 0}\n"), "Merge pull request #8: relax prod");
  seed_merged_pull(8, "mallory", merged);
  auto r = apply_pushed(merged);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("approval gate: pull request #8 has 0 qualifying approvals"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 required"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("approval gate: none required"), std::string::npos) << r.out;
  EXPECT_FALSE(prod_touched());
}

TEST_F(TrustedConfig, SeveralCommitsPushedAtOnceAreJudgedByTheBranchBeforeThePush) {
  // The first commit weakens the gates, the second is harmless: the second's first
  // parent is the attacker's own commit, so only the push's `before` is trusted.
  commit_config(weakened("    gates: {approvals: 0, distinct_approver: false, plan_pinning: false}\n"), "relax");
  dir_.write("README.md", "harmless\n");
  auto tip = repo_->commit_all("docs");
  auto r = apply_pushed(tip, "main", base_);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("prod is gated, so nothing was applied"), std::string::npos) << r.err;
  EXPECT_FALSE(prod_touched());
}

TEST_F(TrustedConfig, DuplicateApprovalsKeysAreRefusedWithFileAndLine) {
  auto pushed = commit_config(weakened("    gates:\n      approvals: 0\n      approvals: 1\n"), "which one?");
  auto r = apply_pushed(pushed);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("converge.yaml:7:7: duplicate key 'approvals' (first at line 6)"), std::string::npos) << r.err;
  EXPECT_FALSE(prod_touched());
}

TEST_F(TrustedConfig, APushFromAnotherBranchIsRefusedWhateverTheChangeSaysTheBranchIs) {
  std::string config(kTrusted);
  config.replace(config.find("branch: main"), 12, "branch: \"**\"");
  auto pushed = commit_config(config, "prod deploys from anywhere");
  auto r = apply_pushed(pushed, "dev/evil");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("the pushed branch 'dev/evil' does not deploy prod (the trusted converge.yaml says branch "
                       "'main'): nothing was applied"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(prod_touched());
}

TEST_F(TrustedConfig, AnEnvironmentTheTrustedCopyDoesNotHaveCannotBeApplied) {
  std::string config(kTrusted);
  config.insert(config.find("targets:"), "  - {name: shadow, branch: main}\n");
  auto pushed = commit_config(config, "a new, ungated environment");
  auto r = step({"apply", "--env", "shadow"}, "push", push_event("main", pushed), pushed);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("environment shadow is not in the trusted converge.yaml"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".converge/shadow.db"));
}

TEST_F(TrustedConfig, APullRequestThatExpandsTheTokenFailsToPlanNamingItAndNeverPrintsIt) {
  std::string config(kTrusted);
  config.replace(config.find("${PROD_DB_FILE}"), 15, "${GITHUB_TOKEN}.db");
  commit_config(config, "exfiltrate the token");
  seed_open_pull(9, "mallory");
  auto planned = step({"plan-comment"}, "pull_request", pull_request_event(9, "main", kHead), repo_->head_sha(),
                      secrets());
  EXPECT_EQ(planned.exit_code, 2) << planned.out << planned.err;
  EXPECT_NE(planned.err.find("variable GITHUB_TOKEN is reserved: converge never expands it"), std::string::npos)
      << planned.err;
  EXPECT_TRUE(github_.comments(9).empty());
  auto applied = apply_pushed(repo_->head_sha());
  EXPECT_EQ(applied.exit_code, 2) << applied.out << applied.err;
  EXPECT_NE(applied.err.find("GITHUB_TOKEN"), std::string::npos);
  EXPECT_FALSE(prod_touched());
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".converge" / (github_.token() + ".db")));
  expect_nothing_leaked(applied);
}

TEST_F(TrustedConfig, APullRequestThatReferencesAnUndeclaredSecretFailsNamingIt) {
  std::string config(kTrusted);
  config += "  - name: beacon\n    provider: sql\n    environments: [prod]\n    settings:\n"
            "      url: sqlite:///.converge/${STOLEN_SECRET}.db\n";
  auto pushed = commit_config(config, "one more target");
  seed_open_pull(10, "mallory");
  auto planned =
      step({"plan-comment"}, "pull_request", pull_request_event(10, "main", kHead), pushed, secrets());
  EXPECT_EQ(planned.exit_code, 2) << planned.out << planned.err;
  EXPECT_NE(planned.err.find("converge.yaml:19:12: variable STOLEN_SECRET is not declared in the trusted "
                             "converge.yaml for prod"),
            std::string::npos)
      << planned.err;
  auto applied = apply_pushed(pushed);
  EXPECT_EQ(applied.exit_code, 2) << applied.out << applied.err;
  EXPECT_NE(applied.err.find("variable STOLEN_SECRET is not declared"), std::string::npos) << applied.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".converge/s3cr3t-do-not-print.db"));
  expect_nothing_leaked(applied);
  expect_nothing_leaked(planned);
}

TEST_F(TrustedConfig, ThePlanCommentShowsAGateChangeThatNeedsTheOldRules) {
  std::string config = weakened("    gates: {approvals: 0, distinct_approver: true, plan_pinning: true}\n");
  config.replace(config.find("secrets: [PROD_DB_FILE]"), 23, "secrets: [PROD_DB_FILE, EXTRA]");
  commit_config(config, "relax prod");
  seed_open_pull(11, "mallory");
  auto r = step({"plan-comment", "--dry-run"}, "pull_request", pull_request_event(11, "main", kHead),
                repo_->head_sha(), secrets());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("### Gate change"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("needs the old rules to pass"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("- ` prod: approvals 1 → 0 `"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("- ` prod: secrets PROD_DB_FILE → EXTRA, PROD_DB_FILE `"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("env=prod"), std::string::npos) << "planned by the trusted branch rules";
  expect_nothing_leaked(r);
}

TEST_F(TrustedConfig, TheHonestPathWithDeclaredSecretsAndUnchangedGatesApplies) {
  dir_.write("db/migrations/20260102000000_posts.sql", kPosts);
  auto merged = repo_->commit_all("Merge pull request #12: posts");
  seed_merged_pull(12, "alice", merged);
  auto planned =
      step({"plan-comment"}, "pull_request", pull_request_event(12, "main", kHead), merged, secrets());
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  EXPECT_EQ(github_.comments(12).at(0)["body"].get<std::string>().find("Gate change"), std::string::npos)
      << "unchanged rules: no gate change section";
  github_.seed({{"reviews", {{"12", {{{"user", "bob"}, {"state", "APPROVED"}, {"commit_id", kHead}}}}}}});
  auto r = apply_pushed(merged);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir_ / ".converge" / kSecretValue));
  EXPECT_EQ(sqlite_value(".converge/" + kSecretValue, "select count(*) from posts"), "0");
  EXPECT_FALSE(printed(r, kSecretValue)) << "a declared secret is masked";
  expect_nothing_leaked(r);
}

TEST_F(TrustedConfig, AGateChangeThatPassesTheOldRulesAppliesAndTighteningCountsAtOnce) {
  std::string config = weakened("    gates: {approvals: 2, distinct_approver: true, plan_pinning: true}\n");
  config.replace(config.find("secrets: [PROD_DB_FILE]"), 23, "secrets: [PROD_DB_FILE, EXTRA]");
  dir_.write("converge.yaml", config);
  auto merged = repo_->commit_all("Merge pull request #14: two approvals for prod");
  seed_merged_pull(14, "alice", merged);
  auto planned = step({"plan-comment"}, "pull_request", pull_request_event(14, "main", kHead), merged, secrets());
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  auto body = github_.comments(14).at(0)["body"].get<std::string>();
  EXPECT_NE(body.find("- ` prod: approvals 1 → 2 `"), std::string::npos) << body;
  github_.seed({{"reviews", {{"14", {{{"user", "bob"}, {"state", "APPROVED"}, {"commit_id", kHead}}}}}}});
  auto one = apply_pushed(merged);
  EXPECT_EQ(one.exit_code, 1) << "the stricter proposed gate already counts: " << one.out << one.err;
  EXPECT_NE(one.err.find("2 required"), std::string::npos) << one.err;
  EXPECT_FALSE(prod_touched());
  github_.seed({{"reviews", {{"14", {{{"user", "bob"}, {"state", "APPROVED"}, {"commit_id", kHead}},
                                     {{"user", "carol"}, {"state", "APPROVED"}, {"commit_id", kHead}}}}}}});
  auto two = apply_pushed(merged);
  ASSERT_EQ(two.exit_code, 0) << two.out << two.err;
  EXPECT_NE(two.out.find("plan pinning"), std::string::npos) << two.out;
  EXPECT_TRUE(std::filesystem::exists(dir_ / ".converge" / kSecretValue));
  expect_nothing_leaked(two);
}

TEST_F(TrustedConfig, SecretNamesListsWhatTheTrustedCopyDeclaresNotWhatTheChangeAsks) {
  std::string config(kTrusted);
  config.replace(config.find("secrets: [PROD_DB_FILE]"), 23, "secrets: [PROD_DB_FILE, STOLEN_SECRET]");
  auto pushed = commit_config(config, "ask for more");
  // The value of the last `names` output the step wrote (GITHUB_OUTPUT accumulates).
  auto names_output = [&] {
    auto out = file("output.txt");
    auto at = out.rfind("names<<");
    EXPECT_NE(at, std::string::npos) << out;
    return at == std::string::npos ? std::string() : out.substr(out.find('\n', at) + 1);
  };
  auto r = step({"secret-names", "--env", "prod"}, "pull_request", pull_request_event(13, "main", kHead), pushed);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(names_output().starts_with("PROD_DB_FILE\n")) << file("output.txt");
  EXPECT_EQ(file("output.txt").find("STOLEN_SECRET"), std::string::npos) << file("output.txt");
  auto dev = step({"secret-names", "--env", "dev"}, "pull_request", pull_request_event(13, "main", kHead), pushed);
  ASSERT_EQ(dev.exit_code, 0) << dev.out << dev.err;
  EXPECT_TRUE(names_output().starts_with("\n")) << "dev references no secret: " << file("output.txt");
}

// A rollback checks out an old tag, whose converge.yaml (and its parent's) may have
// had weaker gates: the rollback workflow passes the environment branch as
// --trusted-ref, so today's gates judge it.
TEST(Rollback, AnOldTagIsJudgedByTheTrustedRefNotByItsOwnConverge) {
  TempDir dir;
  GitHubServer github;
  ActionsRunner runner{dir.path(), github};
  const std::string weak = "environments:\n  - {name: prod, branch: main}\n"
                           "targets:\n  - {name: app-db, provider: sql, settings: {url: 'sqlite:///.converge/prod.db'}}\n";
  dir.write("converge.yaml", weak);
  dir.write(".gitignore", ".converge/\nevent.json\noutput.txt\nsummary.md\n");
  GitRepo repo(dir.path(), "main");
  repo.commit_all("ungated prod");
  dir.write("db/migrations/20260101000000_users.sql", kUsers);
  repo.commit_all("users");
  repo.tag_lightweight("v1");
  std::string strong(weak);
  strong.replace(strong.find("branch: main}"), 13, "branch: main, gates: {approvals: 1, plan_pinning: true}}");
  dir.write("converge.yaml", strong);
  repo.commit_all("gate prod");
  repo.checkout("v1");
  auto r = runner.run({"apply", "--env", "prod", "--trusted-ref", "main"}, "workflow_dispatch",
                      runner.workflow_dispatch_event("refs/heads/main"), repo.head_sha());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("Gates, environments, branches and secrets from converge.yaml@"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("nothing was applied"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / ".converge/prod.db"));
  // Without the flag the tag's own history would judge it: no gate at all.
  auto old_rules = runner.run({"apply", "--env", "prod", "--dry-run"}, "workflow_dispatch",
                              runner.workflow_dispatch_event("refs/heads/main"), repo.head_sha());
  EXPECT_NE(old_rules.out.find("approval gate: none required for prod"), std::string::npos) << old_rules.out;
}

// A repository whose first commit brings converge.yaml: nothing earlier to trust.
class FirstAdoption : public ::testing::Test {
 protected:
  TempDir dir_;
  GitHubServer github_;
  ActionsRunner runner_{dir_.path(), github_};
};

TEST_F(FirstAdoption, TheCheckedOutConfigIsUsedWithAWarning) {
  dir_.write("converge.yaml", "environments:\n  - {name: dev, branch: \"dev/**\", secrets: [DEV_DB]}\n"
                              "targets:\n  - name: app-db\n    provider: sql\n    settings:\n"
                              "      url: sqlite:///.converge/${DEV_DB}\n");
  dir_.write(".gitignore", ".converge/\nevent.json\noutput.txt\nsummary.md\n");
  dir_.write("db/migrations/20260101000000_users.sql", kUsers);
  GitRepo repo(dir_.path(), "dev/first");
  auto sha = repo.commit_all("adopt converge");
  auto r = runner_.run({"apply", "--env", "dev"}, "push", runner_.push_event("dev/first", sha), sha,
                       {{"DEV_DB", "dev.db"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("first adoption: no earlier commit on this branch has converge.yaml"), std::string::npos)
      << r.out;
  EXPECT_TRUE(std::filesystem::exists(dir_ / ".converge/dev.db"));
}

}  // namespace
}  // namespace converge::testing
