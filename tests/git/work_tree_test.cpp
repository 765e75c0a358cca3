// unclean_files on real repositories: untracked, modified, deleted and staged files
// under the given paths count; ignored files and files elsewhere do not.
#include "converge/git/work_tree.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/git_repo.hpp"
#include "support/temp_dir.hpp"

namespace converge::git {
namespace {

using converge::testing::GitRepo;
using converge::testing::TempDir;

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

class WorkTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(root() / "db/migrations/001_a.sql", "-- migrate:up\nCREATE TABLE a (id int);\n");
    write_file(root() / "assets/charts/c.yaml", "slice_name: c\n");
    write_file(root() / "README.md", "readme\n");
    write_file(root() / ".gitignore", "*.log\n");
    repo_.commit_all("first");
  }
  std::filesystem::path root() const { return dir_.path(); }
  std::vector<std::string> paths_under(const std::vector<std::filesystem::path>& under) {
    auto files = unclean_files(root(), under);
    EXPECT_TRUE(files) << (files ? "" : files.error().message);
    std::vector<std::string> out;
    if (files)
      for (const auto& f : *files) out.push_back(f.path + " " + f.state);
    return out;
  }

  TempDir dir_;
  GitRepo repo_{dir_.path()};
};

TEST_F(WorkTreeTest, ACleanTreeHasNone) {
  EXPECT_TRUE(paths_under({"db/migrations", "assets"}).empty());
  EXPECT_TRUE(paths_under({}).empty());
}

TEST_F(WorkTreeTest, AnUntrackedMigrationCountsThoughOnlyTrackedChangesMadeATreeDirtyBefore) {
  write_file(root() / "db/migrations/002_b.sql", "-- migrate:up\nDROP TABLE a;\n");
  EXPECT_EQ(paths_under({"db/migrations"}), std::vector<std::string>{"db/migrations/002_b.sql untracked"});
  // In a new untracked folder too (recursed, not reported as the folder).
  write_file(root() / "assets/dashboards/new/d.yaml", "dashboard_title: d\n");
  EXPECT_EQ(paths_under({"assets"}), std::vector<std::string>{"assets/dashboards/new/d.yaml untracked"});
}

TEST_F(WorkTreeTest, ModifiedDeletedAndStagedFilesCount) {
  write_file(root() / "db/migrations/001_a.sql", "-- migrate:up\nCREATE TABLE a (id bigint);\n");
  std::filesystem::remove(root() / "assets/charts/c.yaml");
  EXPECT_EQ(paths_under({"db/migrations", root() / "assets"}),
            (std::vector<std::string>{"assets/charts/c.yaml deleted", "db/migrations/001_a.sql modified"}));
}

TEST_F(WorkTreeTest, FilesOutsideThePathsDoNotCountNorIgnoredOnesInTheWholeTree) {
  write_file(root() / "README.md", "changed\n");
  write_file(root() / "notes.txt", "untracked elsewhere\n");
  write_file(root() / "build.log", "ignored\n");
  // A sibling whose name starts like the folder is not under it.
  write_file(root() / "db/migrations-old/001.sql", "x\n");
  EXPECT_TRUE(paths_under({"db/migrations"}).empty());
  EXPECT_EQ(paths_under({}), (std::vector<std::string>{"README.md modified", "db/migrations-old/001.sql untracked",
                                                       "notes.txt untracked"}));
  // A path outside the work tree names nothing.
  EXPECT_TRUE(paths_under({root().parent_path()}).empty());
}

TEST_F(WorkTreeTest, AnIgnoredFileUnderThePathsCountsForCompileReadsIt) {
  write_file(root() / "db/migrations/generated.log", "hidden by .gitignore, read all the same\n");
  EXPECT_EQ(paths_under({"db/migrations"}), std::vector<std::string>{"db/migrations/generated.log ignored"});
}

TEST_F(WorkTreeTest, AHostileFileNameIsOnlyAName) {
  // Names that are pathspec patterns elsewhere match only themselves here.
  write_file(root() / "db/[m]igrations/001.sql", "x\n");
  write_file(root() / "assets/*", "x\n");
  EXPECT_TRUE(paths_under({"db/migrations"}).empty());
  EXPECT_EQ(paths_under({"assets/*"}), std::vector<std::string>{"assets/* untracked"});
  EXPECT_EQ(paths_under({"assets/charts"}), std::vector<std::string>{});
}

TEST_F(WorkTreeTest, AFileAsThePathAndAPathFromASubfolder) {
  write_file(root() / "assets/charts/c.yaml", "slice_name: changed\n");
  EXPECT_EQ(paths_under({"assets/charts/c.yaml"}), std::vector<std::string>{"assets/charts/c.yaml modified"});
  auto files = unclean_files(root() / "assets", {"charts"});
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ(files->front().path, "assets/charts/c.yaml");
}

TEST(WorkTreeOutsideTest, OutsideARepositoryIsAnError) {
  TempDir dir;
  EXPECT_FALSE(unclean_files(dir.path(), {}));
}

}  // namespace
}  // namespace converge::git
