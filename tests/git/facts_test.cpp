// Repository facts read from real repositories built with libgit2 in a temp dir.
#include "converge/git/facts.hpp"

#include <git2.h>
#include <gtest/gtest.h>

#include <fstream>
#include <memory>

#include "support/temp_dir.hpp"

namespace converge::git {
namespace {

using converge::testing::TempDir;

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A repository in a temp dir, driven through libgit2 (never the git command).
class Repo {
 public:
  explicit Repo(const std::filesystem::path& path, bool bare = false) : path_(path) {
    git_libgit2_init();
    git_repository_init_options options{};
    git_repository_init_options_init(&options, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    options.flags = GIT_REPOSITORY_INIT_MKPATH | (bare ? GIT_REPOSITORY_INIT_BARE : 0);
    options.initial_head = "main";
    if (git_repository_init_ext(&repo_, path.c_str(), &options) != 0) throw std::runtime_error("init failed");
    git_signature_new(&sig_, "Test", "test@example.com", 1764058363, 0);
  }
  ~Repo() {
    git_signature_free(sig_);
    git_repository_free(repo_);
    git_libgit2_shutdown();
  }

  git_repository* get() const { return repo_; }

  // Writes a file, stages it and commits on HEAD; returns the commit id.
  git_oid commit(const std::string& file, const std::string& text, const std::string& message) {
    write_file(path_ / file, text);
    git_index* index = nullptr;
    git_repository_index(&index, repo_);
    git_index_add_bypath(index, file.c_str());
    git_index_write(index);
    git_oid tree_id;
    git_index_write_tree(&tree_id, index);
    git_index_free(index);
    git_tree* tree = nullptr;
    git_tree_lookup(&tree, repo_, &tree_id);

    git_commit* parent = nullptr;
    git_oid parent_id;
    int parents = git_reference_name_to_id(&parent_id, repo_, "HEAD") == 0 ? 1 : 0;
    if (parents) git_commit_lookup(&parent, repo_, &parent_id);
    const git_commit* parent_list[] = {parent};
    git_oid id;
    if (git_commit_create(&id, repo_, "HEAD", sig_, sig_, nullptr, message.c_str(), tree, parents, parent_list) != 0)
      throw std::runtime_error(git_error_last()->message);
    git_commit_free(parent);
    git_tree_free(tree);
    return id;
  }

  git_object* lookup(const git_oid& id) const {
    git_object* object = nullptr;
    git_object_lookup(&object, repo_, &id, GIT_OBJECT_COMMIT);
    return object;
  }

  void lightweight_tag(const std::string& name, const git_oid& id) const {
    git_object* target = lookup(id);
    git_oid out;
    if (git_tag_create_lightweight(&out, repo_, name.c_str(), target, 0) != 0)
      throw std::runtime_error(git_error_last()->message);
    git_object_free(target);
  }

  void annotated_tag(const std::string& name, const git_oid& id) const {
    git_object* target = lookup(id);
    git_oid out;
    if (git_tag_create(&out, repo_, name.c_str(), target, sig_, ("release " + name).c_str(), 0) != 0)
      throw std::runtime_error(git_error_last()->message);
    git_object_free(target);
  }

  void branch_and_checkout(const std::string& name) const {
    git_oid head;
    git_reference_name_to_id(&head, repo_, "HEAD");
    git_commit* commit = nullptr;
    git_commit_lookup(&commit, repo_, &head);
    git_reference* branch = nullptr;
    git_branch_create(&branch, repo_, name.c_str(), commit, 0);
    git_repository_set_head(repo_, ("refs/heads/" + name).c_str());
    git_reference_free(branch);
    git_commit_free(commit);
  }

  void stage(const std::string& file) const {
    git_index* index = nullptr;
    git_repository_index(&index, repo_);
    git_index_add_bypath(index, file.c_str());
    git_index_write(index);
    git_index_free(index);
  }

  static std::string hex(const git_oid& id) {
    char out[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(out, sizeof out, &id);
    return out;
  }

 private:
  std::filesystem::path path_;
  git_repository* repo_ = nullptr;
  git_signature* sig_ = nullptr;
};

TEST(GitFacts, ACommitOnABranchGivesItsShaAndBranchAndIsClean) {
  TempDir dir;
  Repo repo(dir.path());
  repo.commit("README.md", "one\n", "first");
  auto head = repo.commit("README.md", "two\n", "second");

  auto facts = read_facts(dir.path());
  ASSERT_TRUE(facts) << facts.error().to_string();
  EXPECT_EQ(facts->sha, Repo::hex(head));
  EXPECT_EQ(facts->sha.size(), 40u);
  EXPECT_EQ(facts->branch, "main");
  EXPECT_TRUE(facts->tags.empty());
  EXPECT_FALSE(facts->dirty);
}

TEST(GitFacts, ABranchNameWithASlashIsGivenInFull) {
  TempDir dir;
  Repo repo(dir.path());
  repo.commit("a.txt", "a\n", "first");
  repo.branch_and_checkout("dev/feature-x");
  auto facts = read_facts(dir.path());
  ASSERT_TRUE(facts) << facts.error().to_string();
  EXPECT_EQ(facts->branch, "dev/feature-x");
}

TEST(GitFacts, LightweightAndAnnotatedTagsAtHeadAreListedSorted) {
  TempDir dir;
  Repo repo(dir.path());
  auto old = repo.commit("a.txt", "a\n", "first");
  repo.annotated_tag("v0.9.0", old);
  auto head = repo.commit("a.txt", "b\n", "second");
  repo.annotated_tag("v1.1.0", head);
  repo.lightweight_tag("v1.0.0", head);
  repo.lightweight_tag("release/2026-11", head);

  auto facts = read_facts(dir.path());
  ASSERT_TRUE(facts) << facts.error().to_string();
  EXPECT_EQ(facts->tags, (std::vector<std::string>{"release/2026-11", "v1.0.0", "v1.1.0"}));
}

TEST(GitFacts, ADetachedHeadHasNoBranchButKeepsItsTags) {
  TempDir dir;
  Repo repo(dir.path());
  auto tagged = repo.commit("a.txt", "a\n", "first");
  repo.annotated_tag("v1.0.0", tagged);
  repo.commit("a.txt", "b\n", "second");
  ASSERT_EQ(git_repository_set_head_detached(repo.get(), &tagged), 0);
  git_checkout_options checkout{};
  git_checkout_options_init(&checkout, GIT_CHECKOUT_OPTIONS_VERSION);
  checkout.checkout_strategy = GIT_CHECKOUT_FORCE;
  ASSERT_EQ(git_checkout_head(repo.get(), &checkout), 0);

  auto facts = read_facts(dir.path());
  ASSERT_TRUE(facts) << facts.error().to_string();
  EXPECT_EQ(facts->sha, Repo::hex(tagged));
  EXPECT_EQ(facts->branch, "");
  EXPECT_EQ(facts->tags, (std::vector<std::string>{"v1.0.0"}));
  EXPECT_FALSE(facts->dirty);
}

TEST(GitFacts, AModifiedTrackedFileMakesTheWorkTreeDirty) {
  TempDir dir;
  Repo repo(dir.path());
  repo.commit("db/001.sql", "create table t (id int);\n", "first");
  write_file(dir / "db/001.sql", "create table t (id bigint);\n");
  auto facts = read_facts(dir.path());
  ASSERT_TRUE(facts) << facts.error().to_string();
  EXPECT_TRUE(facts->dirty);
}

TEST(GitFacts, AStagedChangeMakesTheRepositoryDirty) {
  TempDir dir;
  Repo repo(dir.path());
  repo.commit("a.txt", "a\n", "first");
  write_file(dir / "b.txt", "new\n");
  repo.stage("b.txt");
  auto facts = read_facts(dir.path());
  ASSERT_TRUE(facts) << facts.error().to_string();
  EXPECT_TRUE(facts->dirty);
}

TEST(GitFacts, AnUntrackedFileDoesNotMakeTheRepositoryDirty) {
  TempDir dir;
  Repo repo(dir.path());
  repo.commit("a.txt", "a\n", "first");
  write_file(dir / "scratch/notes.txt", "local\n");
  auto facts = read_facts(dir.path());
  ASSERT_TRUE(facts) << facts.error().to_string();
  EXPECT_FALSE(facts->dirty);
}

TEST(GitFacts, ASubdirectoryFindsTheRepositoryAboveIt) {
  TempDir dir;
  Repo repo(dir.path());
  auto head = repo.commit("assets/x.yaml", "a: 1\n", "first");
  auto facts = read_facts(dir / "assets");
  ASSERT_TRUE(facts) << facts.error().to_string();
  EXPECT_EQ(facts->sha, Repo::hex(head));
}

TEST(GitFacts, ADirectoryOutsideAnyRepositoryIsARuntimeError) {
  TempDir dir;
  std::filesystem::create_directories(dir / "plain");
  auto facts = read_facts(dir / "plain");
  ASSERT_FALSE(facts);
  EXPECT_EQ(facts.error().code, ExitCode::failure);
  EXPECT_NE(facts.error().message.find("plain"), std::string::npos) << facts.error().message;
}

TEST(GitFacts, ARepositoryWithoutCommitsIsARuntimeError) {
  TempDir dir;
  Repo repo(dir.path());
  auto facts = read_facts(dir.path());
  ASSERT_FALSE(facts);
  EXPECT_EQ(facts.error().code, ExitCode::failure);
  EXPECT_FALSE(facts.error().message.empty());
}

TEST(GitFacts, ABareRepositoryIsNeverDirty) {
  TempDir dir;
  Repo bare(dir / "bare.git", /*bare=*/true);
  // No work tree and no index: write blob, tree and commit straight into the odb.
  git_oid blob_id, tree_id, commit_id;
  ASSERT_EQ(git_blob_create_from_buffer(&blob_id, bare.get(), "a\n", 2), 0);
  git_treebuilder* builder = nullptr;
  ASSERT_EQ(git_treebuilder_new(&builder, bare.get(), nullptr), 0);
  ASSERT_EQ(git_treebuilder_insert(nullptr, builder, "a.txt", &blob_id, GIT_FILEMODE_BLOB), 0);
  ASSERT_EQ(git_treebuilder_write(&tree_id, builder), 0);
  git_treebuilder_free(builder);
  git_tree* tree = nullptr;
  ASSERT_EQ(git_tree_lookup(&tree, bare.get(), &tree_id), 0);
  git_signature* sig = nullptr;
  git_signature_new(&sig, "Test", "test@example.com", 1764058363, 0);
  ASSERT_EQ(git_commit_create(&commit_id, bare.get(), "HEAD", sig, sig, nullptr, "first", tree, 0, nullptr), 0);
  git_signature_free(sig);
  git_tree_free(tree);

  auto facts = read_facts(dir / "bare.git");
  ASSERT_TRUE(facts) << facts.error().to_string();
  EXPECT_EQ(facts->sha, Repo::hex(commit_id));
  EXPECT_EQ(facts->branch, "main");
  EXPECT_FALSE(facts->dirty);
}

}  // namespace
}  // namespace converge::git
