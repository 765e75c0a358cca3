// The CA bundle libgit2's initialisation leaves for a push (certificates.hpp): each
// test is its own process (gtest_discover_tests), so converge's initialisation is the
// process's first, as in a step.
#include "converge/git/certificates.hpp"

#include <git2.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "converge/git/publish.hpp"
#include "support/git_repo.hpp"
#include "support/git_server.hpp"
#include "support/temp_dir.hpp"

namespace converge::git {
namespace {

namespace fs = std::filesystem;
using converge::testing::GitRepo;
using converge::testing::GitServer;
using converge::testing::TempDir;

TEST(GitCertificates, TheInitialisationNotesTheBundleAndLoadingItOnceLoadsIt) {
  ASSERT_GE(detail::initialise_deferring_certificates(), 1);
  const std::string bundle = detail::deferred_certificates();
  // Debian's libgit2 is built with mbedTLS and asks for its bundle while it starts.
  ASSERT_NE(bundle, "") << "libgit2's initialisation did not reach converge's mbedtls_x509_crt_parse_file";
  EXPECT_TRUE(fs::is_regular_file(bundle)) << bundle;

  auto loaded = detail::load_certificates();
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_EQ(detail::deferred_certificates(), "");
  EXPECT_TRUE(detail::load_certificates());
}

TEST(GitCertificates, ParsesOutsideTheInitialisationReachMbedTls) {
  ASSERT_GE(detail::initialise_deferring_certificates(), 1);
  const std::string bundle = detail::deferred_certificates();
  ASSERT_NE(bundle, "");
  // Only mbedTLS's own parser accepts the real bundle and refuses a damaged one.
  EXPECT_EQ(git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, bundle.c_str(), nullptr), 0) << git_error_last()->message;
  TempDir dir;
  dir.write("damaged.crt", "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
  const std::string damaged = (dir.path() / "damaged.crt").string();
  EXPECT_NE(git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, damaged.c_str(), nullptr), 0);
}

TEST(GitCertificates, ABundleThatFailsToLoadIsKeptAndLoadedByTheNextTry) {
  ASSERT_GE(detail::initialise_deferring_certificates(), 1);
  const std::string bundle = detail::deferred_certificates();
  ASSERT_NE(bundle, "");
  TempDir dir;
  dir.write("bundle.crt", "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
  const std::string path = (dir.path() / "bundle.crt").string();
  detail::defer_certificates(path);
  auto failed = detail::load_certificates();
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find(path), std::string::npos) << failed.error().message;
  EXPECT_EQ(detail::deferred_certificates(), path) << "a failed load must leave the bundle for the next push";
  // The bundle repaired, the next push's load succeeds and only then forgets it.
  fs::copy_file(bundle, path, fs::copy_options::overwrite_existing);
  auto loaded = detail::load_certificates();
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_EQ(detail::deferred_certificates(), "");
}

TEST(GitCertificates, APushLoadsTheBundleBeforeItConnects) {
  ASSERT_GE(detail::initialise_deferring_certificates(), 1);
  ASSERT_NE(detail::deferred_certificates(), "");
  constexpr const char* kToken = "ghs_certificatesTestToken123456";
  TempDir dir;
  GitRepo repo{dir.path()};
  dir.write("README.md", "# consumer\n");
  repo.commit_all("base");
  GitServer server{kToken};
  server.create_bare("consumer");

  PublishRequest request;
  request.repo_dir = dir.path();
  request.remote = server.url("consumer");
  request.branch = "converge/export/prod";
  request.files = {{"README.md", "# consumer, exported\n"}};
  request.message = "Export";
  request.author_name = "converge";
  request.author_email = "converge@example.com";
  request.token = kToken;
  auto published = publish(request);
  ASSERT_TRUE(published) << published.error().to_string();
  EXPECT_TRUE(published->changed);
  EXPECT_EQ(detail::deferred_certificates(), "");
}

}  // namespace
}  // namespace converge::git
