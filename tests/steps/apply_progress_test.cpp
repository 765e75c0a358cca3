// The apply step shows each migration as it runs: a group per migration (a
// `::group::` in Actions) and a line when it ends with its duration, or its failure.
#include "steps/repo_fixture.hpp"

namespace converge::testing {
namespace {

using ApplyProgress = RepoTest;

TEST_F(ApplyProgress, EachMigrationGetsAGroupAndAnEndLineWithItsDuration) {
  auto first = converge({"apply", "--env", "dev"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  dir_.write("db/migrations/20260102000000_ok.sql", "-- migrate:up\ncreate table ok (id int);\n-- migrate:down\n");
  dir_.write("db/migrations/20260103000000_bad.sql", "-- migrate:up\n\ninsert into nope values (1);\n-- migrate:down\n");
  // Locally a group is its title on a line of its own (Console prints ::group:: in Actions).
  auto r = converge({"apply", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("\napp-db: 20260102000000_ok\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  20260102000000_ok done in 0."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\napp-db: 20260103000000_bad\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  20260103000000_bad failed after "), std::string::npos) << r.out;
  EXPECT_NE((r.out + r.err).find("db/migrations/20260103000000_bad.sql:3: "), std::string::npos) << r.out << r.err;
}

}  // namespace
}  // namespace converge::testing
