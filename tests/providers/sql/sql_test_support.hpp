// Helpers for the sql provider tests: a target spec for a repo, a Backend that gives a
// test direct access to the same database the provider drives, and the fixture of the
// tests that run on both backends.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "converge/providers/provider.hpp"
#include "support/temp_dir.hpp"

namespace converge::providers::sql::test {

// TargetSpec "db" in env "dev" with url (at converge.yaml:4:10) and optional settings.
TargetSpec spec_for(const std::filesystem::path& repo_root, const std::string& url,
                    const nlohmann::json& extra = nlohmann::json::object());

// make_provider + compile, failing the test on an error.
Bundle compile(const std::filesystem::path& repo_root, const std::string& url);

// compile → plan → apply, as the apply step does; failing the test on an error.
ApplyReport compile_plan_apply(Provider& p);

// True when one of `lines` (plan errors, notes) contains `text`.
bool mentions(const std::vector<std::string>& lines, const std::string& text);

// One database under test, reachable both by URL (for the provider) and directly.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual std::string url() const = 0;              // as written in converge.yaml
  virtual void exec(const std::string& sql) = 0;    // throws on error
  virtual std::string query(const std::string& sql) = 0;  // first value; "" for no row
  virtual bool has_table(const std::string& table) = 0;
  // A statement that refuses to run inside a transaction.
  virtual std::string non_transactional_statement() const = 0;
};

// SQLite file at <repo_root>/data/app.db, with a repo-relative sqlite:/// URL.
std::unique_ptr<Backend> sqlite_backend(const std::filesystem::path& repo_root);
// A fresh ScratchDatabase on the test PostgreSQL server.
std::unique_ptr<Backend> postgres_backend();

// A repo in a temp dir and one database, SQLite or PostgreSQL by the test parameter
// ("sqlite", "postgres"); instantiate with ::testing::Values("sqlite", "postgres").
class SqlBackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  // The provider for the repo and database, with `extra` settings.
  std::unique_ptr<Provider> provider(const nlohmann::json& extra = nlohmann::json::object());
  // compile + plan, failing the test on an error.
  plan::TargetPlan plan(Provider& p);
  ApplyReport apply(Provider& p) { return compile_plan_apply(p); }
  // db/schema.sql as apply wrote it, "<missing>" when absent.
  std::string snapshot();

  testing::TempDir repo_;
  std::unique_ptr<Backend> db_;
};

}  // namespace converge::providers::sql::test
