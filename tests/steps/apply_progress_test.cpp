// The apply step shows each change as it runs, inside its target's group (a
// `::group::` in Actions): a line when it starts and one when it ends, with its
// duration, or its failure.
#include "steps/repo_fixture.hpp"

namespace converge::testing {
namespace {

using ApplyProgress = RepoTest;

TEST_F(ApplyProgress, EachMigrationShowsWhenItStartsAndEndsWithItsDuration) {
  auto first = converge({"apply", "--env", "dev"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("\nApplying app-db (1 to create, 0 to update, 0 to delete, 0 to replace)\n→ migration "),
            std::string::npos)
      << first.out;
  dir_.write("db/migrations/20260102000000_ok.sql", "-- migrate:up\ncreate table ok (id int);\n-- migrate:down\n");
  dir_.write("db/migrations/20260103000000_bad.sql", "-- migrate:up\n\ninsert into nope values (1);\n-- migrate:down\n");
  auto r = converge({"apply", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  // Start and end lines in order, named as the plan names the item; no group per migration.
  const auto ok_start = r.out.find("→ migration ");
  const auto ok_end = r.out.find("✓ migration ");
  const auto bad_start = r.out.find("→ migration ", ok_start + 1);
  const auto bad_end = r.out.find("✗ migration ");
  ASSERT_NE(ok_start, std::string::npos) << r.out;
  ASSERT_NE(bad_end, std::string::npos) << r.out;
  EXPECT_LT(ok_start, ok_end);
  EXPECT_LT(ok_end, bad_start);
  EXPECT_LT(bad_start, bad_end);
  const std::string ok_line = r.out.substr(ok_end, r.out.find('\n', ok_end) - ok_end);
  EXPECT_NE(ok_line.find("20260102000000_ok"), std::string::npos) << ok_line;
  EXPECT_TRUE(ok_line.ends_with(" s")) << ok_line;
  EXPECT_NE(ok_line.find(" 0."), std::string::npos) << "a duration in seconds: " << ok_line;
  const std::string bad_line = r.out.substr(bad_end, r.out.find('\n', bad_end) - bad_end);
  EXPECT_NE(bad_line.find("20260103000000_bad"), std::string::npos) << bad_line;
  EXPECT_NE(bad_line.find(" failed after "), std::string::npos) << bad_line;
  EXPECT_EQ(r.out.find("\napp-db: 2026"), std::string::npos) << "one group per target, not per migration";
  EXPECT_NE((r.out + r.err).find("db/migrations/20260103000000_bad.sql:3: "), std::string::npos) << r.out << r.err;
}

TEST_F(ApplyProgress, InARunnerTheChangesAreInsideTheTargetsOneGroup) {
  dir_.write("db/migrations/20260102000000_ok.sql", "-- migrate:up\ncreate table ok (id int);\n-- migrate:down\n");
  repo_->commit_all("ok");
  TempDir runner_temp;
  auto r = converge({"apply", "--env", "dev"},
                    {{"GITHUB_ACTIONS", "true"}, {"RUNNER_TEMP", runner_temp.path().string()}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto group = r.out.find("::group::Applying app-db (2 to create");
  ASSERT_NE(group, std::string::npos) << r.out;
  const auto end = r.out.find("::endgroup::", group);
  const auto second = r.out.find("✓ migration ", r.out.find("✓ migration ", group) + 1);
  EXPECT_LT(second, end) << r.out;
  EXPECT_EQ(r.out.find("::group::", group + 1), r.out.find("::group::", end)) << "no group inside the target's";
}

}  // namespace
}  // namespace converge::testing
