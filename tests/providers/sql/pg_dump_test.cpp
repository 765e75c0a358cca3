// Finding and running pg_dump: the password reaches it only through its environment,
// the time and output limits stop it with one clear line, the version check picks a
// pg_dump new enough for the server, and the provider falls back to (and refuses to
// mix with) the catalog reader. Fake pg_dump scripts record what they were given.
#include "converge/providers/sql/pg_dump.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "converge/providers/sql/database.hpp"
#include "converge/providers/sql/schema_text.hpp"
#include "converge/providers/sql/sql_provider.hpp"
#include "converge/util/fs.hpp"
#include "sql_test_support.hpp"
#include "support/postgres.hpp"
#include "support/temp_dir.hpp"

namespace converge::providers::sql {
namespace {

// A fake pg_dump at <dir>/pg_dump: `--version` prints "pg_dump (PostgreSQL) <major>.1";
// otherwise it writes its arguments to <dir>/argv and PGPASSWORD to <dir>/env, one per
// line, then runs `body` (shell).
std::string fake_pg_dump(const testing::TempDir& dir, int major, const std::string& body) {
  std::string path = (dir / "pg_dump").string();
  dir.write("pg_dump", "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'pg_dump (PostgreSQL) " +
                           std::to_string(major) + ".1'; exit 0; fi\nfor a in \"$@\"; do echo \"$a\"; done > '" +
                           (dir / "argv").string() + "'\necho \"PGPASSWORD=$PGPASSWORD\" > '" +
                           (dir / "env").string() + "'\n" + body + "\n");
  ::chmod(path.c_str(), 0755);
  return path;
}

constexpr const char* kMinimalDump =
    "printf -- '--\\n-- PostgreSQL database dump\\n--\\n\\nSET lock_timeout = 0;\\n\\n--\\n"
    "-- Name: t; Type: TABLE; Schema: public; Owner: -\\n--\\n\\nCREATE TABLE public.t (\\n    id integer\\n);\\n'";

TEST(PgDump, ThePasswordReachesPgDumpOnlyThroughItsEnvironment) {
  testing::TempDir dir;
  PgDumpTool tool{fake_pg_dump(dir, 99, kMinimalDump), 99};
  for (std::string url : {"postgres://app:s3cret-pw@db.internal:5433/shop?sslmode=disable",
                          "postgresql://app@db.internal:5433/shop?password=s3cret-pw&sslmode=disable"}) {
    auto text = run_pg_dump(tool, url, {});
    ASSERT_TRUE(text) << text.error().to_string();
    EXPECT_EQ(normalise_pg_dump(*text), "CREATE TABLE public.t (\n    id integer\n);\n");
    std::string argv = util::read_file(dir / "argv").value_or("");
    EXPECT_EQ(argv.find("s3cret"), std::string::npos) << argv;
    EXPECT_NE(argv.find("host='db.internal'"), std::string::npos) << argv;
    EXPECT_NE(argv.find("dbname='shop'"), std::string::npos) << argv;
    EXPECT_NE(argv.find("sslmode='disable'"), std::string::npos) << argv;
    for (const char* flag : {"--schema-only\n", "--no-owner\n", "--no-privileges\n", "--no-password\n"})
      EXPECT_NE(argv.find(flag), std::string::npos) << flag << " missing in\n" << argv;
    EXPECT_EQ(util::read_file(dir / "env").value_or(""), "PGPASSWORD=s3cret-pw\n");
  }
}

TEST(PgDump, AnSslKeyPassphraseIsRefusedRatherThanPutOnTheCommandLine) {
  testing::TempDir dir;
  PgDumpTool tool{fake_pg_dump(dir, 99, kMinimalDump), 99};
  auto text = run_pg_dump(tool, "postgres://app@h/db?sslpassword=k3y-phrase", {});
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, ExitCode::usage);
  EXPECT_EQ(text.error().message.find("k3y-phrase"), std::string::npos) << text.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir / "argv")) << "pg_dump ran";
}

TEST(PgDump, PrivilegesKeepsTheGrants) {
  testing::TempDir dir;
  PgDumpTool tool{fake_pg_dump(dir, 99, kMinimalDump), 99};
  PgDumpOptions options;
  options.privileges = true;
  ASSERT_TRUE(run_pg_dump(tool, "postgres://app@h/db", options));
  EXPECT_EQ(util::read_file(dir / "argv").value_or("").find("--no-privileges"), std::string::npos);
}

TEST(PgDump, AFailureIsOneLineWithTheUrlRedactedAndNoPassword) {
  testing::TempDir dir;
  PgDumpTool tool{fake_pg_dump(dir, 99, "echo \"pg_dump: error: bad password $PGPASSWORD\" >&2; echo more >&2; exit 1"),
                  99};
  auto text = run_pg_dump(tool, "postgres://app:s3cret-pw@h:5432/db", {});
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, ExitCode::failure);
  EXPECT_EQ(text.error().message,
            "pg_dump of postgres://app:***@h:5432/db failed (exit 1): pg_dump: error: bad password ***");
}

TEST(PgDump, ATimeLimitStopsAHangingPgDump) {
  testing::TempDir dir;
  PgDumpTool tool{fake_pg_dump(dir, 99, "exec sleep 30"), 99};
  auto started = std::chrono::steady_clock::now();
  PgDumpOptions options;
  options.time_limit = std::chrono::milliseconds(300);
  auto text = run_pg_dump(tool, "postgres://app:s3cret-pw@h/db", options);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().message, "pg_dump of postgres://app:***@h/db: " + tool.path + " timed out after 300ms");
}

TEST(PgDump, AnOutputLimitStopsARunawayPgDump) {
  testing::TempDir dir;
  PgDumpTool tool{fake_pg_dump(dir, 99, "exec yes 'CREATE TABLE x ();'"), 99};
  PgDumpOptions options;
  options.output_limit = 100000;
  auto text = run_pg_dump(tool, "postgres://app@h/db", options);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().message, "pg_dump of postgres://app@h/db: " + tool.path + " wrote more than 100000 bytes");
}

TEST(PgDump, AProgramThatCannotStartIsOneLine) {
  testing::TempDir dir;
  PgDumpTool tool{(dir / "absent/pg_dump").string(), 99};
  auto text = run_pg_dump(tool, "postgres://app:s3cret-pw@h/db", {});
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().message,
            "pg_dump of postgres://app:***@h/db: cannot run " + tool.path + ": No such file or directory");
}

TEST(PgDump, TheConfiguredPgDumpMustRunAndBeNewEnough) {
  testing::TempDir dir;
  std::string path = fake_pg_dump(dir, 14, kMinimalDump);
  auto old = find_pg_dump(15, path);
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().code, ExitCode::usage);
  EXPECT_EQ(old.error().message,
            "pg_dump '" + path + "' is version 14, older than the server (15); pg_dump >= 15 is needed");
  auto ok = find_pg_dump(14, path);
  ASSERT_TRUE(ok && ok->tool);
  EXPECT_EQ(ok->tool->path, path);
  EXPECT_EQ(ok->tool->major, 14);
  auto missing = find_pg_dump(15, (dir / "nope").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ExitCode::usage);
  auto none = find_pg_dump(15, "none");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->tool);
}

TEST(PgDump, TheSearchTakesTheInstalledPgDumpOfTheServersMajorAndNeverAnOlderOne) {
  auto found = find_pg_dump(15, "");
  ASSERT_TRUE(found) << found.error().to_string();
  if (std::filesystem::exists("/usr/lib/postgresql/15/bin/pg_dump")) {
    ASSERT_TRUE(found->tool);
    EXPECT_EQ(found->tool->path, "/usr/lib/postgresql/15/bin/pg_dump");
    EXPECT_EQ(found->tool->major, 15);
  }
  auto future = find_pg_dump(99, "");
  ASSERT_TRUE(future);
  EXPECT_FALSE(future->tool);
  EXPECT_NE(future->missing.find("older than the server"), std::string::npos) << future->missing;
}

// The provider on a real server: pg_dump's text by default, the catalog reader with
// `pg_dump: none`, and never one compared with the other.
class PgDumpDrift : public ::testing::Test {
 protected:
  void SetUp() override {
    CONVERGE_REQUIRE_POSTGRES();
    db_ = std::make_unique<testing::ScratchDatabase>();
    repo_.write("db/migrations/1_a.sql", "-- migrate:up\ncreate table a (id int primary key);\n-- migrate:down\n");
  }
  // compile → plan with `extra` settings.
  Expected<plan::TargetPlan> plan(const nlohmann::json& extra = nlohmann::json::object()) {
    auto p = make_provider(test::spec_for(repo_.path(), db_->url(), extra));
    EXPECT_TRUE(p) << p.error().to_string();
    auto bundle = (*p)->compile();
    EXPECT_TRUE(bundle) << bundle.error().to_string();
    return (*p)->plan(*bundle, {});
  }
  void apply(const nlohmann::json& extra = nlohmann::json::object()) {
    auto p = make_provider(test::spec_for(repo_.path(), db_->url(), extra));
    ASSERT_TRUE(p);
    auto report = test::compile_plan_apply(**p);
    ASSERT_TRUE(report.ok()) << report.error;
  }
  std::string snapshot() { return util::read_file(repo_ / "db/schema.sql").value_or("<missing>"); }

  testing::TempDir repo_;
  std::unique_ptr<testing::ScratchDatabase> db_;
};

TEST_F(PgDumpDrift, TheSnapshotIsPgDumpsTextNormalised) {
  apply();
  EXPECT_EQ(snapshot(),
            "CREATE TABLE public.a (\n    id integer NOT NULL\n);\n\n"
            "ALTER TABLE ONLY public.a\n    ADD CONSTRAINT a_pkey PRIMARY KEY (id);\n");
  auto clean = plan();
  ASSERT_TRUE(clean) << clean.error().to_string();
  EXPECT_TRUE(clean->changes.empty());
}

TEST_F(PgDumpDrift, WithoutPgDumpTheCatalogReaderWritesAMarkedSnapshotAndComparesItself) {
  apply({{"pg_dump", "none"}});
  std::string written = snapshot();
  EXPECT_TRUE(written.starts_with(std::string(kCatalogSnapshotMarker) + "\n\nCREATE TABLE public.a (")) << written;
  for (const nlohmann::json& extra : {nlohmann::json::object(), nlohmann::json{{"pg_dump", "none"}}}) {
    auto clean = plan(extra);  // with pg_dump available too: a catalog snapshot is compared by the catalog reader
    ASSERT_TRUE(clean) << clean.error().to_string();
    EXPECT_TRUE(clean->changes.empty()) << extra.dump();
  }
  db_->exec("CREATE TABLE b (id int)");
  auto drift = plan();
  ASSERT_TRUE(drift);
  ASSERT_EQ(drift->changes.size(), 1u);
  EXPECT_EQ(drift->changes[0].kind, "schema");
}

TEST_F(PgDumpDrift, APgDumpSnapshotWithoutAUsablePgDumpIsAUsageErrorNotFalseDrift) {
  apply();
  auto refused = plan({{"pg_dump", "none"}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ExitCode::usage);
  EXPECT_TRUE(refused.error().message.starts_with("db/schema.sql: written by pg_dump; pg_dump >= "))
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("is needed to compare it with this server"), std::string::npos);
}

TEST_F(PgDumpDrift, DbmatesOwnSchemaFileReadsAsTheSnapshotWithoutDrift) {
  std::string set = std::string(CONVERGE_SHARED_TESTDATA) + "/dbmate-migrations/dbmate/db";
  for (const auto& entry : std::filesystem::directory_iterator(set + "/migrations"))
    repo_.write("db/migrations/" + entry.path().filename().string(), util::read_file(entry.path()).value());
  std::filesystem::remove(repo_ / "db/migrations/1_a.sql");
  apply();
  repo_.write("db/schema.sql", util::read_file(set + "/schema.sql").value());
  auto clean = plan();
  ASSERT_TRUE(clean) << clean.error().to_string();
  EXPECT_TRUE(clean->changes.empty()) << (clean->changes.empty() ? "" : clean->changes[0].before.dump());
}

}  // namespace
}  // namespace converge::providers::sql
