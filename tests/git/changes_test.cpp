// git/changes.hpp: the paths a pull request changes are those between the merge base
// and its head, both sides of a rename, never what the base branch changed since.
#include "converge/git/changes.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/git_repo.hpp"
#include "support/temp_dir.hpp"

namespace converge::git {
namespace {

using converge::testing::GitRepo;
using converge::testing::TempDir;
using ::testing::ElementsAre;

TEST(ChangedPaths, FromTheMergeBaseToTheHeadWithBothSidesOfARename) {
  TempDir dir;
  dir.write("infra/network/main.tf", "a\n");
  dir.write("infra/dns/main.tf", "b\n");
  dir.write("README.md", "r\n");
  GitRepo repo(dir.path(), "main");
  const auto base = repo.commit_all("start");
  repo.branch("feature");
  repo.checkout("feature");
  dir.write("infra/dns/main.tf", "b2\n");
  std::filesystem::rename(dir / "README.md", dir / "docs.md");
  const auto head = repo.commit_all("dns and a rename");
  repo.checkout("main");
  dir.write("infra/network/main.tf", "a2\n");  // the base moves on after the branch
  const auto moved = repo.commit_all("network on main");

  auto paths = changed_paths(dir.path(), moved, head);
  ASSERT_TRUE(paths) << paths.error().to_string();
  EXPECT_THAT(*paths, ElementsAre("README.md", "docs.md", "infra/dns/main.tf"));
  auto none = changed_paths(dir.path(), base, base);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(ChangedPaths, ACommitMissingFromTheCloneIsAnError) {
  TempDir dir;
  dir.write("a.txt", "a\n");
  GitRepo repo(dir.path(), "main");
  const auto head = repo.commit_all("start");
  auto paths = changed_paths(dir.path(), std::string(40, 'a'), head);
  ASSERT_FALSE(paths);
  EXPECT_NE(paths.error().message.find("not in the clone"), std::string::npos) << paths.error().message;
}

}  // namespace
}  // namespace converge::git
