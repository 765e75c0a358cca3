// The set-up the gate attacks share: prod (approvals 1, distinct_approver,
// plan_pinning) holds a `customers` table with a row; mallory's pull request #7,
// head kHead, was merged as merge_, whose migration drops it. Tests assert that the
// table is still there unless a second person's approval let the plan through.
#pragma once
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <filesystem>
#include <string>

#include "steps/github_fixture.hpp"

namespace converge::testing {

inline const std::string kMalloryHead = "5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e";
inline const std::string kMalloryToken = "ghp_mallory-0000000000000000000000";
inline const std::string kConvergeBot = "github-actions[bot]";

class MalloryMerge : public GitHubFlowTest {
 protected:
  void SetUp() override {
    GitHubFlowTest::SetUp();
    std::filesystem::create_directories(dir_ / ".converge");
    sqlite_exec(".converge/prod.db", "create table customers (id integer primary key, name text);"
                                     "insert into customers values (1, 'ada');");
    dir_.write("db/migrations/20260109000000_drop_customers.sql",
               "-- migrate:up\ndrop table customers;\n-- migrate:down\n");
    merge_ = repo_->commit_all("drop customers");
    github_.add_token(kMalloryToken, "mallory");
  }

  // PR #7 by mallory, merged as merge_, head kMalloryHead; `fields` replace the defaults.
  void seed_pull(const nlohmann::json& fields = nlohmann::json::object()) {
    nlohmann::json pull = {{"number", 7},
                           {"user", "mallory"},
                           {"state", "closed"},
                           {"merged", true},
                           {"merge_commit_sha", merge_},
                           {"head", {{"ref", "feature"}, {"sha", kMalloryHead}}},
                           {"base", {{"ref", "main"}}},
                           {"commits", {{{"sha", kMalloryHead}, {"author", "mallory"}, {"committer", "mallory"}}}}};
    for (const auto& [k, v] : fields.items()) pull[k] = v;
    github_.seed({{"pulls", {pull}}});
  }

  std::string merge_;
};

}  // namespace converge::testing
