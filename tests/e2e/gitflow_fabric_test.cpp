// The GitFlow story with a Microsoft Fabric target (issue #12), on the local Fabric
// server (tests/providers/fabric/server): fabric-cicd's sample workspace is the
// repository's; a dev/** push deploys the dev workspace; the PR to develop gets the
// stage plan comment and its merge deploys stage, pinned to the approved plan; the prod
// plan comment, the author's own approval refused, a second person's approval applied
// with prod's parameters; every workspace's description names the commit it runs and
// describe shows it; at 1 AM an edit made in the Fabric portal is drift, its issue
// opened, reconciled by --apply and closed. The service principal's secret has a '/'
// and must show nowhere. FabricPipelinePromotion: prod promoted from stage through a
// Fabric deployment pipeline, refused while stage runs another bundle.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "converge/util/fs.hpp"
#include "github/server/actions_runner.hpp"
#include "providers/fabric/server/fabric_server.hpp"
#include "support/git_repo.hpp"
#include "support/temp_dir.hpp"

namespace converge::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSecret = "Fq8~tX/S3cret+with=symbols";

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
  - name: analytics
    provider: fabric
    settings:
      sources: workspace
      api_url: ${FABRIC_API}
      authority: ${FABRIC_AUTHORITY}
      tenant_id: ${FABRIC_TENANT}
      client_id: ${FABRIC_CLIENT_ID}
      client_secret: ${FABRIC_CLIENT_SECRET}
      workspace_id: ${DEV_WORKSPACE}
      parameter_environment: PPE
      item_types: [VariableLibrary, Lakehouse, Eventhouse, Notebook, DataPipeline]
    overrides:
      stage:
        workspace_id: ${STAGE_WORKSPACE}
      prod:
        workspace_id: ${PROD_WORKSPACE}
        parameter_environment: PROD
)";

class FabricGitFlow : public ::testing::Test {
 protected:
  void SetUp() override {
    fabric_.register_client(fabric_.client_id(), std::string(kSecret));
    auto ids = fabric_.seed({{"workspaces",
                              {{{"displayName", "Sales [DEV]"}},
                               {{"displayName", "Sales [STAGE]"}},
                               {{"displayName", "Sales"}, {"description", "Sales reporting. Owner: data team."}}}}});
    for (int i = 0; i < 3; ++i) workspaces_.push_back(ids["workspaces"][i]["id"].get<std::string>());
    fs::copy(fs::path(CONVERGE_SHARED_TESTDATA) / "fabric-items/fabric-cicd/sample/workspace", dir_.path() / "workspace",
             fs::copy_options::recursive);
    for (auto& entry : fs::recursive_directory_iterator(dir_.path() / "workspace"))
      fs::permissions(entry.path(), fs::perms::owner_write, fs::perm_options::add);
    dir_.write("converge.yaml", kConfig);
    dir_.write(".gitignore", ".converge/\nevent.json\noutput.txt\nsummary.md\nplan.json\n");
    repo_ = std::make_unique<GitRepo>(dir_.path(), "main");
    repo_->commit_all("converge.yaml and the workspace");
    repo_->branch("develop");
  }

  virtual std::map<std::string, std::string> secrets() {
    return {{"MANIFEST_URL", "sqlite:///" + (state_ / "manifest.db").string()},
            {"FABRIC_API", fabric_.api_url()},
            {"FABRIC_AUTHORITY", fabric_.authority()},
            {"FABRIC_TENANT", fabric_.tenant()},
            {"FABRIC_CLIENT_ID", fabric_.client_id()},
            {"FABRIC_CLIENT_SECRET", kSecret},
            {"DEV_WORKSPACE", workspaces_[0]},
            {"STAGE_WORKSPACE", workspaces_[1]},
            {"PROD_WORKSPACE", workspaces_[2]}};
  }

  static bool shows_secret(const std::string& output) {
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);)
      if (!line.starts_with("::add-mask::") && line.find(kSecret) != std::string::npos) return true;
    return false;
  }

  RunResult job(const std::vector<std::string>& args, const std::string& event_name, const nlohmann::json& event,
                const std::string& ref) {
    repo_->checkout(ref);
    repo_->reset_hard();
    auto r = runner_.run(args, event_name, event, repo_->head_sha(), secrets());
    EXPECT_FALSE(shows_secret(r.out + r.err)) << r.out << r.err;
    return r;
  }
  RunResult next_step(const std::vector<std::string>& args, const std::string& event_name) {
    auto r = runner_.same_job(args, event_name, {}, repo_->head_sha(), secrets());
    EXPECT_FALSE(shows_secret(r.out + r.err)) << r.out << r.err;
    return r;
  }

  nlohmann::json workspace(int i) { return fabric_.state(workspaces_[static_cast<std::size_t>(i)])["workspaces"][0]; }

  static const nlohmann::json* item(const nlohmann::json& ws, const std::string& type, const std::string& name) {
    for (const auto& it : ws["items"])
      if (it["type"] == type && it["displayName"] == name) return &it;
    return nullptr;
  }
  static std::string part(const nlohmann::json& it, const std::string& path) {
    for (const auto& p : it["parts"])
      if (p["path"] == path) return p.value("text", "");
    return "";
  }

  std::string comment(int pr, const std::string& env) {
    for (const auto& c : github_.comments(pr))
      if (c["body"].get<std::string>().find("env=" + env + " ") != std::string::npos) return c["body"];
    return "";
  }

  FabricServer fabric_;
  TempDir dir_, state_;
  std::vector<std::string> workspaces_;
  std::unique_ptr<GitRepo> repo_;
  GitHubServer github_;
  ActionsRunner runner_{dir_.path(), github_};
};

TEST_F(FabricGitFlow, FromAFeatureBranchToProdThenAPortalEditAtOneAm) {
  // --- dev/new-cell pushed → the dev workspace deployed and recorded.
  repo_->checkout("main");
  repo_->branch("dev/new-cell");
  repo_->checkout("dev/new-cell");
  const std::string notebook = "workspace/Hello World.Notebook/notebook-content.py";
  std::string text = *util::read_file(dir_.path() / notebook);
  text.replace(text.find("print(\"Hello World\")"), 20, "print(\"Hello, Sales\")");
  dir_.write(notebook, text);
  const auto c1 = repo_->commit_all("A friendlier greeting");
  auto dev = job({"apply", "--env", "dev"}, "push", runner_.push_event("dev/new-cell", c1), "dev/new-cell");
  ASSERT_EQ(dev.exit_code, 0) << dev.out << dev.err;
  ASSERT_EQ(next_step({"record-manifest", "--env", "dev"}, "push").exit_code, 0);
  const auto dev_ws = workspace(0);
  const auto* hello = item(dev_ws, "Notebook", "Hello World");
  ASSERT_NE(hello, nullptr) << dev_ws.dump();
  EXPECT_NE(part(*hello, "notebook-content.py").find("Hello, Sales"), std::string::npos);
  EXPECT_EQ(dev_ws["description"].get<std::string>().rfind("Deployed by converge: " + c1.substr(0, 12) + " at ", 0),
            0u)
      << dev_ws["description"];

  repo_->checkout("develop");
  const auto m1 = repo_->merge("dev/new-cell", "Merge pull request #1 from dev/new-cell");
  repo_->checkout("main");
  const auto m2 = repo_->merge("develop", "Merge pull request #2 from develop");
  const nlohmann::json commits = {{{"sha", c1}, {"author", "alice"}}};
  github_.seed({{"pulls",
                 {{{"number", 1}, {"user", "alice"}, {"merged", true}, {"merge_commit_sha", m1},
                   {"head", {{"ref", "dev/new-cell"}, {"sha", c1}}}, {"base", {{"ref", "develop"}}},
                   {"commits", commits}},
                  {{"number", 2}, {"user", "alice"}, {"merged", true}, {"merge_commit_sha", m2},
                   {"head", {{"ref", "develop"}, {"sha", m1}}}, {"base", {{"ref", "main"}}},
                   {"commits", commits}}}}});

  // --- PR #1 to develop → the stage plan comment: everything to create.
  auto planned = job({"plan-comment"}, "pull_request", runner_.pull_request_event(1, "develop", c1), c1);
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  const std::string stage_comment = comment(1, "stage");
  EXPECT_NE(stage_comment.find("to create"), std::string::npos) << stage_comment;
  EXPECT_NE(stage_comment.find("Notebook/Hello World"), std::string::npos) << stage_comment;
  EXPECT_TRUE(workspace(1)["items"].empty()) << "a plan changes nothing";

  // --- merge → stage deployed, pinned to the approved plan.
  auto stage = job({"apply", "--env", "stage"}, "push", runner_.push_event("develop", m1), m1);
  ASSERT_EQ(stage.exit_code, 0) << stage.out << stage.err;
  EXPECT_NE(stage.out.find("plan pinning: the plan equals the one approved on pull request #1"), std::string::npos)
      << stage.out;
  ASSERT_EQ(next_step({"record-manifest", "--env", "stage"}, "push").exit_code, 0);
  const auto stage_ws = workspace(1);
  ASSERT_NE(item(stage_ws, "VariableLibrary", "Vars"), nullptr);
  EXPECT_NE(part(*item(stage_ws, "VariableLibrary", "Vars"), "variables.json").find("contoso-ppe"),
            std::string::npos);

  // --- PR #2 develop → main: the prod plan comment; the author's own approval refused.
  ASSERT_EQ(job({"plan-comment"}, "pull_request", runner_.pull_request_event(2, "main", m1), m1).exit_code, 0);
  EXPECT_NE(comment(2, "prod").find("env=prod sha=" + m1), std::string::npos);
  github_.seed({{"reviews", {{"2", {{{"user", "alice"}, {"state", "APPROVED"}, {"commit_id", m1}}}}}}});
  auto refused = job({"apply", "--env", "prod"}, "push", runner_.push_event("main", m2), "main");
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("the author cannot approve their own pull request"), std::string::npos);
  EXPECT_TRUE(workspace(2)["items"].empty()) << "nothing deployed to prod";

  // --- bob approves → prod deployed with prod's parameters and recorded.
  github_.seed({{"reviews", {{"2", {{{"user", "bob"}, {"state", "APPROVED"}, {"commit_id", m1}}}}}}});
  auto prod = job({"apply", "--env", "prod"}, "push", runner_.push_event("main", m2), "main");
  ASSERT_EQ(prod.exit_code, 0) << prod.out << prod.err;
  ASSERT_EQ(next_step({"record-manifest", "--env", "prod"}, "push").exit_code, 0);
  auto prod_ws = workspace(2);
  const auto* vars = item(prod_ws, "VariableLibrary", "Vars");
  ASSERT_NE(vars, nullptr);
  EXPECT_NE(part(*vars, "variables.json").find("contoso-prod.database.windows.net"), std::string::npos);
  EXPECT_EQ(prod_ws["description"].get<std::string>().rfind(
                "Sales reporting. Owner: data team.\nDeployed by converge: " + m2.substr(0, 12) + " at ", 0),
            0u)
      << prod_ws["description"];
  auto described = job({"describe", "--env", "prod", "--json"}, "push", runner_.push_event("main", m2), "main");
  ASSERT_EQ(described.exit_code, 0) << described.out << described.err;
  EXPECT_NE(described.out.find(m2), std::string::npos) << described.out;

  // --- someone edits the notebook in the Fabric portal → the 1 AM run finds drift.
  const auto* live = item(prod_ws, "Notebook", "Hello World");
  ASSERT_NE(live, nullptr);
  std::string edited = part(*live, "notebook-content.py");
  edited.replace(edited.find("print(\"Hello, Sales\")"), 21, "print(\"edited in the portal\")");
  fabric_.portal_edit(workspaces_[2], (*live)["id"], {{"parts", {{{"path", "notebook-content.py"}, {"text", edited}}}}});
  const nlohmann::json schedule = {{"schedule", "0 1 * * *"}};
  auto detect = job({"drift-verify", "--env", "prod", "--issue"}, "schedule", schedule, "main");
  EXPECT_EQ(detect.exit_code, 1) << detect.out << detect.err;
  auto issues = github_.state()["issues"];
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0]["body"].get<std::string>().find("Notebook/Hello World"), std::string::npos) << issues[0]["body"];
  EXPECT_NE(issues[0]["body"].get<std::string>().find("edited in the portal"), std::string::npos) << issues[0]["body"];
  auto reconcile = job({"drift-verify", "--env", "prod", "--apply", "--issue"}, "schedule", schedule, "main");
  ASSERT_EQ(reconcile.exit_code, 0) << reconcile.out << reconcile.err;
  ASSERT_EQ(next_step({"record-manifest", "--env", "prod"}, "schedule").exit_code, 0);
  prod_ws = workspace(2);
  EXPECT_NE(part(*item(prod_ws, "Notebook", "Hello World"), "notebook-content.py").find("Hello, Sales"),
            std::string::npos);
  EXPECT_EQ(github_.state()["issues"][0]["state"], "closed");
  EXPECT_FALSE(runner_.token_leaked());
  EXPECT_FALSE(shows_secret(runner_.transcript()));
}

// Prod promoted through a Fabric deployment pipeline (promote_via: deployment-pipeline):
// stage is deployed from Git; prod's apply refuses while stage runs another bundle than
// the one prod's PR approved (naming both hashes, nothing sent to Fabric), and once the
// approved bundle is the one stage runs, prod gets stage's content by one deploy of the
// pipeline, recorded in the manifest. Prod uses stage's parameter values here: the
// pipeline's deploy copies stage's content as it is.
constexpr std::string_view kPipelineConfig = R"(version: 1
manifest:
  url: ${MANIFEST_URL}
environments:
  - name: stage
    branch: develop
  - name: prod
    branch: main
    gates: {approvals: 1, distinct_approver: true}
    promote_from: stage
targets:
  - name: analytics
    provider: fabric
    settings:
      sources: workspace
      api_url: ${FABRIC_API}
      authority: ${FABRIC_AUTHORITY}
      tenant_id: ${FABRIC_TENANT}
      client_id: ${FABRIC_CLIENT_ID}
      client_secret: ${FABRIC_CLIENT_SECRET}
      workspace_id: ${STAGE_WORKSPACE}
      parameter_environment: PPE
      item_types: [VariableLibrary, Lakehouse, Eventhouse, Notebook, DataPipeline]
    overrides:
      prod:
        workspace_id: ${PROD_WORKSPACE}
        promote_via: deployment-pipeline
        deployment_pipeline: ${PIPELINE}
        source_stage: ${PIPELINE_STAGE}
        target_stage: ${PIPELINE_PROD}
)";

class FabricPipelinePromotion : public FabricGitFlow {
 protected:
  void SetUp() override {
    FabricGitFlow::SetUp();
    dir_.write("converge.yaml", kPipelineConfig);  // on main
    repo_->commit_all("prod promoted through the deployment pipeline");
    repo_->checkout("develop");
    repo_->reset_hard();
    repo_->merge("main", "Merge main");
    auto ids = fabric_.seed({{"pipelines",
                              {{{"displayName", "Sales"},
                                {"stages", {{{"displayName", "Stage"}, {"workspace", workspaces_[1]}},
                                            {{"displayName", "Production"}, {"workspace", workspaces_[2]}}}}}}}});
    pipeline_ = ids["pipelines"][0]["id"].get<std::string>();
    stage_stage_ = ids["pipelines"][0]["stages"][0].get<std::string>();
    prod_stage_ = ids["pipelines"][0]["stages"][1].get<std::string>();
  }

  // The GitFlow's secrets and the pipeline's ids: every job of this story gets them.
  std::map<std::string, std::string> secrets() override {
    auto s = FabricGitFlow::secrets();
    s["PIPELINE"] = pipeline_;
    s["PIPELINE_STAGE"] = stage_stage_;
    s["PIPELINE_PROD"] = prod_stage_;
    return s;
  }
  // Commits a greeting on develop and deploys it to stage from Git.
  std::string deploy_stage(const std::string& greeting) {
    repo_->checkout("develop");
    const std::string notebook = "workspace/Hello World.Notebook/notebook-content.py";
    std::string text = *util::read_file(dir_.path() / notebook);
    auto at = text.find("print(\"");
    text.replace(at, text.find(")", at) + 1 - at, "print(\"" + greeting + "\")");
    dir_.write(notebook, text);
    const auto sha = repo_->commit_all("Greeting: " + greeting);
    auto stage = job({"apply", "--env", "stage"}, "push", runner_.push_event("develop", sha), "develop");
    EXPECT_EQ(stage.exit_code, 0) << stage.out << stage.err;
    EXPECT_EQ(next_step({"record-manifest", "--env", "stage"}, "push").exit_code, 0);
    return sha;
  }
  std::size_t deploys() {
    std::size_t n = 0;
    for (const auto& e : fabric_.log())
      if (e["method"] == "POST" && e["path"] == "/v1/deploymentPipelines/" + pipeline_ + "/deploy") ++n;
    return n;
  }

  std::string pipeline_, stage_stage_, prod_stage_;
};

TEST_F(FabricPipelinePromotion, ProdGetsWhatStageRunsThroughThePipelineAndIsRefusedWhileStageRunsAnotherBundle) {
  // --- stage runs "Hello, Sales" (c1); PR #2 develop → main is approved and merged.
  const auto c1 = deploy_stage("Hello, Sales");
  EXPECT_EQ(deploys(), 0u) << "stage is deployed from Git";
  repo_->checkout("main");
  const auto m2 = repo_->merge("develop", "Merge pull request #2 from develop");
  const nlohmann::json commits1 = {{{"sha", c1}, {"author", "alice"}}};
  github_.seed({{"pulls",
                 {{{"number", 2}, {"user", "alice"}, {"merged", true}, {"merge_commit_sha", m2},
                   {"head", {{"ref", "develop"}, {"sha", c1}}}, {"base", {{"ref", "main"}}},
                   {"commits", commits1}}}},
                {"reviews", {{"2", {{{"user", "bob"}, {"state", "APPROVED"}, {"commit_id", c1}}}}}}});

  // --- meanwhile stage got "Hello, Europe" (c2): prod's apply of PR #2 is refused,
  // naming both bundles, and nothing is sent to the pipeline.
  const auto c2 = deploy_stage("Hello, Europe");
  fabric_.clear_log();
  auto refused = job({"apply", "--env", "prod"}, "push", runner_.push_event("main", m2), "main");
  EXPECT_NE(refused.exit_code, 0) << refused.out << refused.err;
  const std::string said = refused.out + refused.err;
  auto would = said.find("would get bundle "), runs = said.find("but stage runs ");
  ASSERT_NE(would, std::string::npos) << said;
  ASSERT_NE(runs, std::string::npos) << said;
  EXPECT_NE(said.substr(would + 17, 12), said.substr(runs + 15, 12)) << said;
  EXPECT_EQ(deploys(), 0u);
  EXPECT_TRUE(workspace(2)["items"].empty()) << "nothing promoted to prod";

  // --- PR #3 takes c2 to main: prod is promoted from stage by one pipeline deploy.
  repo_->checkout("main");
  const auto m3 = repo_->merge("develop", "Merge pull request #3 from develop");
  github_.seed({{"pulls",
                 {{{"number", 3}, {"user", "alice"}, {"merged", true}, {"merge_commit_sha", m3},
                   {"head", {{"ref", "develop"}, {"sha", c2}}}, {"base", {{"ref", "main"}}},
                   {"commits", {{{"sha", c2}, {"author", "alice"}}}}}}},
                {"reviews", {{"3", {{{"user", "bob"}, {"state", "APPROVED"}, {"commit_id", c2}}}}}}});
  auto prod = job({"apply", "--env", "prod"}, "push", runner_.push_event("main", m3), "main");
  ASSERT_EQ(prod.exit_code, 0) << prod.out << prod.err;
  ASSERT_EQ(next_step({"record-manifest", "--env", "prod"}, "push").exit_code, 0);
  EXPECT_EQ(deploys(), 1u);
  const auto pipelines = fabric_.state()["pipelines"];
  ASSERT_EQ(pipelines[0]["deployments"].size(), 1u);
  EXPECT_EQ(pipelines[0]["deployments"][0]["sourceStageId"], stage_stage_);
  EXPECT_NE(pipelines[0]["deployments"][0]["note"].get<std::string>().find(m3), std::string::npos);
  const auto prod_ws = workspace(2), stage_ws = workspace(1);
  const auto* hello = item(prod_ws, "Notebook", "Hello World");
  ASSERT_NE(hello, nullptr) << prod_ws.dump();
  EXPECT_NE(part(*hello, "notebook-content.py").find("Hello, Europe"), std::string::npos);
  // Stage's text, stage's workspace id turned into prod's (Fabric's autobinding).
  std::string expected = part(*item(stage_ws, "Notebook", "Hello World"), "notebook-content.py");
  for (std::size_t at; (at = expected.find(workspaces_[1])) != std::string::npos;)
    expected.replace(at, workspaces_[1].size(), workspaces_[2]);
  EXPECT_EQ(part(*hello, "notebook-content.py"), expected);
  EXPECT_NE(prod_ws["description"].get<std::string>().find("Deployed by converge: " + m3.substr(0, 12)),
            std::string::npos)
      << prod_ws["description"];
  // The manifest: prod runs m3, with the bundle stage runs.
  auto described = job({"describe", "--env", "prod", "--json"}, "push", runner_.push_event("main", m3), "main");
  ASSERT_EQ(described.exit_code, 0) << described.out << described.err;
  EXPECT_NE(described.out.find(m3), std::string::npos) << described.out;
  // ... and carries the commit stage ran when its bundle was promoted (c2).
  const auto rows = nlohmann::json::parse(described.out);
  ASSERT_EQ(rows["environments"]["prod"].size(), 1u) << described.out;
  EXPECT_EQ(rows["environments"]["prod"][0]["promoted_from"], "stage@" + c2);
  // A second apply of prod deploys nothing: prod plans empty after the promotion.
  fabric_.clear_log();
  auto again = job({"apply", "--env", "prod"}, "push", runner_.push_event("main", m3), "main");
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(deploys(), 0u);
  EXPECT_FALSE(runner_.token_leaked());
}


// A feature environment (feature: true) with a Fabric feature workspace per branch: a
// push to feature/JIRA-12345 makes "Sales [FEATURE-feature-JIRA-12345]" on the
// capacity and deploys the branch into it (recorded under feature/feature-JIRA-12345);
// a second push plans nothing; when the pull request closes, destroy deletes the
// workspace and records it destroyed. destroy refuses dev (not a feature environment),
// also when the pull request's own converge.yaml marks dev a feature environment.
constexpr std::string_view kFeatureConfig = R"(version: 1
manifest:
  url: ${MANIFEST_URL}
environments:
  - name: feature
    branch: "feature/**"
    feature: true
  - name: dev
    branch: "dev/**"
targets:
  - name: analytics
    provider: fabric
    settings:
      sources: workspace
      api_url: ${FABRIC_API}
      authority: ${FABRIC_AUTHORITY}
      tenant_id: ${FABRIC_TENANT}
      client_id: ${FABRIC_CLIENT_ID}
      client_secret: ${FABRIC_CLIENT_SECRET}
      parameter_environment: PPE
      item_types: [VariableLibrary, Lakehouse, Eventhouse, Notebook, DataPipeline]
    overrides:
      feature:
        feature_workspace:
          name: "Sales [FEATURE-{branch_slug}]"
          capacity_id: 0f084df7-c13d-451b-af5f-ed0c466403b2
      dev:
        workspace_id: ${DEV_WORKSPACE}
)";

class FabricFeatureWorkspaces : public FabricGitFlow {
 protected:
  void SetUp() override {
    FabricGitFlow::SetUp();
    dir_.write("converge.yaml", kFeatureConfig);
    repo_->commit_all("a feature workspace per feature branch");
    // The branch's own work, so the trusted converge.yaml (the commit before the push)
    // is the one with the feature environment.
    repo_->branch("feature/JIRA-12345");
    repo_->checkout("feature/JIRA-12345");
    dir_.write("NOTES.md", "JIRA-12345: the sales notebook\n");
    repo_->commit_all("JIRA-12345: notes");
  }
  nlohmann::json workspace_named(const std::string& name) {
    const auto state = fabric_.state();
    for (const auto& w : state["workspaces"])
      if (w["displayName"] == name) return w;
    return nullptr;
  }
};

TEST_F(FabricFeatureWorkspaces, ABranchGetsItsWorkspaceUntilItsPullRequestClosesAndOnlyFeatureRuntimesAreDestroyed) {
  const std::string name = "Sales [FEATURE-feature-JIRA-12345]";
  repo_->checkout("feature/JIRA-12345");
  const auto sha = repo_->head_sha();
  auto applied = job({"apply", "--env", "feature"}, "push", runner_.push_event("feature/JIRA-12345", sha),
                     "feature/JIRA-12345");
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  ASSERT_EQ(next_step({"record-manifest", "--env", "feature"}, "push").exit_code, 0);
  const auto made = workspace_named(name);
  ASSERT_FALSE(made.is_null()) << fabric_.state().dump();
  EXPECT_EQ(made["capacityId"], "0f084df7-c13d-451b-af5f-ed0c466403b2");
  EXPECT_FALSE(made["items"].empty());
  EXPECT_NE(made["description"].get<std::string>().find("Deployed by converge: " + sha.substr(0, 12)),
            std::string::npos);

  auto described = job({"describe", "--env", "feature/feature-JIRA-12345", "--json"}, "push",
                       runner_.push_event("feature/JIRA-12345", sha), "feature/JIRA-12345");
  ASSERT_EQ(described.exit_code, 0) << described.out << described.err;
  auto rows = nlohmann::json::parse(described.out)["environments"]["feature/feature-JIRA-12345"];
  ASSERT_EQ(rows.size(), 1u) << described.out;
  EXPECT_EQ(rows[0]["status"], "success");
  EXPECT_EQ(rows[0]["git_sha"], sha);
  auto whole = job({"describe", "--env", "feature"}, "push", runner_.push_event("feature/JIRA-12345", sha),
                   "feature/JIRA-12345");
  EXPECT_EQ(whole.exit_code, 2) << "a feature environment's runtimes are named one by one";

  // A second push plans nothing.
  auto again = job({"plan", "--env", "feature", "--detailed-exitcode"}, "push",
                   runner_.push_event("feature/JIRA-12345", sha), "feature/JIRA-12345");
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;

  // destroy refuses dev: the trusted copy does not mark it a feature environment.
  auto closed = runner_.pull_request_event(7, "main", sha);
  closed["action"] = "closed";
  auto refused = job({"destroy", "--env", "dev"}, "pull_request", closed, "feature/JIRA-12345");
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("is not a feature environment"), std::string::npos) << refused.err;
  // ... also when the pull request's own converge.yaml says it is one.
  std::string forged(kFeatureConfig);
  const std::string dev_branch = "    branch: \"dev/**\"";
  forged.replace(forged.find(dev_branch), dev_branch.size(), dev_branch + "\n    feature: true");
  dir_.write("converge.yaml", forged);
  repo_->commit_all("dev is a feature environment now");
  auto forged_run = runner_.run({"destroy", "--env", "dev", "--branch", "x"}, "pull_request", closed,
                                repo_->head_sha(), secrets());
  EXPECT_EQ(forged_run.exit_code, 1) << forged_run.out << forged_run.err;
  EXPECT_NE(forged_run.err.find("is not a feature environment"), std::string::npos) << forged_run.err;
  EXPECT_FALSE(workspace(0).is_null()) << "the dev workspace is still there";

  // The pull request closes: its head branch's workspace is deleted and recorded.
  auto env = secrets();
  env["GITHUB_HEAD_REF"] = "feature/JIRA-12345";
  auto destroyed = runner_.run({"destroy", "--env", "feature"}, "pull_request", closed, repo_->head_sha(), env);
  ASSERT_EQ(destroyed.exit_code, 0) << destroyed.out << destroyed.err;
  EXPECT_FALSE(shows_secret(destroyed.out + destroyed.err));
  EXPECT_TRUE(workspace_named(name).is_null());
  auto after = job({"describe", "--env", "feature/feature-JIRA-12345", "--json"}, "push",
                   runner_.push_event("feature/JIRA-12345", sha), "feature/JIRA-12345");
  ASSERT_EQ(after.exit_code, 0) << after.out << after.err;
  rows = nlohmann::json::parse(after.out)["environments"]["feature/feature-JIRA-12345"];
  ASSERT_EQ(rows.size(), 1u) << after.out;
  EXPECT_EQ(rows[0]["status"], "destroyed");
  EXPECT_FALSE(runner_.token_leaked());
}

}  // namespace
}  // namespace converge::testing
