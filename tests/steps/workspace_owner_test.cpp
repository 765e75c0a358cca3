// A step started as root in a runner becomes the owner of GITHUB_WORKSPACE (the
// runner's user), as the image runs its steps: libgit2 reads a checkout owned by
// another user, and everything the step writes (the database, plan.json, the step
// outputs) belongs to the runner. Needs root to run (the machines of make test are).
#include <sys/stat.h>
#include <unistd.h>

#include "steps/repo_fixture.hpp"

namespace converge::testing {
namespace {

constexpr uid_t kRunner = 4242;
constexpr gid_t kRunnerGroup = 4343;

uid_t owner_of(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_uid;
}

void chown_tree(const std::filesystem::path& root, uid_t uid, gid_t gid) {
  ASSERT_EQ(::lchown(root.c_str(), uid, gid), 0);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root))
    ASSERT_EQ(::lchown(entry.path().c_str(), uid, gid), 0) << entry.path();
}

class WorkspaceOwner : public RepoTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: the step must start as root, as in the image";
    RepoTest::SetUp();
    dir_.write("output.txt", "");
    chown_tree(dir_.path(), kRunner, kRunnerGroup);
  }
  RunResult in_runner(const std::filesystem::path& workspace) {
    return run_step("converge", {"plan", "--env", "dev", "--out", "plan.json"}, dir_.path(),
                    {{"GITHUB_ACTIONS", "true"}, {"GITHUB_WORKSPACE", workspace.string()},
                     {"GITHUB_OUTPUT", (dir_.path() / "output.txt").string()}});
  }
};

TEST_F(WorkspaceOwner, AStepStartedAsRootRunsAsTheWorkspaceOwner) {
  auto r = in_runner(dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("20260101000000_users"), std::string::npos) << "libgit2 read the checkout\n" << r.out;
  EXPECT_EQ(owner_of(dir_.path() / "plan.json"), kRunner);
  std::string outputs;
  ASSERT_EQ(run_shell("cat '" + (dir_.path() / "output.txt").string() + "'", &outputs), 0);
  EXPECT_NE(outputs.find("plan-hash"), std::string::npos) << outputs;
  EXPECT_EQ(owner_of(dir_.path() / "output.txt"), kRunner);
}

TEST_F(WorkspaceOwner, AWorkspaceOwnedByRootLeavesTheStepAsRoot) {
  chown_tree(dir_.path(), 0, 0);
  auto r = in_runner(dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(owner_of(dir_.path() / "plan.json"), 0u);
}

TEST_F(WorkspaceOwner, OutsideARunnerNothingChanges) {
  auto r = run_step("converge", {"plan", "--env", "dev", "--out", "/tmp/converge-owner-test-plan.json"}, dir_.path(),
                    {{"GITHUB_ACTIONS", "false"}, {"GITHUB_WORKSPACE", dir_.path().string()}});
  EXPECT_EQ(owner_of("/tmp/converge-owner-test-plan.json"), 0u) << r.out << r.err;
  std::filesystem::remove("/tmp/converge-owner-test-plan.json");
}

}  // namespace
}  // namespace converge::testing
