// Access to the throwaway PostgreSQL server that `make test` starts. Its URL comes
// in CONVERGE_TEST_POSTGRES_URL. Without it the tests that need PostgreSQL fail
// (they must not pass by skipping), unless CONVERGE_TEST_SKIP_POSTGRES=1 is set on
// purpose for a quick local run.
#pragma once

#include <string>

namespace converge::testing {

// A fresh, empty database on the test server, dropped again in the destructor.
class ScratchDatabase {
 public:
  ScratchDatabase();
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const std::string& url() const { return url_; }  // postgres://…/converge_test_<random>
  // Runs SQL on the scratch database (test set-up / ad-hoc changes); throws on error.
  void exec(const std::string& sql) const;
  // First column of the first row, or "" when there is no row; throws on error.
  std::string query_value(const std::string& sql) const;

 private:
  std::string name_;
  std::string url_;
};

// Call at the top of a test needing PostgreSQL: GTEST_SKIP()s only when skipping
// was asked for explicitly; otherwise fails when the server is not configured.
#define CONVERGE_REQUIRE_POSTGRES()                                                   \
  do {                                                                                \
    if (::converge::testing::postgres_skipped()) GTEST_SKIP() << "postgres skipped";  \
    ASSERT_TRUE(::converge::testing::postgres_configured())                           \
        << "CONVERGE_TEST_POSTGRES_URL is not set: run the tests through `make test`"; \
  } while (0)

bool postgres_configured();
bool postgres_skipped();

}  // namespace converge::testing
