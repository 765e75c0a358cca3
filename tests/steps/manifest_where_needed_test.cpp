// The manifest only where a step needs it (issue 11, item 1), end to end through the
// step executables: with `manifest.url: ${MANIFEST_URL}` and MANIFEST_URL unset (the
// secret only on prod), compile, a plan and a dev deploy of targets that keep no
// managed keys succeed, a plan of one that does warns, an apply that needs the
// manifest fails with one line naming the variable; and the `github:` manifest
// (GitHub deployments) carries a deploy, describe and drift --apply with no secret.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <gtest/gtest.h>

#include <sstream>

#include "converge/util/fs.hpp"
#include "github/server/actions_runner.hpp"
#include "github/server/github_server.hpp"
#include "providers/assets/json_server.hpp"
#include "steps/repo_fixture.hpp"

namespace converge::testing {
namespace {

// Two environments and one sql target on SQLite; the manifest at `url`.
std::string config_with_manifest(const std::string& url) {
  return "environments:\n  - {name: dev, branch: \"dev/**\"}\n  - {name: prod, branch: main}\nmanifest:\n  url: " + url +
         "\ntargets:\n  - name: app-db\n    provider: sql\n    settings:\n      url: sqlite:///.converge/${CONVERGE_ENV}.db\n";
}

const std::string kUnset = "manifest.url: variable MANIFEST_URL is not set (referenced as ${MANIFEST_URL})";
const std::string kUnsetLine = "converge.yaml:5:8: " + kUnset;

// The lines of `text` that contain `needle`.
int lines_with(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
  return n;
}

// A repository whose converge.yaml had the manifest URL from its first commit (so
// the trusted copy allows ${MANIFEST_URL}).
class RepoWith : public RepoTest {
 protected:
  void start(const std::string& config) {
    dir_.write("converge.yaml", config);
    dir_.write(".gitignore", ".converge/\nevent.json\noutput.txt\nsummary.md\n");
    dir_.write("db/migrations/20260101000000_users.sql", kUsers);
    repo_ = std::make_unique<GitRepo>(dir_.path(), "dev/feature");
    sha_ = repo_->commit_all("users");
  }
};

class ManifestUnset : public RepoWith {
 protected:
  void SetUp() override { start(config_with_manifest("${MANIFEST_URL}")); }
};

TEST_F(ManifestUnset, CompilePlanAndADevDeployNeedNoManifestSecret) {
  auto compiled = converge({"compile", "--env", "dev"});
  EXPECT_EQ(compiled.exit_code, 0) << compiled.out << compiled.err;
  auto planned = converge({"plan", "--env", "dev"});
  EXPECT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  EXPECT_EQ((planned.out + planned.err).find("MANIFEST_URL"), std::string::npos)
      << "a plan of sql targets never opens the manifest\n" << planned.out << planned.err;

  auto applied = converge({"apply", "--env", "dev"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_EQ(lines_with(applied.out + applied.err, "not journaled in the manifest"), 1) << applied.out << applied.err;
  EXPECT_EQ(sqlite_value(".converge/dev.db", "select max(version) from schema_migrations"), "20260101000000");
  auto recorded = converge({"record-manifest", "--env", "dev"});
  ASSERT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;
  EXPECT_EQ(lines_with(recorded.out + recorded.err, "not recorded in the manifest (" + kUnsetLine + ")"), 1)
      << recorded.out << recorded.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".converge/manifest.db")) << "no store was made up";
}

// compile reaches no runtime: with neither the database's nor the BI tool's secret
// set it writes the bundles; a plan, which reads the runtime, names the variable.
TEST_F(RepoWith, CompileNeedsNoRuntimeSecretButAPlanNamesTheMissingVariable) {
  start("environments:\n  - {name: dev, branch: \"dev/**\", secrets: [DATABASE_URL, BI_URL, BI_TOKEN]}\n"
        "targets:\n  - name: app-db\n    provider: sql\n    settings:\n      url: ${DATABASE_URL}\n"
        "  - name: bi\n    provider: assets\n    settings:\n      url: ${BI_URL}\n"
        "      auth_header: Bearer ${BI_TOKEN}\n");
  dir_.write("README.md", "a later commit, whose trusted converge.yaml is the first one\n");
  repo_->commit_all("readme");
  auto compiled = converge({"compile", "--env", "dev", "--out", "bundles"});
  ASSERT_EQ(compiled.exit_code, 0) << compiled.out << compiled.err;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "bundles/app-db")) << compiled.out;
  // The same with the variables set gives the same bundle: their values are not in it.
  auto with_secrets = converge({"compile", "--env", "dev", "--out", "bundles-set"},
                               {{"DATABASE_URL", "sqlite:///.converge/dev.db"}, {"BI_URL", "http://127.0.0.1:9"},
                                {"BI_TOKEN", "t0ken-value"}});
  ASSERT_EQ(with_secrets.exit_code, 0) << with_secrets.out << with_secrets.err;
  EXPECT_EQ(util::read_file(dir_ / "bundles/app-db/bundle.json").value_or("a"),
            util::read_file(dir_ / "bundles-set/app-db/bundle.json").value_or("b"));
  auto planned = converge({"plan", "--env", "dev"});
  EXPECT_EQ(planned.exit_code, 2) << planned.out << planned.err;
  EXPECT_NE(planned.err.find("variable DATABASE_URL is not set"), std::string::npos) << planned.err;
}

TEST_F(ManifestUnset, AStepThatReadsTheManifestFailsWithOneLineNamingTheVariable) {
  auto described = converge({"describe", "--env", "dev"});
  EXPECT_EQ(described.exit_code, 2) << described.out << described.err;
  EXPECT_EQ(lines_with(described.out + described.err, kUnsetLine), 1) << described.out << described.err;
  auto drift = converge({"drift-verify", "--env", "dev", "--apply"});
  EXPECT_EQ(drift.exit_code, 2) << drift.out << drift.err;
  EXPECT_EQ(lines_with(drift.out + drift.err, kUnsetLine), 1) << drift.out << drift.err;
}

TEST_F(ManifestUnset, TheSetVariableIsUsedAndMasked) {
  const std::string url = "sqlite:///.converge/secret-manifest.db";
  ASSERT_EQ(converge({"apply", "--env", "dev"}, {{"MANIFEST_URL", url}}).exit_code, 0);
  auto recorded = converge({"record-manifest", "--env", "dev"}, {{"MANIFEST_URL", url}});
  ASSERT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;
  EXPECT_EQ(sqlite_value(".converge/secret-manifest.db", "select count(*) from deployments"), "1");
}

// An assets target keeps managed keys (which items are converge's) in the manifest.
class ManagedKeysWithoutManifest : public ::testing::Test {
 protected:
  void SetUp() override {
    bi_ = std::make_unique<JsonServer>(JsonServer::empty_bi());
    dir_.write("converge.yaml", "environments:\n  - {name: dev, branch: \"dev/**\"}\nmanifest:\n"
                                "  url: ${MANIFEST_URL}\ntargets:\n  - name: bi\n    provider: assets\n"
                                "    settings:\n      url: " + bi_->url() + "\n");
    dir_.write(".gitignore", ".converge/\n");
    dir_.write("assets/charts/ca.yaml", "slice_name: Revenue\nuuid: ca\n");
    repo_ = std::make_unique<GitRepo>(dir_.path(), "dev/bi");
    repo_->commit_all("one chart");
  }

  RunResult converge(std::vector<std::string> args) {
    return run_step("converge", args, dir_.path(), {{"GITHUB_ACTIONS", "false"}});
  }

  TempDir dir_;
  std::unique_ptr<JsonServer> bi_;
  std::unique_ptr<GitRepo> repo_;
};

TEST_F(ManagedKeysWithoutManifest, APlanWarnsAndAnApplyFailsNamingTheVariable) {
  auto planned = converge({"plan", "--env", "dev"});
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  EXPECT_EQ(lines_with(planned.out + planned.err, "the manifest of dev cannot be read, so this plan counts no item as "
                                                  "converge's and shows no deletion (converge.yaml:4:8: " + kUnset + ")"),
            1)
      << planned.out << planned.err;

  auto applied = converge({"apply", "--env", "dev"});
  EXPECT_EQ(applied.exit_code, 2) << applied.out << applied.err;
  EXPECT_EQ(lines_with(applied.out + applied.err, "converge.yaml:4:8: target bi: " + kUnset), 1)
      << applied.out << applied.err;
  EXPECT_TRUE(bi_->database()["charts"].empty()) << "nothing was applied";
}

// `manifest: { url: "github:" }`: the record is GitHub's deployments; no secret at all.
class GitHubManifestFlow : public RepoWith {
 protected:
  void SetUp() override { start(config_with_manifest("\"github:\"")); }

  // A deploy job of dev at the work tree's HEAD: apply, then record-manifest, which a
  // retry of the step records no second time.
  void deploy() {
    auto applied = runner_.run({"apply", "--env", "dev"}, "push", runner_.push_event("dev/feature", sha_), sha_);
    ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
    auto recorded = runner_.same_job({"record-manifest", "--env", "dev"}, "push", {}, sha_);
    ASSERT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;
    const auto before = converge_deployments().size();
    auto retry = runner_.same_job({"record-manifest", "--env", "dev"}, "push", {}, sha_);
    EXPECT_EQ(retry.exit_code, 0) << retry.out << retry.err;
    EXPECT_NE(retry.out.find("Already recorded"), std::string::npos) << retry.out;
    EXPECT_EQ(converge_deployments().size(), before);
  }

  nlohmann::json describe(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"describe", "--env", "dev", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = runner_.run(args, "workflow_dispatch", runner_.workflow_dispatch_event("refs/heads/dev/feature"), sha_);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return nlohmann::json::parse(r.out, nullptr, false)["environments"]["dev"];
  }

  std::vector<nlohmann::json> converge_deployments() {
    std::vector<nlohmann::json> out;
    const auto state = github_.state();
    for (const auto& d : state["deployments"])
      if (d["task"] == "deploy:converge") out.push_back(d);
    return out;
  }

  GitHubServer github_;
  ActionsRunner runner_{dir_.path(), github_};
};

TEST_F(GitHubManifestFlow, ADeployIsRecordedInGitHubAndDescribeAndDriftReadIt) {
  const std::string first = sha_;
  deploy();
  auto deployments = converge_deployments();
  ASSERT_EQ(deployments.size(), 1u) << "one deployment per target, and no second `deploy` mirror";
  EXPECT_EQ(deployments[0]["sha"], first);
  EXPECT_EQ(deployments[0]["environment"], "dev");
  EXPECT_EQ(deployments[0]["payload"]["converge"]["status"], "success");
  EXPECT_EQ(github_.state()["deployments"].size(), 1u);
  auto rows = describe();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["git_sha"], first);
  EXPECT_EQ(rows[0]["migration_version"], "20260101000000");

  dir_.write("db/migrations/20260102000000_posts.sql", kPosts);
  sha_ = repo_->commit_all("posts");
  deploy();
  rows = describe({"--history", "5"});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["migration_version"], "20260102000000");

  // drift --apply restores only what the manifest says runs: it reads GitHub's record.
  const std::string second = sha_;
  repo_->checkout(first);
  repo_->reset_hard();
  auto refused = runner_.run({"drift-verify", "--env", "dev", "--apply"}, "schedule", nlohmann::json::object(), first);
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE((refused.out + refused.err).find("dev runs " + second.substr(0, 12) + " (target app-db, recorded)"),
            std::string::npos)
      << refused.out << refused.err;
  repo_->checkout(second);
  repo_->reset_hard();
  auto restoring = runner_.run({"drift-verify", "--env", "dev", "--apply"}, "schedule", nlohmann::json::object(), second);
  EXPECT_NE(restoring.out.find("drift --apply: dev runs " + second.substr(0, 12) + " as recorded"), std::string::npos)
      << restoring.out << restoring.err;
  EXPECT_FALSE(runner_.token_leaked());
}

TEST_F(GitHubManifestFlow, WithoutATokenTheGitHubManifestSaysWhatItNeeds) {
  auto described = converge({"describe", "--env", "dev"});
  EXPECT_EQ(described.exit_code, 2) << described.out << described.err;
  EXPECT_EQ(lines_with(described.out + described.err, "the github: manifest keeps deployments in GitHub and needs a "
                                                      "token and a repository"),
            1)
      << described.out << described.err;
}

}  // namespace
}  // namespace converge::testing
