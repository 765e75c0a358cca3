// The GitFlow story with a Terraform target (issue #13): a dev/** push applies dev; the
// PR to develop gets the stage plan comment, and its job seals the plan file (what the
// workflow keeps as an artifact); the merge applies exactly that file, pinned to the
// approved hash; the prod plan comment, the author's own approval refused, a second
// person's approval applied and recorded; at 1 AM an edit made outside Terraform is
// drift, its issue opened, reconciled by --apply and closed. The binary is the stateful
// stand-in CLI (tests/providers/terraform/fake_terraform.cpp): no terraform binary can
// be installed here. A database password goes in as a secret (TF_VAR_db_password) and
// must show nowhere.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <tuple>
#include <sstream>

#include "github/server/actions_runner.hpp"
#include "support/git_repo.hpp"
#include "support/temp_dir.hpp"
#include "converge/util/fs.hpp"

namespace converge::testing {
namespace {

constexpr const char* kPassword = "tf-canary/P4ss+word=";

constexpr std::string_view kConfig = R"(version: 1
manifest:
  url: ${MANIFEST_URL}
environments:
  - name: dev
    branch: "dev/**"
  - name: stage
    branch: develop
    gates: {plan_pinning: true}
  - name: prod
    branch: main
    gates: {approvals: 1, distinct_approver: true, plan_pinning: true}
    drift: {schedule: "0 1 * * *", mode: apply}
    promote_from: stage
targets:
  - name: network
    provider: terraform
    settings:
      root: infra/network
      var_files: ["infra/envs/${CONVERGE_ENV}.tfvars"]
      backend_config: ["path=${STATE_DIR}/${CONVERGE_ENV}.tfstate"]
      env: {TF_VAR_db_password: "${DB_PASSWORD}"}
      plan_key: ${TF_PLAN_KEY}
      plan_dir: ${PLAN_ARTIFACTS}
)";

class TerraformGitFlow : public ::testing::Test {
 protected:
  void SetUp() override {
    // `terraform` on PATH is the stand-in, as a runner's setup-terraform would put the real one.
    std::filesystem::create_directories(state_ / "bin");
    std::filesystem::create_symlink(FAKE_TERRAFORM, state_ / "bin" / "terraform");
    ::setenv("PATH", ((state_ / "bin").string() + ":" + std::getenv("PATH")).c_str(), 1);
    dir_.write("converge.yaml", kConfig);
    dir_.write(".gitignore", ".converge/\nevent.json\noutput.txt\nsummary.md\nplan.json\n");
    write_module("t3.small");
    for (const char* env : {"dev", "stage", "prod"})
      dir_.write(std::string("infra/envs/") + env + ".tfvars", std::string("region = \"eu-") + env + "\"\n");
    repo_ = std::make_unique<GitRepo>(dir_.path(), "main");
    repo_->commit_all("converge.yaml");
    repo_->branch("develop");
  }

  // `network_tags`: the network carries tags that Terraform leaves to others
  // (lifecycle.ignore_changes).
  void write_module(const std::string& size, bool network_tags = false) {
    nlohmann::json root = {
        {"variable", {{"region", nlohmann::json::object()}, {"db_password", {{"sensitive", true}}}}},
        {"resource",
         {{"fake_network", {{"main", {{"cidr", "10.0.0.0/16"}, {"region", "${var.region}"}}}}},
          {"fake_server", {{"web", {{"size", size}, {"region", "${var.region}"}}}}},
          {"fake_database", {{"main", {{"engine", "postgres"}, {"admin_password", "${var.db_password}"}}}}}}},
        {"output", {{"url", {{"value", "https://web.${var.region}.example.test"}}}}}};
    if (network_tags) {
      auto& network = root["resource"]["fake_network"]["main"];
      network["tags"] = "team=net";
      network["lifecycle"] = {{"ignore_changes", {"tags"}}};
    }
    dir_.write("infra/network/main.tf.json", root.dump(2));
  }

  std::map<std::string, std::string> secrets() {
    return {{"MANIFEST_URL", "sqlite:///" + (state_ / "manifest.db").string()},
            {"STATE_DIR", (state_ / "states").string()},
            {"DB_PASSWORD", kPassword},
            {"TF_PLAN_KEY", "plan-key/with+symbols"},
            {"PLAN_ARTIFACTS", (state_ / "artifacts").string()}};
  }

  // The password anywhere but in the runner's `::add-mask::` commands, which hide it.
  static bool shows_password(const std::string& output) {
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);)
      if (!line.starts_with("::add-mask::") && line.find(kPassword) != std::string::npos) return true;
    return false;
  }

  RunResult job(const std::vector<std::string>& args, const std::string& event_name, const nlohmann::json& event,
                const std::string& ref) {
    repo_->checkout(ref);
    repo_->reset_hard();
    auto r = runner_.run(args, event_name, event, repo_->head_sha(), secrets());
    EXPECT_FALSE(shows_password(r.out + r.err)) << r.out << r.err;
    return r;
  }
  RunResult next_step(const std::vector<std::string>& args, const std::string& event_name) {
    return runner_.same_job(args, event_name, {}, repo_->head_sha(), secrets());
  }

  nlohmann::json state(const std::string& env) {
    return nlohmann::json::parse(*util::read_file(state_ / "states" / (env + ".tfstate")));
  }

  // Someone changes an attribute of a remote object by hand (in the stand-in's cloud,
  // which Terraform reads back on refresh), not through Terraform.
  // Returns the value it had.
  std::string change_outside_terraform(const std::string& state_name, const std::string& address,
                                       const std::string& attribute, const std::string& value) {
    const auto file = state_ / "states" / (state_name + ".tfstate.cloud.json");
    auto cloud = nlohmann::json::parse(*util::read_file(file));
    EXPECT_TRUE(cloud.contains(address)) << cloud;
    std::string was = cloud[address].value(attribute, "");
    cloud[address][attribute] = value;
    EXPECT_TRUE(util::write_file_atomic(file, cloud.dump()));
    return was;
  }

  std::string comment(int pr, const std::string& env) {
    for (const auto& c : github_.comments(pr))
      if (c["body"].get<std::string>().find("env=" + env + " ") != std::string::npos) return c["body"];
    return "";
  }

  TempDir dir_, state_;
  std::unique_ptr<GitRepo> repo_;
  GitHubServer github_;
  ActionsRunner runner_{dir_.path(), github_};
};

TEST_F(TerraformGitFlow, FromAFeatureBranchToProdThenDriftAtOneAm) {
  // --- dev/bigger-web pushed → dev applied and recorded.
  repo_->checkout("main");
  repo_->branch("dev/bigger-web");
  repo_->checkout("dev/bigger-web");
  write_module("t3.large");
  const auto c1 = repo_->commit_all("A bigger web server");
  auto dev = job({"apply", "--env", "dev"}, "push", runner_.push_event("dev/bigger-web", c1), "dev/bigger-web");
  ASSERT_EQ(dev.exit_code, 0) << dev.out << dev.err;
  ASSERT_EQ(next_step({"record-manifest", "--env", "dev"}, "push").exit_code, 0);
  EXPECT_EQ(state("dev")["resources"]["fake_server.web"]["values"]["size"], "t3.large");
  EXPECT_EQ(state("dev")["resources"]["fake_network.main"]["values"]["region"], "eu-dev");

  repo_->checkout("develop");
  const auto m1 = repo_->merge("dev/bigger-web", "Merge pull request #1 from dev/bigger-web");
  repo_->checkout("main");
  const auto m2 = repo_->merge("develop", "Merge pull request #2 from develop");
  const nlohmann::json commits = {{{"sha", c1}, {"author", "alice"}}};
  github_.seed({{"pulls",
                 {{{"number", 1}, {"user", "alice"}, {"merged", true}, {"merge_commit_sha", m1},
                   {"head", {{"ref", "dev/bigger-web"}, {"sha", c1}}}, {"base", {{"ref", "develop"}}},
                   {"commits", commits}},
                  {{"number", 2}, {"user", "alice"}, {"merged", true}, {"merge_commit_sha", m2},
                   {"head", {{"ref", "develop"}, {"sha", m1}}}, {"base", {{"ref", "main"}}},
                   {"commits", commits}}}}});

  // --- PR #1 to develop → the stage plan comment; the job seals its plan file.
  auto planned = job({"plan-comment"}, "pull_request", runner_.pull_request_event(1, "develop", c1), c1);
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  const std::string stage_comment = comment(1, "stage");
  EXPECT_NE(stage_comment.find("4 to create"), std::string::npos) << stage_comment;
  EXPECT_NE(stage_comment.find("fake_server.web"), std::string::npos);
  EXPECT_NE(stage_comment.find("(sensitive)"), std::string::npos) << stage_comment;
  EXPECT_EQ(stage_comment.find(kPassword), std::string::npos);
  const auto sealed = util::read_file(state_ / "artifacts" / "stage" / "network.tfplan.sealed");
  ASSERT_TRUE(sealed) << "the plan job kept its plan file";
  EXPECT_EQ(sealed->find(kPassword), std::string::npos) << "sealed: the password is not in clear";

  // --- merge → stage applies that plan file, pinned to the approved hash.
  auto stage = job({"apply", "--env", "stage"}, "push", runner_.push_event("develop", m1), m1);
  ASSERT_EQ(stage.exit_code, 0) << stage.out << stage.err;
  EXPECT_NE(stage.out.find("plan pinning: the plan equals the one approved on pull request #1"), std::string::npos)
      << stage.out;
  EXPECT_NE(stage.out.find("applied the sealed plan file of the plan job"), std::string::npos) << stage.out;
  ASSERT_EQ(next_step({"record-manifest", "--env", "stage"}, "push").exit_code, 0);
  EXPECT_EQ(state("stage")["resources"]["fake_server.web"]["values"]["size"], "t3.large");
  EXPECT_EQ(state("stage")["resources"]["fake_database.main"]["values"]["admin_password"], kPassword)
      << "the secret reached the runtime";

  // --- PR #2 develop → main: the prod plan comment; the author's own approval refused.
  ASSERT_EQ(job({"plan-comment"}, "pull_request", runner_.pull_request_event(2, "main", m1), m1).exit_code, 0);
  EXPECT_NE(comment(2, "prod").find("env=prod sha=" + m1), std::string::npos);
  github_.seed({{"reviews", {{"2", {{{"user", "alice"}, {"state", "APPROVED"}, {"commit_id", m1}}}}}}});
  auto refused = job({"apply", "--env", "prod"}, "push", runner_.push_event("main", m2), "main");
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("the author cannot approve their own pull request"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(state_ / "states" / "prod.tfstate")) << "nothing applied in prod";

  // --- bob approves → prod applied and recorded.
  github_.seed({{"reviews", {{"2", {{{"user", "bob"}, {"state", "APPROVED"}, {"commit_id", m1}}}}}}});
  auto prod = job({"apply", "--env", "prod"}, "push", runner_.push_event("main", m2), "main");
  ASSERT_EQ(prod.exit_code, 0) << prod.out << prod.err;
  ASSERT_EQ(next_step({"record-manifest", "--env", "prod"}, "push").exit_code, 0);
  EXPECT_EQ(state("prod")["resources"]["fake_network.main"]["values"]["region"], "eu-prod");

  // --- someone resizes the server outside Terraform → the 1 AM run finds drift.
  EXPECT_EQ(change_outside_terraform("prod", "fake_server.web", "size", "t3.nano"), "t3.large");
  const nlohmann::json schedule = {{"schedule", "0 1 * * *"}};
  auto detect = job({"drift-verify", "--env", "prod", "--issue"}, "schedule", schedule, "main");
  EXPECT_EQ(detect.exit_code, 1) << detect.out << detect.err;
  auto issues = github_.state()["issues"];
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0]["body"].get<std::string>().find("t3.nano"), std::string::npos) << issues[0]["body"];
  EXPECT_EQ(issues[0]["title"], "converge: drift in prod (network)") << "one issue per environment and root";
  auto reconcile = job({"drift-verify", "--env", "prod", "--apply", "--issue"}, "schedule", schedule, "main");
  ASSERT_EQ(reconcile.exit_code, 0) << reconcile.out << reconcile.err;
  ASSERT_EQ(next_step({"record-manifest", "--env", "prod"}, "schedule").exit_code, 0);
  EXPECT_EQ(state("prod")["resources"]["fake_server.web"]["values"]["size"], "t3.large");
  EXPECT_EQ(change_outside_terraform("prod", "fake_server.web", "size", "t3.large"), "t3.large") << "put back";
  EXPECT_EQ(github_.state()["issues"][0]["state"], "closed");
  EXPECT_FALSE(runner_.token_leaked());
}

// What changed outside Terraform is shown beside the plan, never in it: the merge's plan
// may see otherwise (here someone puts the network's ignored tags back after the
// review, and the sealed plan file is gone, so the apply plans again) and the approved
// plan still applies: the same changes, the same hash.
TEST_F(TerraformGitFlow, WhatChangedOutsideTerraformIsBesideThePlanSoTheMergeMaySeeOtherwise) {
  repo_->checkout("develop");
  const auto base = repo_->head_sha();
  repo_->branch("feature/net");
  repo_->checkout("feature/net");
  write_module("t3.small", /*network_tags=*/true);
  const auto c1 = repo_->commit_all("Network and server");
  repo_->checkout("develop");
  const auto m1 = repo_->merge("feature/net", "Merge pull request #1");
  repo_->branch("feature/bigger");
  repo_->checkout("feature/bigger");
  write_module("t3.large", true);
  const auto c2 = repo_->commit_all("A bigger server");
  repo_->checkout("develop");
  const auto m2 = repo_->merge("feature/bigger", "Merge pull request #2");
  nlohmann::json pulls = nlohmann::json::array();
  for (auto [number, head, merge, ref] : {std::tuple{1, c1, m1, "feature/net"}, {2, c2, m2, "feature/bigger"}})
    pulls.push_back({{"number", number}, {"user", "alice"}, {"merged", true}, {"merge_commit_sha", merge},
                     {"head", {{"ref", ref}, {"sha", head}}}, {"base", {{"ref", "develop"}}},
                     {"commits", {{{"sha", head}, {"author", "alice"}}}}});
  github_.seed({{"pulls", pulls}});
  auto pr_event = [&](int number, const std::string& head, const std::string& base_sha) {
    auto event = runner_.pull_request_event(number, "develop", head);
    event["pull_request"]["base"]["sha"] = base_sha;
    return event;
  };
  ASSERT_EQ(job({"plan-comment"}, "pull_request", pr_event(1, c1, base), c1).exit_code, 0);
  auto first = job({"apply", "--env", "stage"}, "push", runner_.push_event("develop", m1), m1);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;

  // Someone tags the network by hand; PR #2's comment shows it after the plan.
  change_outside_terraform("stage", "fake_network.main", "tags", "team=net,cost=1");
  ASSERT_EQ(job({"plan-comment"}, "pull_request", pr_event(2, c2, m1), c2).exit_code, 0);
  const std::string body = comment(2, "stage");
  const auto section = body.find("<!-- converge:observations -->");
  ASSERT_NE(section, std::string::npos) << body;
  EXPECT_NE(body.find("- ` network `: changed outside Terraform: ` fake_network.main ` (tags)", section),
            std::string::npos)
      << body;
  EXPECT_EQ(body.substr(0, section).find("outside Terraform"), std::string::npos) << "not in the plan part";

  // Before the merge: the tag is put back by hand, so the merge's plan sees no such
  // change, and the sealed plan file is gone (an expired artifact).
  change_outside_terraform("stage", "fake_network.main", "tags", "team=net");
  std::filesystem::remove_all(state_ / "artifacts");
  auto second = job({"apply", "--env", "stage"}, "push", runner_.push_event("develop", m2), m2);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("plan pinning: the plan equals the one approved on pull request #2"), std::string::npos)
      << second.out;
  EXPECT_NE(second.out.find("no sealed plan file"), std::string::npos) << second.out;
  EXPECT_EQ(state("stage")["resources"]["fake_server.web"]["values"]["size"], "t3.large");
}

// `roots: infra/*/` makes one target per root; a pull request plans only the roots whose
// files changed and says which it left out; the merge still plans every root and, with
// plan pinning, applies only while the roots left out have no change.
constexpr std::string_view kRootsConfig = R"(version: 1
manifest:
  url: ${MANIFEST_URL}
environments:
  - name: stage
    branch: develop
    gates: {plan_pinning: true}
targets:
  - name: infra
    provider: terraform
    settings:
      roots: infra/*/
      var_files: ["envs/${CONVERGE_ENV}.tfvars"]
      backend_config: ["path=${STATE_DIR}/${CONVERGE_TARGET}-${CONVERGE_ENV}.tfstate"]
      env: {TF_VAR_db_password: "${DB_PASSWORD}"}
      plan_key: ${TF_PLAN_KEY}
      plan_dir: ${PLAN_ARTIFACTS}
)";

TEST_F(TerraformGitFlow, APullRequestPlansOnlyTheRootsItChangesAndTheMergeStillChecksTheOthers) {
  auto dns = [&](const std::string& ttl) {
    dir_.write("infra/dns/main.tf.json",
               nlohmann::json({{"resource", {{"fake_record", {{"www", {{"ttl", ttl}, {"zone", "example.test"}}}}}}}})
                   .dump(2));
  };
  auto pr_event = [&](int number, const std::string& head, const std::string& base_sha) {
    auto event = runner_.pull_request_event(number, "develop", head);
    event["pull_request"]["base"]["sha"] = base_sha;
    return event;
  };
  // PR #10 brings both roots; PR #11 changes only dns; PR #12 changes dns again.
  repo_->checkout("develop");
  const auto base = repo_->head_sha();
  repo_->branch("feature/roots");
  repo_->checkout("feature/roots");
  dir_.write("converge.yaml", kRootsConfig);
  std::filesystem::remove_all(dir_ / "infra" / "envs");
  dir_.write("envs/stage.tfvars", "region = \"eu-stage\"\n");
  dns("300");
  const auto c1 = repo_->commit_all("Two roots");
  repo_->checkout("develop");
  const auto m1 = repo_->merge("feature/roots", "Merge pull request #10");
  repo_->branch("feature/ttl");
  repo_->checkout("feature/ttl");
  dns("60");
  const auto c2 = repo_->commit_all("A shorter TTL");
  repo_->checkout("develop");
  const auto m2 = repo_->merge("feature/ttl", "Merge pull request #11");
  repo_->branch("feature/ttl2");
  repo_->checkout("feature/ttl2");
  dns("30");
  const auto c3 = repo_->commit_all("An even shorter TTL");
  repo_->checkout("develop");
  const auto m3 = repo_->merge("feature/ttl2", "Merge pull request #12");
  nlohmann::json pulls = nlohmann::json::array();
  for (auto [number, head, merge, ref] : {std::tuple{10, c1, m1, "feature/roots"}, {11, c2, m2, "feature/ttl"},
                                         {12, c3, m3, "feature/ttl2"}})
    pulls.push_back({{"number", number}, {"user", "alice"}, {"merged", true}, {"merge_commit_sha", merge},
                     {"head", {{"ref", ref}, {"sha", head}}}, {"base", {{"ref", "develop"}}},
                     {"commits", {{{"sha", head}, {"author", "alice"}}}}});
  github_.seed({{"pulls", pulls}});

  // PR #10: both roots change, both are planned; the merge applies both.
  ASSERT_EQ(job({"plan-comment"}, "pull_request", pr_event(10, c1, base), c1).exit_code, 0);
  EXPECT_EQ(comment(10, "stage").find("Not planned"), std::string::npos) << comment(10, "stage");
  auto first = job({"apply", "--env", "stage"}, "push", runner_.push_event("develop", m1), m1);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  ASSERT_TRUE(std::filesystem::exists(state_ / "states" / "infra-network-stage.tfstate")) << "one state per root";
  ASSERT_TRUE(std::filesystem::exists(state_ / "states" / "infra-dns-stage.tfstate"));

  // PR #11 changes dns only: network is left out of its plan, and the comment says so.
  auto planned = job({"plan-comment"}, "pull_request", pr_event(11, c2, m1), c2);
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  const std::string body = comment(11, "stage");
  EXPECT_NE(body.find("Not planned in this pull request"), std::string::npos) << body;
  EXPECT_NE(body.find("- ` infra-network `: none of its files changed"), std::string::npos) << body;
  EXPECT_EQ(body.find("- ` infra-dns `"), std::string::npos) << "dns changed: it is planned";
  EXPECT_NE(body.find("ttl"), std::string::npos) << body;
  // The same pull request as a matrix (docs/steps/plan-comment.md, "A matrix of
  // targets"): only dns is listed and planned, in a job of its own; the merge leaves
  // network out as one job does and posts the same comment, whose plan hash the apply
  // below pins to.
  auto matrix_step = [&](const std::vector<std::string>& args) {
    return runner_.same_job(args, "pull_request", pr_event(11, c2, m1), repo_->head_sha(), secrets());
  };
  ASSERT_EQ(matrix_step({"plan-comment", "--list-targets"}).exit_code, 0);
  EXPECT_NE(runner_.file("output.txt").find("\n[\"infra-dns\"]\n"), std::string::npos) << runner_.file("output.txt");
  auto dns_job = matrix_step({"plan", "--env", "stage", "--target", "infra-dns", "--out", "plans/plan-infra-dns.json"});
  ASSERT_EQ(dns_job.exit_code, 0) << dns_job.out << dns_job.err;
  auto merged = matrix_step({"plan-comment", "--from", "plans/*.json"});
  ASSERT_EQ(merged.exit_code, 0) << merged.out << merged.err;
  EXPECT_EQ(comment(11, "stage"), body) << "the matrix's comment is one job's";
  std::filesystem::remove_all(dir_ / "plans");
  auto second = job({"apply", "--env", "stage"}, "push", runner_.push_event("develop", m2), m2);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("plan pinning: the plan equals the one approved on pull request #11"), std::string::npos);
  EXPECT_EQ(state("infra-dns-stage")["resources"]["fake_record.www"]["values"]["ttl"], "60");

  // PR #12 again leaves network out; then network changes outside Terraform before the
  // merge: the merge's plan has a change the pull request never showed, so it is refused.
  ASSERT_EQ(job({"plan-comment"}, "pull_request", pr_event(12, c3, m2), c3).exit_code, 0);
  const std::string size = change_outside_terraform("infra-network-stage", "fake_server.web", "size", "t3.nano");
  auto refused = job({"apply", "--env", "stage"}, "push", runner_.push_event("develop", m3), m3);
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("the plan changed since it was approved"), std::string::npos) << refused.err;
  EXPECT_EQ(state("infra-dns-stage")["resources"]["fake_record.www"]["values"]["ttl"], "60") << "nothing applied";

  // 1 AM, stage still running m2: the network root's drift is an issue of its own.
  const nlohmann::json schedule = {{"schedule", "0 1 * * *"}};
  auto found = job({"drift-verify", "--env", "stage", "--issue"}, "schedule", schedule, m2);
  EXPECT_EQ(found.exit_code, 1) << found.out << found.err;
  auto issues = github_.state()["issues"];
  ASSERT_EQ(issues.size(), 1u) << issues << "dns equals Git: no issue for it";
  EXPECT_EQ(issues[0]["title"], "converge: drift in stage (infra-network)");
  EXPECT_TRUE(issues[0]["body"].get<std::string>().starts_with(
      "<!-- converge:drift v=1 env=stage target=infra-network -->\n"))
      << issues[0]["body"];
  EXPECT_NE(issues[0]["body"].get<std::string>().find("t3.nano"), std::string::npos);

  // The next night: network was put back by hand, dns drifted. Network's issue closes,
  // dns gets its own; neither mentions the other root.
  change_outside_terraform("infra-network-stage", "fake_server.web", "size", size);
  change_outside_terraform("infra-dns-stage", "fake_record.www", "ttl", "5");
  auto next = job({"drift-verify", "--env", "stage", "--issue"}, "schedule", schedule, m2);
  EXPECT_EQ(next.exit_code, 1) << next.out << next.err;
  issues = github_.state()["issues"];
  ASSERT_EQ(issues.size(), 2u) << issues;
  EXPECT_EQ(issues[0]["state"], "closed");
  EXPECT_EQ(issues[1]["state"], "open");
  EXPECT_EQ(issues[1]["title"], "converge: drift in stage (infra-dns)");
  const std::string dns_body = issues[1]["body"];
  EXPECT_NE(dns_body.find("ttl"), std::string::npos) << dns_body;
  EXPECT_EQ(dns_body.find("infra-network"), std::string::npos) << dns_body;
}

}  // namespace
}  // namespace converge::testing
