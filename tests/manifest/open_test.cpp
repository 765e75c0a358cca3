// Finding a manifest store by URL, and keeping passwords out of every message.
#include <gtest/gtest.h>

#include "converge/manifest/backends.hpp"
#include "converge/manifest/store.hpp"
#include "support/temp_dir.hpp"

namespace converge::manifest {
namespace {

using converge::testing::TempDir;

TEST(ManifestOpen, AnUnknownSchemeIsAUsageErrorNamingTheRedactedUrl) {
  TempDir dir;
  auto store = open("mysql://deployer:hunter2@db.example.com/manifest", dir.path());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ExitCode::usage);
  EXPECT_NE(store.error().message.find("mysql://deployer:***@db.example.com/manifest"), std::string::npos)
      << store.error().message;
  EXPECT_EQ(store.error().message.find("hunter2"), std::string::npos);
}

TEST(ManifestOpen, AUrlWithoutASchemeIsAUsageError) {
  TempDir dir;
  auto store = open("manifest.db", dir.path());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ExitCode::usage);
}

TEST(ManifestOpen, AnUnreachablePostgresServerIsARuntimeErrorWithoutThePassword) {
  TempDir dir;
  auto store = open("postgres://u:sekret@127.0.0.1:1/x", dir.path());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ExitCode::failure);
  EXPECT_EQ(store.error().message.find("sekret"), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("postgres://u:***@127.0.0.1:1/x"), std::string::npos)
      << store.error().message;

  auto query = open("postgresql://127.0.0.1:1/x?user=u&password=sekret", dir.path());
  ASSERT_FALSE(query);
  EXPECT_EQ(query.error().message.find("sekret"), std::string::npos) << query.error().message;
}

TEST(ManifestOpen, ARelativeSqlitePathIsUnderTheBaseDirectoryWithItsParentsCreated) {
  TempDir dir;
  auto store = open("sqlite:///.converge/state/manifest.db", dir.path());
  ASSERT_TRUE(store) << store.error().to_string();
  EXPECT_TRUE(std::filesystem::exists(dir / ".converge/state/manifest.db"));
}

TEST(ManifestOpen, AnAbsoluteSqlitePathIgnoresTheBaseDirectory) {
  TempDir dir;
  TempDir elsewhere;
  auto store = open("sqlite:///" + (elsewhere / "abs/manifest.db").string(), dir.path());
  ASSERT_TRUE(store) << store.error().to_string();
  EXPECT_TRUE(std::filesystem::exists(elsewhere / "abs/manifest.db"));
  EXPECT_FALSE(std::filesystem::exists(dir / "abs"));
}

TEST(ManifestOpen, ASqliteUrlWithoutAPathIsAUsageError) {
  TempDir dir;
  for (const char* url : {"sqlite://", "sqlite://manifest.db", "sqlite:///"}) {
    auto store = open(url, dir.path());
    ASSERT_FALSE(store) << url;
    EXPECT_EQ(store.error().code, ExitCode::usage) << url;
  }
}

TEST(ManifestUrl, RedactionHidesUserinfoAndQueryPasswords) {
  using detail::redact_url;
  EXPECT_EQ(redact_url("postgres://u:p%40ss@h:5432/db"), "postgres://u:***@h:5432/db");
  EXPECT_EQ(redact_url("postgres://u@h/db"), "postgres://u@h/db");
  EXPECT_EQ(redact_url("postgres://h/db?sslmode=require&password=x&user=u"),
            "postgres://h/db?sslmode=require&password=***&user=u");
  EXPECT_EQ(redact_url("sqlite:///state/manifest.db"), "sqlite:///state/manifest.db");
  EXPECT_EQ(detail::scrub_password("failed for p@ss and p%40ss", "postgres://u:p%40ss@h/db"),
            "failed for *** and ***");
}

}  // namespace
}  // namespace converge::manifest
