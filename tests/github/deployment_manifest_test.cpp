// SPDX-License-Identifier: MIT
// The manifest kept in GitHub deployments (github/deployment_manifest.hpp) against
// the local GitHub server: rows round-trip through the payload, reads answer as the
// SQL stores do, a retry never duplicates, an interrupted row is replaced, lists page
// past 100, and 5xx/429/dropped answers neither lose nor duplicate a row.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "converge/github/deployment_manifest.hpp"

#include <gtest/gtest.h>

#include "github/server/github_server.hpp"

namespace converge::github {
namespace {

using manifest::Deployment;
using nlohmann::json;
using std::chrono::milliseconds;
using testing::Fault;
using testing::FaultKind;
using testing::GitHubServer;

const std::string kSha = "1111111111111111111111111111111111111111";
const std::string kSha2 = "2222222222222222222222222222222222222222";

Deployment row(std::string target, std::string status, std::string run_id, std::string sha = kSha) {
  Deployment d;
  d.git_sha = std::move(sha);
  d.git_ref = "refs/heads/main";
  d.migration_version = "20260101000000";
  d.bundle_hash = "bundle-" + target + "-" + run_id;
  d.plan_hash = "plan-" + run_id;
  d.environment = "prod";
  d.target = std::move(target);
  d.status = std::move(status);
  d.deployed_at = "2026-12-06T10:00:00Z";
  d.deployed_by = "alice";
  d.run_url = "https://github.com/octo-org/octo-repo/actions/runs/" + run_id;
  d.run_id = std::move(run_id);
  d.run_attempt = "1";
  d.pr_number = 7;
  d.approvers = "bob,carol";
  d.managed = R"(["charts/1"])";
  d.applied = R"(["20260101000000"])";
  return d;
}

// The row as read back: the store assigns the id.
Deployment without_id(Deployment d) {
  d.id = 0;
  return d;
}

class GitHubManifest : public ::testing::Test {
 protected:
  // The converge deployments GitHub holds now.
  std::vector<json> deployments() {
    std::vector<json> out;
    const json state = server_.state();
    for (const auto& d : state["deployments"])
      if (d["task"] == kManifestTask) out.push_back(d);
    return out;
  }

  GitHubServer server_;
  std::unique_ptr<http::Transport> transport_ = http::make_curl_transport(milliseconds(5000));
  http::Client client_{*transport_, {.max_attempts = 3, .base_delay = milliseconds(1)}, [](milliseconds) {}};
  Api api_{client_, server_.url(), server_.token(), server_.repository()};
  DeploymentManifest store_{api_};
};

TEST_F(GitHubManifest, RecordedRowsAreReadBackByCurrentHistoryAndSinceSuccess) {
  auto first = row("app-db", "success", "100");
  auto bi = row("bi", "success", "100");
  bi.pr_number.reset();
  bi.dirty = true;
  ASSERT_EQ(store_.record({first, bi}).value(), 2);
  auto failed = row("app-db", "failure", "101", kSha2);
  ASSERT_EQ(store_.record({failed}).value(), 1);

  auto current = store_.current("prod").value();
  ASSERT_EQ(current.size(), 2u);
  EXPECT_EQ(without_id(current[0]), first) << "the failure does not replace what runs";
  EXPECT_EQ(without_id(current[1]), bi);
  EXPECT_GT(current[0].id, 0);

  auto history = store_.history("prod", 10).value();
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].status, "failure") << "newest first";
  EXPECT_EQ(store_.history("prod", 1).value().size(), 1u);

  auto since = store_.since_success("prod").value();
  ASSERT_EQ(since.size(), 3u);
  EXPECT_EQ(since[0].target, "app-db");
  EXPECT_EQ(since[0].status, "success") << "the last success, then every later row, oldest first";
  EXPECT_EQ(since[1].status, "failure");
  EXPECT_EQ(since[2].target, "bi");

  EXPECT_TRUE(store_.current("stage").value().empty()) << "another environment has its own deployments";
  // GitHub shows each row as a deployment of its environment and commit, with its status.
  auto held = deployments();
  ASSERT_EQ(held.size(), 3u);
  EXPECT_EQ(held[0]["environment"], "prod");
  EXPECT_EQ(held[2]["sha"], kSha2);
  auto statuses = server_.state()["statuses"][std::to_string(held[2]["id"].get<std::int64_t>())];
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0]["state"], "failure");
}

TEST_F(GitHubManifest, ARetriedRecordWritesNothingNew) {
  const std::vector<Deployment> rows{row("app-db", "success", "200"), row("bi", "success", "200")};
  ASSERT_EQ(store_.record(rows).value(), 2);
  EXPECT_EQ(store_.record(rows).value(), 0);
  EXPECT_EQ(deployments().size(), 2u);
  EXPECT_EQ(store_.history("prod", 10).value().size(), 2u);
}

TEST_F(GitHubManifest, TheJournalsInterruptedRowIsReplacedByTheFinalOne) {
  auto journal = row("app-db", "interrupted", "300");
  journal.applied = "[]";
  ASSERT_EQ(store_.record({journal}).value(), 1);
  journal.applied = R"(["20260101000000"])";
  ASSERT_EQ(store_.record({journal}).value(), 1) << "an interrupted row is replaced by a later one";
  EXPECT_EQ(store_.since_success("prod").value().at(0).applied, R"(["20260101000000"])");
  EXPECT_TRUE(store_.current("prod").value().empty()) << "an interrupted row is no success";

  ASSERT_EQ(store_.record({row("app-db", "success", "300")}).value(), 1);
  auto history = store_.history("prod", 10).value();
  ASSERT_EQ(history.size(), 1u) << "one row per run attempt and target";
  EXPECT_EQ(history[0].status, "success");
  EXPECT_EQ(deployments().size(), 1u) << "the superseded deployments were marked inactive and deleted";
}

TEST_F(GitHubManifest, AReplacedRowThatCouldNotBeDeletedIsStillReadOnce) {
  ASSERT_EQ(store_.record({row("app-db", "interrupted", "310")}).value(), 1);
  server_.inject({.method = "DELETE", .path = "/deployments/", .kind = FaultKind::server_error, .count = -1,
                  .status = 500});
  ASSERT_EQ(store_.record({row("app-db", "success", "310")}).value(), 1);
  EXPECT_EQ(deployments().size(), 2u);
  auto history = store_.history("prod", 10).value();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].status, "success") << "the final row wins over the interrupted one";
  EXPECT_EQ(store_.record({row("app-db", "success", "310")}).value(), 0);
}

TEST_F(GitHubManifest, ReadsPageThroughMoreThanOneHundredDeployments) {
  std::vector<Deployment> rows;
  for (int i = 0; i < 130; ++i) rows.push_back(row("app-db", "success", std::to_string(1000 + i)));
  ASSERT_EQ(store_.record(rows).value(), 130);
  server_.clear_requests();
  auto history = store_.history("prod", 1000).value();
  ASSERT_EQ(history.size(), 130u);
  EXPECT_EQ(history.front().run_id, "1129");
  EXPECT_EQ(history.back().run_id, "1000");
  EXPECT_EQ(store_.current("prod").value().at(0).run_id, "1129") << "the latest success, across pages";
  int pages = 0;
  for (const auto& r : server_.requests()) pages += r["path"].get<std::string>().find("/deployments?") != std::string::npos;
  EXPECT_EQ(pages, 4) << "two pages per read (history, current)";
}

TEST_F(GitHubManifest, OtherDeploymentsAreNotRows) {
  ASSERT_TRUE(api_.create_deployment(kSha, "prod", "someone else's", json{{"converge", "no"}}, "deploy").has_value());
  ASSERT_TRUE(api_.create_deployment(kSha, "prod", "damaged", json{{"converge", {{"format", 1}}}},
                                     std::string(kManifestTask)).has_value());
  ASSERT_TRUE(api_.create_deployment(kSha, "prod", "future", json{{"converge", {{"format", 2}}}},
                                     std::string(kManifestTask)).has_value());
  EXPECT_TRUE(store_.history("prod", 10).value().empty());
}

TEST_F(GitHubManifest, ARowAnotherLoginCreatedIsNotTrusted) {
  server_.add_token("mallory-token", "mallory");
  Api mallory{client_, server_.url(), "mallory-token", server_.repository()};
  auto forged = row("app-db", "success", "900");
  ASSERT_TRUE(mallory.create_deployment(kSha, "prod", "forged", to_payload(forged), std::string(kManifestTask))
                  .has_value());
  EXPECT_TRUE(store_.current("prod").value().empty()) << "a forged success would let a rollback or promotion through";
  EXPECT_EQ(store_.record({forged}).value(), 1) << "and does not stop converge's own row from being written";
  EXPECT_EQ(store_.current("prod").value().size(), 1u);
}

TEST_F(GitHubManifest, ServerErrorsAndRateLimitsAreRetriedAndNothingIsDuplicated) {
  server_.inject({.method = "GET", .path = "/deployments$", .kind = FaultKind::server_error, .count = 1, .status = 502});
  server_.inject({.method = "POST", .path = "/deployments$", .kind = FaultKind::rate_limit_429, .count = 1});
  ASSERT_EQ(store_.record({row("app-db", "success", "400")}).value(), 1);
  EXPECT_EQ(deployments().size(), 1u);
  server_.inject({.method = "GET", .path = "/deployments$", .kind = FaultKind::server_error, .count = 1, .status = 503});
  EXPECT_EQ(store_.current("prod").value().size(), 1u);
}

TEST_F(GitHubManifest, AWriteWhoseAnswerWasLostIsNotWrittenAgainOnRetry) {
  server_.inject({.method = "POST", .path = "/deployments$", .kind = FaultKind::drop_after_write, .count = 1});
  auto lost = store_.record({row("app-db", "success", "500")});
  ASSERT_FALSE(lost.has_value()) << "a POST whose answer was lost is not repeated blindly";
  EXPECT_EQ(deployments().size(), 1u);
  EXPECT_EQ(store_.record({row("app-db", "success", "500")}).value(), 0) << "the retry finds it by its key";
  EXPECT_EQ(deployments().size(), 1u);
  EXPECT_EQ(store_.current("prod").value().size(), 1u);
}

TEST_F(GitHubManifest, ErrorsNameTheRequestAndNeverTheToken) {
  server_.inject({.method = "GET", .path = "/deployments$", .kind = FaultKind::server_error, .count = -1, .status = 500});
  auto read = store_.current("prod");
  ASSERT_FALSE(read.has_value());
  EXPECT_NE(read.error().message.find("GET /repos/octo-org/octo-repo/deployments: 500"), std::string::npos)
      << read.error().message;
  EXPECT_EQ(read.error().message.find(server_.token()), std::string::npos);
  EXPECT_FALSE(store_.record({row("app-db", "success", "600")}).has_value());
}

TEST_F(GitHubManifest, ARowWithoutACommitIsRefused) {
  auto local = row("app-db", "success", "700", "");
  auto written = store_.record({local});
  ASSERT_FALSE(written.has_value());
  EXPECT_NE(written.error().message.find("names none"), std::string::npos);
}

TEST_F(GitHubManifest, LocksAlwaysAcquireBecauseTheWorkflowConcurrencyGroupIsTheLock) {
  manifest::LockLease claim{.name = "apply:prod/bi", .token = "t", .holder = "run 1"};
  EXPECT_TRUE(store_.try_lock(claim, milliseconds(1000)).value().acquired);
  EXPECT_TRUE(store_.try_lock(claim, milliseconds(1000)).value().acquired);
  EXPECT_TRUE(store_.renew_lock("apply:prod/bi", "t", milliseconds(1000)).value());
  EXPECT_TRUE(store_.unlock("apply:prod/bi", "t").has_value());
  EXPECT_TRUE(server_.requests().empty()) << "GitHub is not asked for a lock it cannot give";
}

}  // namespace
}  // namespace converge::github
