// Two dev/** branches sharing the one dev database (docs/adopt.md "One dev runtime"):
// the second branch's deploy is refused, and the refusal says why and what to do.
#include "steps/repo_fixture.hpp"

namespace converge::testing {
namespace {

using SharedDevRuntime = RepoTest;

constexpr std::string_view kComments =
    "-- migrate:up\ncreate table comments (id integer primary key);\n\n-- migrate:down\ndrop table comments;\n";

TEST_F(SharedDevRuntime, ABranchWithoutAnotherBranchsMigrationIsRefusedWithTheReasonAndTheFix) {
  ASSERT_EQ(converge({"apply", "--env", "dev"}).exit_code, 0);
  repo_->branch("dev/a");
  repo_->checkout("dev/a");
  dir_.write("db/migrations/20260102000000_posts.sql", kPosts);
  repo_->commit_all("posts");
  auto a = converge({"apply", "--env", "dev"});
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;

  repo_->checkout("dev/feature");  // the first branch, which never saw posts
  repo_->branch("dev/b");
  repo_->checkout("dev/b");
  dir_.write("db/migrations/20260103000000_comments.sql", kComments);
  repo_->commit_all("comments");
  for (const char* step : {"plan", "apply"}) {
    SCOPED_TRACE(step);
    auto b = converge({step, "--env", "dev"});
    EXPECT_NE(b.exit_code, 0) << b.out << b.err;
    const auto said = b.out + b.err;
    EXPECT_NE(said.find("version 20260102000000 is applied in the database"), std::string::npos) << said;
    EXPECT_NE(said.find("every dev/** branch shares one dev database"), std::string::npos) << said;
    EXPECT_NE(said.find("docs/adopt.md#one-dev-runtime"), std::string::npos) << said;
  }
  EXPECT_EQ(sqlite_value(".converge/dev.db", "select count(*) from sqlite_master where name = 'comments'"), "0");
}

}  // namespace
}  // namespace converge::testing
