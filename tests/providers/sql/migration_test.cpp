// The dbmate migration-file parser, and the provider's settings and bundle.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "converge/providers/sql/database.hpp"
#include "converge/providers/sql/migration.hpp"
#include "converge/providers/sql/sql_provider.hpp"
#include "support/temp_dir.hpp"
#include "sql_test_support.hpp"

namespace converge::providers::sql {
namespace {

Migration parsed(std::string_view text, std::string_view name = "20240101000000_create_users.sql") {
  auto m = parse_migration(name, text, "db/migrations/" + std::string(name));
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().to_string());
  return m ? *m : Migration{};
}

Error parse_error(std::string_view text) {
  auto m = parse_migration("7_x.sql", text, "db/migrations/7_x.sql");
  EXPECT_FALSE(m.has_value());
  return m ? Error{} : m.error();
}

TEST(MigrationParse, SplitsUpAndDownBlocksAndTakesVersionAndNameFromTheFileName) {
  Migration m = parsed("-- migrate:up\ncreate table users (id int);\n-- migrate:down\ndrop table users;\n");
  EXPECT_EQ(m.version, "20240101000000");
  EXPECT_EQ(m.name, "create_users");
  EXPECT_EQ(m.key(), "20240101000000_create_users");
  EXPECT_EQ(m.up, "create table users (id int);\n");
  EXPECT_EQ(m.down, "drop table users;\n");
  EXPECT_TRUE(m.transaction);
}

TEST(MigrationParse, AcceptsMarkersWithoutSpaceAndLeadingCommentsAndBlankLines) {
  Migration m = parsed("\n-- This creates users.\n   -- indented comment\n\n--migrate:up\nselect 1;\n--migrate:down\n");
  EXPECT_EQ(m.up, "select 1;\n");
  EXPECT_EQ(m.down, "");
}

TEST(MigrationParse, ReadsTransactionFalseFromTheUpMarker) {
  Migration m = parsed("-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (c);\n-- migrate:down\n");
  EXPECT_FALSE(m.transaction);
  EXPECT_TRUE(parsed("-- migrate:up transaction:true\nselect 1;\n-- migrate:down\n").transaction);
  // Malformed option words are ignored, as dbmate does.
  EXPECT_TRUE(parsed("-- migrate:up transaction:false:x foo\nselect 1;\n-- migrate:down\n").transaction);
  // Only the up marker's options matter for applying.
  EXPECT_TRUE(parsed("-- migrate:up\nselect 1;\n-- migrate:down transaction:false\n").transaction);
}

TEST(MigrationParse, AcceptsWindowsLineEndings) {
  Migration m = parsed("-- migrate:up transaction:false\r\ncreate table t (id int);\r\n-- migrate:down\r\ndrop table t;\r\n");
  EXPECT_FALSE(m.transaction);
  EXPECT_EQ(m.up, "create table t (id int);\r\n");
  EXPECT_EQ(m.down, "drop table t;\r\n");
}

TEST(MigrationParse, StatementBeforeTheUpBlockIsAnErrorWithItsLine) {
  Error e = parse_error("-- a comment\n\nCREATE TYPE s AS ENUM ('a');\n-- migrate:up\nselect 1;\n-- migrate:down\n");
  EXPECT_EQ(e.code, ExitCode::usage);
  ASSERT_TRUE(e.where.has_value());
  EXPECT_EQ(e.where->file, "db/migrations/7_x.sql");
  EXPECT_EQ(e.where->line, 3);
  EXPECT_NE(e.message.find("preceding the '-- migrate:up' block"), std::string::npos);
}

TEST(MigrationParse, MissingUpBlockIsAnError) {
  Error e = parse_error("create table t (id int);\n");
  EXPECT_EQ(e.where->line, 1);  // the statement outside a block is the first thing wrong
  Error only_comments = parse_error("-- nothing here\n");
  EXPECT_NE(only_comments.message.find("define an up block"), std::string::npos);
}

TEST(MigrationParse, DownBeforeUpIsAnErrorAtTheDownMarker) {
  Error e = parse_error("\n-- migrate:down\ndrop table t;\n-- migrate:up\ncreate table t (id int);\n");
  EXPECT_EQ(e.where->line, 2);
  EXPECT_NE(e.message.find("'-- migrate:up' to appear before '-- migrate:down'"), std::string::npos);
}

TEST(MigrationParse, MissingDownBlockIsAnErrorAsInDbmate) {
  Error e = parse_error("-- a\n-- migrate:up\ncreate table t (id int);\n");
  EXPECT_EQ(e.where->line, 2);
  EXPECT_NE(e.message.find("define a down block"), std::string::npos);
}

TEST(MigrationParse, SecondUpSectionIsReportedAtItsLine) {
  Error e = parse_error("-- migrate:up\nselect 1;\n-- migrate:down\n\n-- migrate:up\nselect 2;\n");
  EXPECT_EQ(e.where->line, 5);
}

TEST(MigrationParse, MarkerMustBeFollowedBySpaceOrEndOfLine) {
  // `-- migrate:upgrade` is an ordinary comment, so the file has no up block.
  Error e = parse_error("-- migrate:upgrade\nselect 1;\n");
  EXPECT_EQ(e.where->line, 2);
}

TEST(MigrationParse, NulByteIsAnErrorAtItsLine) {
  using namespace std::string_literals;
  Error e = parse_error("-- migrate:up\ncreate table a (id int);\ninsert into a values (1);\0drop table a;\n"
                        "-- migrate:down\n"s);
  EXPECT_EQ(e.code, ExitCode::usage);
  EXPECT_EQ(e.to_string().rfind("db/migrations/7_x.sql:3: a NUL byte", 0), 0u) << e.to_string();
  // Anywhere in the file, even in the down block or a comment.
  EXPECT_EQ(parse_error("-- migrate:up\nselect 1;\n-- migrate:down\n-- \0\n"s).where->line, 4);
}

TEST(MigrationTransactions, CommitInATransactionalMigrationIsAnErrorAtItsFileLine) {
  Migration m = parsed("-- Moves rows.\n\n-- migrate:up\ncreate table a (id int);\n\nCOMMIT;\n-- migrate:down\n");
  auto checked = check_transaction_control(m, Dialect::sqlite);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, ExitCode::usage);
  EXPECT_EQ(checked.error().to_string().rfind(
                "db/migrations/20240101000000_create_users.sql:6: 'COMMIT' in a migration that runs in a transaction", 0),
            0u)
      << checked.error().to_string();
  EXPECT_NE(checked.error().message.find("transaction:false"), std::string::npos);
}

TEST(MigrationTransactions, TransactionFalseMigrationsManageTheirOwnTransactions) {
  Migration m = parsed("-- migrate:up transaction:false\nbegin;\ncreate table a (id int);\ncommit;\n-- migrate:down\n");
  EXPECT_TRUE(check_transaction_control(m, Dialect::postgres));
  EXPECT_TRUE(check_transaction_control(parsed("-- migrate:up\nselect 1;\n-- migrate:down\ncommit;\n"),
                                        Dialect::postgres))
      << "converge never runs the down block";
}

TEST(MigrationParse, ReadsTransactionFalseOnTheDownMarkerAsDbmateDoes) {
  Migration m = parsed("-- migrate:up\ncreate index i on t (a);\n-- migrate:down transaction:false\ndrop index i;\n");
  EXPECT_TRUE(m.transaction);
  EXPECT_FALSE(m.down_transaction);
  EXPECT_TRUE(parsed("-- migrate:up transaction:false\nselect 1;\n-- migrate:down\nselect 2;\n").down_transaction);
}

TEST(MigrationFileName, TakesTheLeadingDigitsAsVersionAndIgnoresOtherFiles) {
  auto a = split_file_name("20151129054053_test_migration.sql");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->version, "20151129054053");
  EXPECT_EQ(a->name, "test_migration");
  auto b = split_file_name("001.sql");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->version, "001");
  EXPECT_EQ(b->name, "");
  EXPECT_FALSE(split_file_name("README.md"));
  EXPECT_FALSE(split_file_name("create_users.sql"));
  EXPECT_FALSE(split_file_name("20240101_x.sql.bak"));
}

// As dbmate compares them (strings): with 9 applied, 10 is out of order under --strict.
TEST(MigrationFileName, VersionsOrderAsDbmateComparesThem) {
  EXPECT_TRUE(version_less("10", "9"));
  EXPECT_FALSE(version_less("9", "10"));
  EXPECT_TRUE(version_less("20200101000000", "20200101000001"));
}

TEST(MigrationLoad, ReadsMatchingFilesInDbmatesOrderAndIgnoresTheRest) {
  testing::TempDir repo;
  repo.write("db/migrations/10_b.sql", "-- migrate:up\nselect 10;\n-- migrate:down\n");
  repo.write("db/migrations/9_a.sql", "-- migrate:up\nselect 9;\n-- migrate:down\n");
  repo.write("db/migrations/README.md", "not a migration");
  repo.write("db/migrations/notes.sql", "not a migration either");
  auto list = load_migrations(repo / "db/migrations", repo.path());
  ASSERT_TRUE(list) << list.error().to_string();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].key(), "10_b") << "dbmate sorts by file name";
  EXPECT_EQ((*list)[1].key(), "9_a");
  EXPECT_EQ((*list)[1].file, "db/migrations/9_a.sql");
}

TEST(MigrationLoad, TwoFilesWithOneVersionAreAnError) {
  testing::TempDir repo;
  repo.write("db/migrations/1_a.sql", "-- migrate:up\nselect 1;\n-- migrate:down\n");
  repo.write("db/migrations/1_b.sql", "-- migrate:up\nselect 1;\n-- migrate:down\n");
  auto list = load_migrations(repo / "db/migrations", repo.path());
  ASSERT_FALSE(list);
  EXPECT_NE(list.error().message.find("version 1"), std::string::npos);
}

Error load_error(const testing::TempDir& repo) {
  auto list = load_migrations(repo / "db/migrations", repo.path());
  EXPECT_FALSE(list);
  return list ? Error{} : list.error();
}

TEST(MigrationLoad, SymlinkLoopIsAnErrorNamingThePath) {
  testing::TempDir repo;
  repo.write("db/migrations/1_a.sql", "-- migrate:up\nselect 1;\n-- migrate:down\n");
  std::filesystem::create_symlink("2_loop.sql", repo / "db/migrations/2_loop.sql");
  Error e = load_error(repo);
  EXPECT_EQ(e.code, ExitCode::usage);
  EXPECT_EQ(e.to_string(), "db/migrations/2_loop.sql: migration file is a symlink loop (following it never reaches a file)");
}

TEST(MigrationLoad, AFileLargerThanTheLimitIsAnErrorNamingItAndIsNotRead) {
  testing::TempDir repo;
  repo.write("db/migrations/1_a.sql", "-- migrate:up\nselect 1;\n-- migrate:down\n");
  repo.write("db/migrations/2_big.sql", "-- migrate:up\n");
  std::filesystem::resize_file(repo / "db/migrations/2_big.sql", kMaxMigrationBytes + 1);  // sparse: no disk used
  Error e = load_error(repo);
  EXPECT_EQ(e.code, ExitCode::usage);
  EXPECT_EQ(e.to_string(), "db/migrations/2_big.sql: migration file is 67108865 bytes, more than the 64 MiB converge reads");
}

TEST(MigrationLoad, DanglingSymlinkIsAnErrorNamingItAndItsTarget) {
  testing::TempDir repo;
  std::filesystem::create_directories(repo / "db/migrations");
  std::filesystem::create_symlink("../moved/3_b.sql", repo / "db/migrations/3_b.sql");
  Error e = load_error(repo);
  EXPECT_EQ(e.code, ExitCode::usage);
  EXPECT_EQ(e.to_string(),
            "db/migrations/3_b.sql: migration file is a dangling symlink (its target '../moved/3_b.sql' does not exist)");
}

TEST(MigrationLoad, SymlinkToAFileIsReadUnderItsOwnNameAndDirectoriesAreSkipped) {
  testing::TempDir repo;
  repo.write("shared/users.sql", "-- migrate:up\ncreate table users (id int);\n-- migrate:down\n");
  std::filesystem::create_directories(repo / "db/migrations/2_folder.sql");
  std::filesystem::create_symlink("../../shared/users.sql", repo / "db/migrations/1_users.sql");
  auto list = load_migrations(repo / "db/migrations", repo.path());
  ASSERT_TRUE(list) << list.error().to_string();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().file, "db/migrations/1_users.sql");
  EXPECT_EQ(list->front().up, "create table users (id int);\n");
}

TEST(MigrationLoad, FifoNamedLikeAMigrationIsAnErrorNotAHang) {
  testing::TempDir repo;
  std::filesystem::create_directories(repo / "db/migrations");
  ASSERT_EQ(::mkfifo((repo / "db/migrations/4_pipe.sql").c_str(), 0600), 0);
  Error e = load_error(repo);
  EXPECT_EQ(e.to_string(), "db/migrations/4_pipe.sql: migration file is not a regular file");
}

TEST(MigrationLoad, MigrationsDirectoryThatIsASymlinkLoopSaysSo) {
  testing::TempDir repo;
  std::filesystem::create_directories(repo / "db");
  std::filesystem::create_symlink("migrations", repo / "db/migrations");
  Error e = load_error(repo);
  EXPECT_NE(e.message.find("cannot be read: Too many levels of symbolic links"), std::string::npos) << e.message;
}

TEST(SqlSettings, UnknownSettingIsAConfigErrorWithItsLocation) {
  testing::TempDir repo;
  auto spec = test::spec_for(repo.path(), "sqlite:///app.db");
  spec.settings.set("migration", config::Setting{"db/x", SourceLocation{"converge.yaml", 12, 7}, false});
  auto provider = make_provider(spec);
  ASSERT_FALSE(provider);
  EXPECT_EQ(provider.error().code, ExitCode::usage);
  EXPECT_EQ(provider.error().where->line, 12);
}

TEST(SqlSettings, UnsupportedUrlIsAConfigErrorThatHidesThePassword) {
  testing::TempDir repo;
  auto provider = make_provider(test::spec_for(repo.path(), "mysql://app:s3cret@db/app"));
  ASSERT_FALSE(provider);
  EXPECT_EQ(provider.error().where->line, 4);
  EXPECT_EQ(provider.error().message.find("s3cret"), std::string::npos);
}

TEST(SqlSettings, MissingUrlIsAConfigError) {
  testing::TempDir repo;
  providers::TargetSpec spec{"db", "dev", repo.path(), config::Settings(SourceLocation{"converge.yaml", 3, 5})};
  auto provider = make_provider(spec);
  ASSERT_FALSE(provider);
  EXPECT_EQ(provider.error().where->line, 3);
}

TEST(SqlUrl, RedactsPasswords) {
  EXPECT_EQ(redact_url("postgres://user:pw@host:5432/db"), "postgres://user:***@host:5432/db");
  EXPECT_EQ(redact_url("postgresql://user@host/db"), "postgresql://user@host/db");
  EXPECT_EQ(redact_url("postgres://host/db?user=u&password=pw&sslmode=require"),
            "postgres://host/db?user=u&password=***&sslmode=require");
  EXPECT_EQ(redact_url("postgres://u:p@ss@host/db"), "postgres://u:***@host/db");
}

TEST(SqlUrl, SqliteRelativePathIsUnderTheRepoAndFourSlashesAreAbsolute) {
  EXPECT_EQ(sqlite_path("sqlite:///data/app.db", "/repo"), std::filesystem::path("/repo/data/app.db"));
  EXPECT_EQ(sqlite_path("sqlite:////var/app.db", "/repo"), std::filesystem::path("/var/app.db"));
}

TEST(SqlBundle, HashDependsOnContentNotOnWhereTheRepoIs) {
  testing::TempDir a, b;
  for (const auto* repo : {&a, &b}) {
    repo->write("db/migrations/1_a.sql", "-- migrate:up\nselect 1;\n-- migrate:down\n");
    repo->write("db/schema.sql", "CREATE TABLE t (id int);\n");
  }
  auto bundle_a = test::compile(a.path(), "sqlite:///app.db");
  auto bundle_b = test::compile(b.path(), "sqlite:///app.db");
  EXPECT_EQ(bundle_a.hash, bundle_b.hash);
  EXPECT_EQ(bundle_a.hash.size(), 64u);
  b.write("db/schema.sql", "CREATE TABLE t (id bigint);\n");
  EXPECT_NE(test::compile(b.path(), "sqlite:///app.db").hash, bundle_a.hash);
  b.write("db/schema.sql", "CREATE TABLE t (id int);\n");
  b.write("db/migrations/1_a.sql", "-- migrate:up\nselect 2;\n-- migrate:down\n");
  EXPECT_NE(test::compile(b.path(), "sqlite:///app.db").hash, bundle_a.hash);
}

TEST(SqlBundle, ParseErrorsInCompileNameTheRepoRelativeFileAndLine) {
  testing::TempDir repo;
  repo.write("db/migrations/1_a.sql", "select 1;\n-- migrate:up\n-- migrate:down\n");
  auto provider = make_provider(test::spec_for(repo.path(), "sqlite:///app.db"));
  ASSERT_TRUE(provider);
  auto bundle = (*provider)->compile();
  ASSERT_FALSE(bundle);
  EXPECT_EQ(bundle.error().to_string().rfind("db/migrations/1_a.sql:1", 0), 0u) << bundle.error().to_string();
}

}  // namespace
}  // namespace converge::providers::sql
