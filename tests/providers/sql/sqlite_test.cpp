// SQLite specifics of the sql provider: URL paths, no file created by plan, dump format.
#include <gtest/gtest.h>

#include "converge/providers/sql/sql_provider.hpp"
#include "converge/util/fs.hpp"
#include "sql_test_support.hpp"
#include "support/temp_dir.hpp"

namespace converge::providers::sql {
namespace {

std::unique_ptr<Provider> provider(const testing::TempDir& repo, const std::string& url) {
  auto p = make_provider(test::spec_for(repo.path(), url));
  EXPECT_TRUE(p) << p.error().to_string();
  return p ? std::move(*p) : nullptr;
}

ApplyReport apply(Provider& p) { return test::compile_plan_apply(p); }

TEST(SqliteProvider, PlanAndRuntimeVersionDoNotCreateAMissingDatabaseFile) {
  testing::TempDir repo;
  repo.write("db/migrations/1_a.sql", "-- migrate:up\ncreate table a (id integer);\n-- migrate:down\n");
  auto p = provider(repo, "sqlite:///data/new.db");
  auto bundle = p->compile();
  ASSERT_TRUE(bundle);
  auto planned = p->plan(*bundle, {});
  ASSERT_TRUE(planned) << planned.error().to_string();
  EXPECT_EQ(planned->changes.size(), 1u);
  EXPECT_EQ(p->runtime_version().value_or("?"), "");
  EXPECT_FALSE(std::filesystem::exists(repo / "data/new.db"));
  EXPECT_FALSE(std::filesystem::exists(repo / "data"));
}

TEST(SqliteProvider, FourSlashUrlIsAnAbsolutePath) {
  testing::TempDir repo, elsewhere;
  repo.write("db/migrations/1_a.sql", "-- migrate:up\ncreate table a (id integer);\n-- migrate:down\n");
  auto p = provider(repo, "sqlite:///" + (elsewhere / "abs.db").string());
  ASSERT_TRUE(apply(*p).ok());
  EXPECT_TRUE(std::filesystem::exists(elsewhere / "abs.db"));
  EXPECT_FALSE(std::filesystem::exists(repo / "abs.db"));
}

TEST(SqliteProvider, SnapshotListsTablesIndexesViewsTriggersByTypeThenName) {
  testing::TempDir repo;
  repo.write("db/migrations/1_schema.sql",
             "-- migrate:up\n"
             "create table b (id integer primary key, a_id integer);\n"
             "create table a (id integer primary key, name text unique);\n"
             "create index b_a_id on b (a_id);\n"
             "create view a_names as select name from a;\n"
             "create trigger b_touch after insert on b begin select 1; end;\n"
             "-- migrate:down\n");
  auto p = provider(repo, "sqlite:///app.db");
  ASSERT_TRUE(apply(*p).ok());
  std::string dump = util::read_file(repo / "db/schema.sql").value_or("");
  EXPECT_EQ(dump,
            "CREATE TABLE a (id integer primary key, name text unique);\n\n"
            "CREATE TABLE b (id integer primary key, a_id integer);\n\n"
            "CREATE INDEX b_a_id on b (a_id);\n\n"
            "CREATE VIEW a_names as select name from a;\n\n"
            "CREATE TRIGGER b_touch after insert on b begin select 1; end;\n");
}

TEST(SqliteProvider, EmptyDatabaseMatchesAnAbsentSnapshot) {
  testing::TempDir repo;
  std::filesystem::create_directories(repo / "db/migrations");
  auto p = provider(repo, "sqlite:///app.db");
  auto bundle = p->compile();
  ASSERT_TRUE(bundle);
  auto planned = p->plan(*bundle, {});
  ASSERT_TRUE(planned);
  EXPECT_TRUE(planned->changes.empty());
  EXPECT_TRUE(planned->errors.empty());
}

TEST(SqliteProvider, MissingMigrationsDirectoryIsAConfigError) {
  testing::TempDir repo;
  auto p = provider(repo, "sqlite:///app.db");
  auto bundle = p->compile();
  ASSERT_FALSE(bundle);
  EXPECT_EQ(bundle.error().code, ExitCode::usage);
  EXPECT_NE(bundle.error().message.find("db/migrations"), std::string::npos);
}

}  // namespace
}  // namespace converge::providers::sql
