// The trusted converge.yaml's commit: the nearest first-parent ancestor with the
// file, on real repositories (merge commits, squash merges, shallow clones).
#include "converge/git/history.hpp"

#include <git2.h>
#include <gtest/gtest.h>

#include <fstream>

#include "support/git_repo.hpp"
#include "support/temp_dir.hpp"

namespace converge::git {
namespace {

using converge::testing::GitRepo;
using converge::testing::TempDir;

class History : public ::testing::Test {
 protected:
  std::optional<FileAtCommit> nearest(std::string_view start = "") {
    auto found = nearest_first_parent_with_file(dir_.path(), start, "converge.yaml");
    EXPECT_TRUE(found) << found.error().to_string();
    return found.value_or(std::nullopt);
  }

  TempDir dir_;
};

TEST_F(History, AMergeCommitIsJudgedByTheBranchBeforeTheMergeNotByTheMergedBranch) {
  dir_.write("converge.yaml", "approvals: 2\n");
  GitRepo repo(dir_.path(), "main");
  const auto base = repo.commit_all("gates");
  repo.branch("feature");
  repo.checkout("feature");
  dir_.write("converge.yaml", "approvals: 0\n");
  repo.commit_all("weaken the gates");
  repo.checkout("main");
  const auto merge = repo.merge("feature", "Merge pull request #1");
  ASSERT_EQ(repo.head_sha(), merge);
  auto found = nearest();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->commit, base);
  EXPECT_EQ(found->text, "approvals: 2\n");
}

TEST_F(History, ASquashMergeIsJudgedByThePreviousTip) {
  dir_.write("converge.yaml", "approvals: 2\n");
  GitRepo repo(dir_.path(), "main");
  const auto tip = repo.commit_all("gates");
  dir_.write("converge.yaml", "approvals: 0\n");
  repo.commit_all("Squashed pull request #2");
  auto found = nearest();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->commit, tip);
  EXPECT_EQ(found->text, "approvals: 2\n");
}

TEST_F(History, TheWalkSkipsFirstParentsWithoutTheFileAndAnExplicitStartIsInclusive) {
  dir_.write("converge.yaml", "approvals: 1\n");
  dir_.write("README.md", "x\n");
  GitRepo repo(dir_.path(), "main");
  const auto adopted = repo.commit_all("adopt converge");
  std::filesystem::remove(dir_ / "converge.yaml");
  repo.commit_all("drop converge");
  dir_.write("README.md", "y\n");
  repo.commit_all("docs");
  dir_.write("converge.yaml", "approvals: 0\n");
  const auto head = repo.commit_all("bring converge back, weaker");
  auto found = nearest();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->commit, adopted);
  EXPECT_EQ(found->text, "approvals: 1\n");
  auto from_head = nearest(head);
  ASSERT_TRUE(from_head);
  EXPECT_EQ(from_head->commit, head);
  repo.branch("trusted");
  auto from_branch = nearest("trusted");
  ASSERT_TRUE(from_branch);
  EXPECT_EQ(from_branch->commit, head);
}

TEST_F(History, NoAncestorWithTheFileIsAMissNotAnError) {
  dir_.write("converge.yaml", "approvals: 0\n");
  GitRepo repo(dir_.path(), "main");
  repo.commit_all("first adoption");
  EXPECT_FALSE(nearest()) << "a root commit has no parent";
  dir_.write("converge.yaml", "approvals: 1\n");
  repo.commit_all("second");
  ASSERT_TRUE(nearest());
  EXPECT_EQ(nearest()->text, "approvals: 0\n");
}

TEST_F(History, AParentMissingFromTheCloneIsAnErrorNeverAFirstAdoption) {
  dir_.write("converge.yaml", "approvals: 2\n");
  GitRepo repo(dir_.path(), "main");
  const auto parent = repo.commit_all("gates");
  dir_.write("converge.yaml", "approvals: 0\n");
  repo.commit_all("change");
  // A shallow clone: the parent's object is not in the object database.
  std::filesystem::remove(dir_ / (".git/objects/" + parent.substr(0, 2) + "/" + parent.substr(2)));
  auto found = nearest_first_parent_with_file(dir_.path(), "", "converge.yaml");
  ASSERT_FALSE(found);
  EXPECT_NE(found.error().message.find("is not in the clone: fetch the history"), std::string::npos)
      << found.error().message;
}

TEST_F(History, AnUnknownStartOrNoRepositoryIsAnError) {
  dir_.write("converge.yaml", "x: 1\n");
  EXPECT_FALSE(nearest_first_parent_with_file(dir_.path(), "", "converge.yaml")) << "not a repository";
  GitRepo repo(dir_.path(), "main");
  repo.commit_all("one");
  EXPECT_FALSE(nearest_first_parent_with_file(dir_.path(), "origin/nope", "converge.yaml"));
  EXPECT_FALSE(has_commit(dir_.path(), "0123456789012345678901234567890123456789"));
  EXPECT_TRUE(has_commit(dir_.path(), repo.head_sha()));
}

TEST_F(History, AFileInASubdirectoryIsFoundByItsRepositoryPath) {
  dir_.write("deploy/converge.yaml", "approvals: 2\n");
  GitRepo repo(dir_.path(), "main");
  repo.commit_all("gates");
  dir_.write("deploy/converge.yaml", "approvals: 0\n");
  repo.commit_all("weaken");
  auto found = nearest_first_parent_with_file(dir_ / "deploy", "", "deploy/converge.yaml");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->text, "approvals: 2\n");
  auto root = work_tree_of(dir_ / "deploy");
  ASSERT_TRUE(root);
  EXPECT_EQ(std::filesystem::canonical(*root), std::filesystem::canonical(dir_.path()));
}

}  // namespace
}  // namespace converge::git
