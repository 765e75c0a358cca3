// drift-verify end to end on SQLite: clean, pending migrations, ad-hoc DDL, --apply
// (which only ever restores the deploy the manifest recorded).
#include "steps/repo_fixture.hpp"

namespace converge::testing {
namespace {

class Drift : public RepoTest {
 protected:
  // dev deployed and recorded at a commit that holds the schema snapshot apply
  // wrote (sha_), as a developer commits it: the manifest says dev runs sha_.
  void deploy_and_record() {
    ASSERT_EQ(converge({"apply", "--env", "dev"}).exit_code, 0);
    sha_ = repo_->commit_all("snapshot");
    ASSERT_EQ(converge({"apply", "--env", "dev"}).exit_code, 0);
    ASSERT_EQ(converge({"record-manifest", "--env", "dev"}).exit_code, 0);
  }
};

TEST_F(Drift, CleanRuntimeExitsZero) {
  ASSERT_EQ(converge({"apply", "--env", "dev"}).exit_code, 0);
  repo_->commit_all("snapshot");
  auto r = converge({"drift-verify", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("No drift"), std::string::npos);
}

TEST_F(Drift, PendingMigrationIsDrift) {
  auto r = converge({"drift-verify", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("drift in dev: 1 to create"), std::string::npos) << r.err;
}

TEST_F(Drift, ApplyPutsBackTheRecordedDeployAfterAHandMadeRollback) {
  deploy_and_record();
  sqlite_exec(".converge/dev.db", "drop table users; delete from schema_migrations");

  auto fixed = converge({"drift-verify", "--env", "dev", "--apply"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.out << fixed.err;
  EXPECT_NE(fixed.out.find("runs " + sha_.substr(0, 12) + " as recorded"), std::string::npos) << fixed.out;
  EXPECT_NE(fixed.out.find("Drift reconciled"), std::string::npos);
  EXPECT_EQ(sqlite_value(".converge/dev.db", "select max(version) from schema_migrations"), "20260101000000");
}

TEST_F(Drift, ApplyRefusesWhenNothingIsRecorded) {
  auto r = converge({"drift-verify", "--env", "dev", "--apply"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("nothing is recorded as running in dev"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was applied"), std::string::npos) << r.err;
  EXPECT_EQ(sqlite_value(".converge/dev.db", "select count(*) from schema_migrations"), "");
}

TEST_F(Drift, ApplyRefusesACommitThatIsNotTheRecordedOne) {
  deploy_and_record();
  dir_.write("db/migrations/20260102000000_posts.sql", kPosts);
  const auto unrecorded = repo_->commit_all("posts, never deployed through apply");

  auto r = converge({"drift-verify", "--env", "dev", "--apply"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("but the checkout is " + unrecorded.substr(0, 12)), std::string::npos) << r.err;
  EXPECT_EQ(sqlite_value(".converge/dev.db", "select count(*) from sqlite_master where name = 'posts'"), "0");
}

TEST_F(Drift, ApplyRefusesABundleThatIsNotTheRecordedOne) {
  deploy_and_record();
  dir_.write("db/migrations/20260102000000_posts.sql", kPosts);  // uncommitted: same HEAD, another bundle

  auto r = converge({"drift-verify", "--env", "dev", "--apply"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("target app-db's bundle"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("is not the one recorded for dev"), std::string::npos) << r.err;
  EXPECT_EQ(sqlite_value(".converge/dev.db", "select count(*) from sqlite_master where name = 'posts'"), "0");
}

TEST_F(Drift, AdHocDdlIsShownAsADiffAndNeverUndone) {
  deploy_and_record();
  sqlite_exec(".converge/dev.db", "alter table users add column nickname text");
  auto r = converge({"drift-verify", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("nickname"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--- actual/"), std::string::npos) << r.out;

  auto again = converge({"drift-verify", "--env", "dev", "--apply"});
  EXPECT_EQ(again.exit_code, 1) << again.out;
  EXPECT_NE(again.err.find("write a migration"), std::string::npos) << again.err;
  EXPECT_NE(sqlite_value(".converge/dev.db", "select sql from sqlite_master where name = 'users'").find("nickname"),
            std::string::npos)
      << "converge must never drop what it did not create";
}

}  // namespace
}  // namespace converge::testing
