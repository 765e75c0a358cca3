// Fault soak: a bounded, seeded loop of plan/apply/record/drift cycles on a real
// PostgreSQL (sql provider; the manifest in a second database) and a real REST
// runtime (json-server, assets provider), with one random fault injected per round:
// the server answering 500 before or after a write, dropping the connection before
// or after a write, apply killed with SIGKILL mid-request or mid-migration, or every
// database connection terminated (pg_terminate_backend) mid-migration. After each
// round the runtime must equal the manifest's story (every item in the runtime is
// one the rows since the last success call converge's; the newest row of the
// database target names the version the database runs; a finished apply leaves no
// "interrupted" row), and a re-run without faults must converge (the next plan is
// empty, drift-verify finds nothing).
//
// CONVERGE_SOAK_SEED=<n> replays a run; CONVERGE_SOAK_ROUNDS=<n> changes the count
// (default 20; the loop also stops after 90 s). With CONVERGE_COUNTS_DIR set, one
// line goes to soak.txt.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "converge/manifest/store.hpp"
#include "providers/assets/json_server.hpp"
#include "support/git_repo.hpp"
#include "support/postgres.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"

namespace converge::testing {
namespace {

using Clock = std::chrono::steady_clock;

enum class Fault { none, http_500, http_500_after_write, drop, drop_after_write, kill_in_request, kill_in_migration,
                   terminate_connections };
constexpr const char* kFaultNames[] = {"none", "500", "500-after-write", "drop", "drop-after-write",
                                       "kill-in-request", "kill-in-migration", "terminate-connections"};

class FaultSoak : public ::testing::Test {
 protected:
  void SetUp() override {
    CONVERGE_REQUIRE_POSTGRES();
    db_.emplace();
    manifest_db_.emplace();
    bi_ = std::make_unique<JsonServer>(JsonServer::empty_bi());
    dir_.write("converge.yaml", "manifest:\n  url: " + manifest_db_->url() +
                                    "\nenvironments:\n  - {name: dev, branch: \"dev/**\"}\ntargets:\n"
                                    "  - name: app-db\n    provider: sql\n    settings:\n      url: " + db_->url() +
                                    "\n  - name: bi\n    provider: assets\n    settings:\n      url: " + bi_->url() +
                                    "\n      update_method: PATCH\n");
    dir_.write(".gitignore", ".converge/\n");
    add_migration("create table t0 (id integer primary key);\n");
    repo_ = std::make_unique<GitRepo>(dir_.path(), "dev/soak");
    repo_->commit_all("start");
  }

  RunResult converge(std::vector<std::string> args) {
    return run_step("converge", args, dir_.path(), {{"GITHUB_ACTIONS", "false"}});
  }

  void add_migration(const std::string& sql) {
    char name[64];
    std::snprintf(name, sizeof name, "db/migrations/2026010100%04d_m%d.sql", migrations_, migrations_);
    dir_.write(name, "-- migrate:up\n" + sql + "\n-- migrate:down\n");
    ++migrations_;
  }

  void write_chart(int id, const std::string& title) {
    dir_.write("assets/charts/c" + std::to_string(id) + ".yaml",
               "slice_name: " + title + "\nuuid: c" + std::to_string(id) + "\n");
    charts_.insert(id);
  }

  std::set<std::string> runtime_charts() const {
    std::set<std::string> keys;
    const auto database = bi_->database();
    for (const auto& c : database["charts"]) keys.insert("charts/" + c["uuid"].get<std::string>());
    return keys;
  }

  std::set<std::string> git_charts() const {
    std::set<std::string> keys;
    for (int id : charts_) keys.insert("charts/c" + std::to_string(id));
    return keys;
  }

  // Git changes of one round: new, removed and edited charts, sometimes a migration.
  void change_git(std::mt19937& rng, bool slow_migration) {
    std::uniform_int_distribution<int> coin(0, 99);
    for (int i = 0, n = 1 + coin(rng) % 3; i < n; ++i) write_chart(next_chart_++, "chart " + std::to_string(coin(rng)));
    if (!charts_.empty() && coin(rng) < 50) {
      auto it = std::next(charts_.begin(), coin(rng) % charts_.size());
      std::filesystem::remove(dir_.path() / ("assets/charts/c" + std::to_string(*it) + ".yaml"));
      charts_.erase(it);
    }
    if (!charts_.empty() && coin(rng) < 50)
      write_chart(*std::next(charts_.begin(), coin(rng) % charts_.size()), "edited " + std::to_string(coin(rng)));
    if (slow_migration)
      add_migration("select pg_sleep(0.5);\ncreate table t" + std::to_string(migrations_) + " (id integer);");
    else if (coin(rng) < 30)
      add_migration("create table t" + std::to_string(migrations_) + " (id integer);");
    repo_->commit_all("round");
  }

  // A hand edit in the runtime (drift) that the next apply puts back.
  void drift(std::mt19937& rng) {
    auto keys = runtime_charts();
    if (keys.empty()) return;
    auto key = *std::next(keys.begin(), rng() % keys.size());
    bi_->send("PATCH", "/" + key, {{"slice_name", "edited by hand"}});
  }

  // Waits until `pid` exits or `ready` holds (then kills it with SIGKILL); its exit code,
  // -9 when killed.
  int run_until(int pid, const std::function<bool()>& ready, bool kill_when_ready) {
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      if (ready()) {
        if (kill_when_ready) {
          kill(pid, SIGKILL);
          waitpid(pid, &status, 0);
          return -9;
        }
        terminate_connections();
        waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    ADD_FAILURE() << "apply neither finished nor reached the fault in 30 s";
    return -1;
  }

  bool migration_sleeping() const {
    return db_->query_value("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(0.5)%'"
                            " AND pid <> pg_backend_pid()") != "0";
  }

  void terminate_connections() const {
    for (const auto* db : {&*db_, &*manifest_db_})
      db->exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
               " AND pid <> pg_backend_pid()");
  }

  // The faulted apply of one round and its record-manifest: the apply's exit code.
  int faulted_apply(Fault fault, std::mt19937& rng) {
    static const char* kMethods[] = {"POST", "PATCH", "DELETE"};
    std::string method = kMethods[rng() % 3];
    auto http_rule = [&](const char* what) {
      return nlohmann::json::array({{{"method", method}, {"path", "/charts"}, {"fault", what}}});
    };
    const auto out = dir_.path() / ".converge/apply.out", err = dir_.path() / ".converge/apply.err";
    std::filesystem::create_directories(out.parent_path());
    int code = 0;
    switch (fault) {
      case Fault::none: code = converge({"apply", "--env", "dev"}).exit_code; break;
      case Fault::http_500:
      case Fault::http_500_after_write:
      case Fault::drop:
      case Fault::drop_after_write:
        bi_->set_faults(http_rule(kFaultNames[static_cast<int>(fault)]));
        code = converge({"apply", "--env", "dev"}).exit_code;
        break;
      case Fault::kill_in_request: {
        bi_->set_faults(nlohmann::json::array({{{"path", "/charts"}, {"fault", "hang"}, {"method", method}}}));
        int pid = start_step("converge", {"apply", "--env", "dev"}, dir_.path(), {{"GITHUB_ACTIONS", "false"}}, out, err);
        code = run_until(pid, [&] { return bi_->faults().empty(); }, true);
        break;
      }
      case Fault::kill_in_migration:
      case Fault::terminate_connections: {
        int pid = start_step("converge", {"apply", "--env", "dev"}, dir_.path(), {{"GITHUB_ACTIONS", "false"}}, out, err);
        code = run_until(pid, [&] { return migration_sleeping(); }, fault == Fault::kill_in_migration);
        break;
      }
    }
    bi_->set_faults(nlohmann::json::array());
    EXPECT_TRUE(code == 0 || code == 1 || code == 3 || code == -9)
        << "apply ended with " << code << " (" << kFaultNames[static_cast<int>(fault)] << ")";
    if (code != -9) {
      auto record = converge({"record-manifest", "--env", "dev"});
      EXPECT_EQ(record.exit_code, 0) << record.out << record.err;
    }
    return code;
  }

  std::unique_ptr<manifest::Store> manifest() {
    auto store = manifest::open(manifest_db_->url(), dir_.path());
    EXPECT_TRUE(store) << (store ? "" : store.error().to_string());
    return store ? std::move(*store) : nullptr;
  }

  // The runtime equals the manifest's story.
  void check_story(const std::string& when, bool finished) {
    auto store = manifest();
    ASSERT_TRUE(store);
    auto rows = store->since_success("dev");
    ASSERT_TRUE(rows) << rows.error().to_string();
    std::set<std::string> managed;
    for (const auto& row : *rows)
      if (row.target == "bi" && !row.managed.empty())
        for (const auto& key : nlohmann::json::parse(row.managed)) managed.insert(key.get<std::string>());
    for (const auto& key : runtime_charts())
      EXPECT_TRUE(managed.contains(key)) << when << ": " << key << " is in the runtime but no row since the last "
                                         << "success calls it converge's";
    auto history = store->history("dev", 50);
    ASSERT_TRUE(history);
    const std::string live = db_->query_value(
        "SELECT COALESCE(max(version), '') FROM schema_migrations WHERE to_regclass('schema_migrations') IS NOT NULL");
    for (const auto& row : *history)
      if (row.target == "app-db") {
        EXPECT_EQ(row.migration_version, live) << when << ": the newest app-db row (" << row.status
                                               << ") names another version than the database runs";
        break;
      }
    if (finished) {
      std::set<std::string> seen;
      for (const auto& row : *history) {
        if (!seen.insert(row.target).second) continue;  // the newest row per target
        EXPECT_NE(row.status, "interrupted") << when << ": a finished, recorded apply left " << row.target
                                             << "'s row interrupted";
      }
    }
  }

  std::optional<ScratchDatabase> db_, manifest_db_;
  TempDir dir_;
  std::unique_ptr<JsonServer> bi_;
  std::unique_ptr<GitRepo> repo_;
  std::set<int> charts_;
  int next_chart_ = 1;
  int migrations_ = 0;
};

TEST_F(FaultSoak, EveryRoundsRuntimeEqualsTheManifestsStoryAndARerunConverges) {
  const char* seed_text = std::getenv("CONVERGE_SOAK_SEED");
  const unsigned seed = seed_text ? static_cast<unsigned>(std::stoul(seed_text)) : std::random_device{}();
  const char* rounds_text = std::getenv("CONVERGE_SOAK_ROUNDS");
  const int rounds = rounds_text ? std::stoi(rounds_text) : 20;
  std::printf("fault soak seed: %u (CONVERGE_SOAK_SEED=%u replays it)\n", seed, seed);
  std::mt19937 rng(seed);
  std::map<std::string, int> injected;
  // Alone it runs 20 rounds in about a minute; under a loaded machine the budget
  // stops it early (at least 10 rounds are required to pass).
  const auto budget_end = Clock::now() + std::chrono::seconds(90);

  int round = 0;
  for (; round < rounds && Clock::now() < budget_end && !HasFailure(); ++round) {
    const auto fault = static_cast<Fault>(rng() % std::size(kFaultNames));
    const bool slow = fault == Fault::kill_in_migration || fault == Fault::terminate_connections;
    change_git(rng, slow);
    if (rng() % 3 == 0) drift(rng);
    const std::string when = "round " + std::to_string(round) + " (" + kFaultNames[static_cast<int>(fault)] +
                             ", seed " + std::to_string(seed) + ")";
    SCOPED_TRACE(when);
    const int code = faulted_apply(fault, rng);
    if (fault != Fault::none) ++injected[kFaultNames[static_cast<int>(fault)]];
    check_story(when + " after the faulted apply", code != -9);

    // A re-run without faults converges.
    auto apply = converge({"apply", "--env", "dev"});
    ASSERT_EQ(apply.exit_code, 0) << when << "\n" << apply.out << apply.err;
    ASSERT_EQ(converge({"record-manifest", "--env", "dev"}).exit_code, 0);
    repo_->commit_all("snapshot");  // the schema dump apply wrote, as a developer commits it
    check_story(when + " after the re-run", true);
    auto plan = converge({"plan", "--env", "dev"});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_NE(plan.out.find("No changes: the runtime equals Git."), std::string::npos) << when << "\n" << plan.out;
    EXPECT_EQ(runtime_charts(), git_charts()) << when;
    if (round % 4 == 3) {
      auto drift_verify = converge({"drift-verify", "--env", "dev"});
      EXPECT_EQ(drift_verify.exit_code, 0) << when << "\n" << drift_verify.out << drift_verify.err;
    }
  }

  int faults = 0;
  std::string kinds;
  for (const auto& [name, n] : injected) {
    faults += n;
    kinds += (kinds.empty() ? "" : ", ") + std::to_string(n) + " " + name;
  }
  const std::string line = "fault soak: " + std::to_string(round) + " rounds, " + std::to_string(faults) +
                           " faults injected (" + kinds + "), " + (HasFailure() ? "FAILED" : "all converged") +
                           " (seed " + std::to_string(seed) + ")";
  std::printf("%s\n", line.c_str());
  if (const char* dir = std::getenv("CONVERGE_COUNTS_DIR"); dir && *dir) std::ofstream(std::filesystem::path(dir) / "soak.txt") << line << "\n";
  EXPECT_GE(round, std::min(rounds, 10)) << "the soak ran too few rounds to mean anything";
}

}  // namespace
}  // namespace converge::testing
