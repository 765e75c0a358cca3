// Test backends for the sql provider tests (direct SQLite and libpq access).
#include "sql_test_support.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <stdexcept>

#include "converge/providers/sql/sql_provider.hpp"
#include "converge/util/fs.hpp"
#include "support/postgres.hpp"

namespace converge::providers::sql::test {

TargetSpec spec_for(const std::filesystem::path& repo_root, const std::string& url, const nlohmann::json& extra) {
  config::Settings settings(SourceLocation{"converge.yaml", 3, 5});
  settings.set("url", config::Setting{url, SourceLocation{"converge.yaml", 4, 10}, false});
  int line = 5;
  for (const auto& [key, value] : extra.items())
    settings.set(key, config::Setting{value, SourceLocation{"converge.yaml", line++, 10}, false});
  return TargetSpec{"db", "dev", repo_root, std::move(settings)};
}

Bundle compile(const std::filesystem::path& repo_root, const std::string& url) {
  auto provider = make_provider(spec_for(repo_root, url));
  EXPECT_TRUE(provider) << provider.error().to_string();
  if (!provider) return {};
  auto bundle = (*provider)->compile();
  EXPECT_TRUE(bundle) << bundle.error().to_string();
  return bundle ? *bundle : Bundle{};
}

namespace {

class SqliteBackend final : public Backend {
 public:
  explicit SqliteBackend(std::filesystem::path repo_root) : file_(repo_root / "data/app.db") {}
  std::string name() const override { return "sqlite"; }
  std::string url() const override { return "sqlite:///data/app.db"; }
  void exec(const std::string& sql) override {
    with_db([&](sqlite3* db) {
      char* message = nullptr;
      if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        std::string why = message ? message : "?";
        sqlite3_free(message);
        throw std::runtime_error("test sqlite: " + why);
      }
    });
  }
  std::string query(const std::string& sql) override {
    std::string out;
    with_db([&](sqlite3* db) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
        throw std::runtime_error(std::string("test sqlite: ") + sqlite3_errmsg(db));
      if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
        out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      sqlite3_finalize(stmt);
    });
    return out;
  }
  bool has_table(const std::string& table) override {
    if (!std::filesystem::exists(file_)) return false;
    return query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'") == "1";
  }
  std::string non_transactional_statement() const override { return "VACUUM;"; }

 private:
  template <class F>
  void with_db(F&& body) {
    std::filesystem::create_directories(file_.parent_path());
    sqlite3* db = nullptr;
    sqlite3_open(file_.c_str(), &db);
    try {
      body(db);
    } catch (...) {
      sqlite3_close(db);
      throw;
    }
    sqlite3_close(db);
  }
  std::filesystem::path file_;
};

class PostgresBackend final : public Backend {
 public:
  std::string name() const override { return "postgres"; }
  std::string url() const override { return db_.url(); }
  void exec(const std::string& sql) override { db_.exec(sql); }
  std::string query(const std::string& sql) override { return db_.query_value(sql); }
  bool has_table(const std::string& table) override {
    return query("SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname = '" + table + "'") == "1";
  }
  std::string non_transactional_statement() const override {
    return "CREATE INDEX CONCURRENTLY users_name_idx ON users (name);";
  }

 private:
  testing::ScratchDatabase db_;
};

}  // namespace

std::unique_ptr<Backend> sqlite_backend(const std::filesystem::path& repo_root) {
  return std::make_unique<SqliteBackend>(repo_root);
}

std::unique_ptr<Backend> postgres_backend() { return std::make_unique<PostgresBackend>(); }

bool mentions(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& line : lines)
    if (line.find(text) != std::string::npos) return true;
  return false;
}

ApplyReport compile_plan_apply(Provider& p) {
  auto bundle = p.compile();
  EXPECT_TRUE(bundle) << bundle.error().to_string();
  auto planned = p.plan(*bundle, {});
  EXPECT_TRUE(planned) << planned.error().to_string();
  auto report = p.apply(*bundle, *planned);
  EXPECT_TRUE(report) << report.error().to_string();
  return report ? *report : ApplyReport{};
}

void SqlBackendTest::SetUp() {
  if (GetParam() == "postgres") {
    CONVERGE_REQUIRE_POSTGRES();
    db_ = postgres_backend();
  } else {
    db_ = sqlite_backend(repo_.path());
  }
}

std::unique_ptr<Provider> SqlBackendTest::provider(const nlohmann::json& extra) {
  auto p = make_provider(spec_for(repo_.path(), db_->url(), extra));
  EXPECT_TRUE(p) << p.error().to_string();
  return p ? std::move(*p) : nullptr;
}

plan::TargetPlan SqlBackendTest::plan(Provider& p) {
  auto bundle = p.compile();
  EXPECT_TRUE(bundle) << bundle.error().to_string();
  if (!bundle) return {};
  auto out = p.plan(*bundle, {});
  EXPECT_TRUE(out) << out.error().to_string();
  return out ? *out : plan::TargetPlan{};
}

std::string SqlBackendTest::snapshot() {
  return util::read_file(repo_ / "db/schema.sql").value_or("<missing>");
}

}  // namespace converge::providers::sql::test
