// publish(): the export commit on converge's branch, built without touching the
// user's work tree or index, force-pushed to a real git server (lighttpd running
// git http-backend behind basic auth) started by the test.
#include "converge/git/publish.hpp"

#include <git2.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/git_repo.hpp"
#include "support/git_server.hpp"
#include "support/temp_dir.hpp"

namespace converge::git {
namespace {

using converge::testing::GitRepo;
using converge::testing::GitServer;
using converge::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kToken = "ghs_publishTestToken1234567890";

using converge::testing::slurp;

// Configures remote `name` as plain config values (git_remote_create would leak in
// libgit2 1.5: its insteadOf lookup leaks PCRE2 match data).
void add_remote(GitRepo& repo, const std::string& name, const std::string& url) {
  git_config* config = nullptr;
  ASSERT_EQ(git_repository_config(&config, repo.get()), 0);
  const std::string fetch = "+refs/heads/*:refs/remotes/" + name + "/*";
  EXPECT_EQ(git_config_set_string(config, ("remote." + name + ".url").c_str(), url.c_str()), 0);
  EXPECT_EQ(git_config_set_string(config, ("remote." + name + ".fetch").c_str(), fetch.c_str()), 0);
  git_config_free(config);
}

// A consumer repository whose HEAD (main) holds a few files, with "origin" pointing
// at a bare repository on a live git server that accepts kToken.
class Publish : public ::testing::Test {
 protected:
  void SetUp() override {
    dir.write("README.md", "# consumer\n");
    dir.write("assets/kept.yaml", "name: kept\n");
    dir.write("assets/changed.yaml", "name: changed\nvalue: 1\n");
    dir.write("assets/gone.yaml", "name: gone\n");
    dir.write("old/only.yaml", "only: true\n");
    base = repo.commit_all("base");
    server.create_bare("consumer");
    add_remote(repo, "origin", server.url("consumer"));
  }

  PublishRequest request() const {
    PublishRequest r;
    r.repo_dir = dir.path();
    r.branch = "converge/export/prod";
    r.files = {{"assets/changed.yaml", "name: changed\nvalue: 2\n"}, {"assets/new.yaml", "name: new\n"}};
    r.removed = {"assets/gone.yaml", "old/only.yaml"};
    r.message = "Export prod runtime state";
    r.author_name = "converge";
    r.author_email = "converge@example.com";
    r.token = kToken;
    r.push_backoff = std::chrono::milliseconds(10);
    return r;
  }

  std::filesystem::path server_repo() const { return server.repo_path("consumer"); }

  TempDir dir;
  GitRepo repo{dir.path()};
  GitServer server{kToken};
  std::string base;
};

TEST_F(Publish, WithNoDifferencesCreatesNoBranchAndPushesNothing) {
  PublishRequest r = request();
  r.files = {{"assets/kept.yaml", "name: kept\n"}, {"README.md", "# consumer\n"}};
  r.removed = {"assets/never-existed.yaml"};
  auto result = publish(r);
  ASSERT_TRUE(result) << result.error().to_string();
  EXPECT_FALSE(result->changed);
  EXPECT_EQ(result->base_sha, base);
  EXPECT_EQ(result->commit_sha, "");
  EXPECT_EQ(testing::read_ref(dir.path(), "refs/heads/converge/export/prod"), "");
  EXPECT_TRUE(testing::ref_names(server_repo()).empty());
}

TEST_F(Publish, CreatesTheBranchWithOneCommitOnHeadHoldingTheNewChangedAndRemovedFiles) {
  auto result = publish(request());
  ASSERT_TRUE(result) << result.error().to_string();
  EXPECT_TRUE(result->changed);
  EXPECT_EQ(result->base_sha, base);
  ASSERT_EQ(result->commit_sha.size(), 40u);
  EXPECT_EQ(testing::read_ref(dir.path(), "refs/heads/converge/export/prod"), result->commit_sha);
  EXPECT_EQ(testing::commit_parents(dir.path(), result->commit_sha), std::vector<std::string>{base});
  EXPECT_EQ(testing::commit_message(dir.path(), result->commit_sha), "Export prod runtime state");

  const auto& sha = result->commit_sha;
  EXPECT_EQ(testing::file_at(dir.path(), sha, "assets/changed.yaml"), "name: changed\nvalue: 2\n");
  EXPECT_EQ(testing::file_at(dir.path(), sha, "assets/new.yaml"), "name: new\n");
  EXPECT_EQ(testing::file_at(dir.path(), sha, "assets/kept.yaml"), "name: kept\n");
  EXPECT_EQ(testing::file_at(dir.path(), sha, "README.md"), "# consumer\n");
  EXPECT_FALSE(testing::has_file(dir.path(), sha, "assets/gone.yaml"));
  EXPECT_FALSE(testing::has_file(dir.path(), sha, "old/only.yaml"));
  EXPECT_FALSE(testing::has_file(dir.path(), sha, "old"));  // an emptied directory disappears
}

TEST_F(Publish, LeavesTheWorkTreeTheIndexAndTheCheckedOutBranchUntouched) {
  // The user has a staged change and an unstaged one in flight.
  dir.write("README.md", "# consumer, staged edit\n");
  git_index* index = nullptr;
  ASSERT_EQ(git_repository_index(&index, repo.get()), 0);
  ASSERT_EQ(git_index_add_bypath(index, "README.md"), 0);
  ASSERT_EQ(git_index_write(index), 0);
  git_index_free(index);
  dir.write("README.md", "# consumer, unstaged edit\n");
  dir.write("scratch.txt", "untracked\n");
  const std::string index_before = slurp(dir / ".git/index");
  const std::string head_before = slurp(dir / ".git/HEAD");

  auto result = publish(request());
  ASSERT_TRUE(result) << result.error().to_string();
  ASSERT_TRUE(result->changed);

  EXPECT_EQ(slurp(dir / ".git/index"), index_before);
  EXPECT_EQ(slurp(dir / ".git/HEAD"), head_before);
  EXPECT_EQ(testing::read_ref(dir.path(), "refs/heads/main"), base);
  EXPECT_EQ(slurp(dir / "README.md"), "# consumer, unstaged edit\n");
  EXPECT_EQ(slurp(dir / "scratch.txt"), "untracked\n");
  EXPECT_EQ(slurp(dir / "assets/changed.yaml"), "name: changed\nvalue: 1\n");
  EXPECT_TRUE(std::filesystem::exists(dir / "assets/gone.yaml"));
  EXPECT_FALSE(std::filesystem::exists(dir / "assets/new.yaml"));
}

TEST_F(Publish, PushesToARealGitServerWithBasicAuthAndTheServerBranchPointsAtTheCommit) {
  auto result = publish(request());
  ASSERT_TRUE(result) << result.error().to_string();
  EXPECT_EQ(testing::read_ref(server_repo(), "refs/heads/converge/export/prod"), result->commit_sha);
  EXPECT_EQ(testing::file_at(server_repo(), result->commit_sha, "assets/new.yaml"), "name: new\n");
  EXPECT_EQ(testing::commit_parents(server_repo(), result->commit_sha), std::vector<std::string>{base});
}

TEST_F(Publish, ToAUrlInsteadOfARemoteNamePushesThere) {
  server.create_bare("other");
  PublishRequest r = request();
  r.remote = server.url("other");
  auto result = publish(r);
  ASSERT_TRUE(result) << result.error().to_string();
  EXPECT_EQ(testing::read_ref(server.repo_path("other"), "refs/heads/converge/export/prod"), result->commit_sha);
  EXPECT_TRUE(testing::ref_names(server_repo()).empty());
}

TEST_F(Publish, ASecondPublishForceUpdatesTheBranchToOneCommitOnTheBase) {
  auto first = publish(request());
  ASSERT_TRUE(first) << first.error().to_string();
  PublishRequest r = request();
  r.files = {{"assets/changed.yaml", "name: changed\nvalue: 3\n"}};
  r.removed = {};
  auto second = publish(r);
  ASSERT_TRUE(second) << second.error().to_string();
  ASSERT_TRUE(second->changed);
  EXPECT_NE(second->commit_sha, first->commit_sha);

  EXPECT_EQ(testing::read_ref(server_repo(), "refs/heads/converge/export/prod"), second->commit_sha);
  EXPECT_EQ(testing::read_ref(dir.path(), "refs/heads/converge/export/prod"), second->commit_sha);
  EXPECT_EQ(testing::commit_parents(server_repo(), second->commit_sha), std::vector<std::string>{base});
  EXPECT_EQ(testing::file_at(server_repo(), second->commit_sha, "assets/changed.yaml"), "name: changed\nvalue: 3\n");
  EXPECT_FALSE(testing::has_file(server_repo(), second->commit_sha, "assets/new.yaml"));
  EXPECT_TRUE(testing::has_file(server_repo(), second->commit_sha, "assets/gone.yaml"));
}

TEST_F(Publish, AWrongTokenFailsWithAnErrorNamingTheUrlButNotTheToken) {
  PublishRequest r = request();
  r.token = "ghs_wrongTokenThatMustNeverBeShown";
  auto result = publish(r);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ExitCode::failure);
  EXPECT_THAT(result.error().message, HasSubstr(server.url("consumer")));
  EXPECT_THAT(result.error().message, HasSubstr("authentication"));
  EXPECT_THAT(result.error().message, Not(HasSubstr("ghs_wrongTokenThatMustNeverBeShown")));
  EXPECT_TRUE(testing::ref_names(server_repo()).empty());
}

TEST_F(Publish, NoTokenFailsAgainstAServerThatRequiresAuthentication) {
  PublishRequest r = request();
  r.token = "";
  auto result = publish(r);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr(server.url("consumer")));
  EXPECT_THAT(result.error().message, HasSubstr("no token"));
  EXPECT_TRUE(testing::ref_names(server_repo()).empty());
}

TEST_F(Publish, AMissingServerRepositoryFailsAtOnceNamingTheUrl) {
  PublishRequest r = request();
  r.remote = server.url("no-such-repo");
  r.push_backoff = std::chrono::seconds(5);  // a retry would make this test slow
  const auto start = std::chrono::steady_clock::now();
  auto result = publish(r);
  ASSERT_FALSE(result);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_THAT(result.error().message, HasSubstr(server.url("no-such-repo")));
  EXPECT_THAT(result.error().message, HasSubstr("404"));
  EXPECT_THAT(result.error().message, Not(HasSubstr(kToken)));
}

TEST_F(Publish, TheRemoteUrlInErrorsNeverCarriesCredentials) {
  // Credentials written into the remote URL itself (as some checkouts do).
  const std::string url = server.url("consumer");
  const std::string with_userinfo =
      "http://x-access-token:embedded-secret@" + url.substr(std::string_view("http://").size());
  PublishRequest r = request();
  r.remote = with_userinfo;
  r.token = "ghs_anotherWrongToken";
  auto result = publish(r);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr(url));
  EXPECT_THAT(result.error().message, Not(HasSubstr("embedded-secret")));
  EXPECT_THAT(result.error().message, Not(HasSubstr("ghs_anotherWrongToken")));
}

TEST_F(Publish, AnUnreachableServerIsRetriedThenNamedWithoutCredentialsOrToken) {
  PublishRequest r = request();
  r.remote = "http://x-access-token:embedded-secret@127.0.0.1:1/git/consumer.git";
  r.push_attempts = 3;
  const auto start = std::chrono::steady_clock::now();
  auto result = publish(r);
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("http://127.0.0.1:1/git/consumer.git"));
  EXPECT_THAT(result.error().message, HasSubstr("3 attempts"));
  EXPECT_THAT(result.error().message, Not(HasSubstr("embedded-secret")));
  EXPECT_THAT(result.error().message, Not(HasSubstr(kToken)));
  EXPECT_GE(waited, std::chrono::milliseconds(30));  // backoff 10 ms + 20 ms
}

TEST_F(Publish, RefusesTheCheckedOutBranchAndPathsOutsideTheRepository) {
  PublishRequest r = request();
  r.branch = "main";
  auto checked_out = publish(r);
  ASSERT_FALSE(checked_out);
  EXPECT_EQ(checked_out.error().code, ExitCode::usage);

  for (const std::string bad : {"/etc/passwd", "../outside", "a//b", ".git/config", "a/./b", "sub/.GIT/x"}) {
    PublishRequest p = request();
    p.files = {{bad, "x"}};
    auto result = publish(p);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error().code, ExitCode::usage) << bad;
  }
  PublishRequest bad_branch = request();
  bad_branch.branch = "bad..name";
  ASSERT_FALSE(publish(bad_branch));
  EXPECT_EQ(testing::read_ref(dir.path(), "refs/heads/converge/export/prod"), "");
}

TEST_F(Publish, RemoteUrlGivesTheNamedRemoteWithoutCredentials) {
  add_remote(repo, "tokened", "https://x-access-token:s3cret@github.com/acme/app.git");
  auto url = remote_url(dir.path(), "tokened");
  ASSERT_TRUE(url) << url.error().to_string();
  EXPECT_EQ(*url, "https://github.com/acme/app.git");
  auto origin = remote_url(dir.path(), "origin");
  ASSERT_TRUE(origin);
  EXPECT_EQ(*origin, server.url("consumer"));
  auto missing = remote_url(dir.path(), "nope");
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("nope"));
}

TEST(WithoutCredentials, StripsUserinfoAndLeavesTheRest) {
  EXPECT_EQ(without_credentials("https://user:pw@example.com/a.git"), "https://example.com/a.git");
  EXPECT_EQ(without_credentials("https://token@example.com"), "https://example.com");
  EXPECT_EQ(without_credentials("http://127.0.0.1:8080/git/x.git"), "http://127.0.0.1:8080/git/x.git");
  EXPECT_EQ(without_credentials("git@github.com:acme/app.git"), "git@github.com:acme/app.git");
  EXPECT_EQ(without_credentials("https://example.com/a@b"), "https://example.com/a@b");
}

}  // namespace
}  // namespace converge::git
