// The assets provider against a real REST server (json-server 0.17.4 on loopback):
// plan, apply, drift, ownership, ordering, failures, secrets and export.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "assets_test_support.hpp"
#include "converge/plan/plan.hpp"
#include "converge/util/fs.hpp"
#include "json_server.hpp"

namespace converge::providers::assets {
namespace {

namespace fs = std::filesystem;
using converge::testing::JsonServer;
using converge::testing::TempDir;
using nlohmann::json;
using namespace testing;

json empty_database() { return JsonServer::empty_bi(); }

std::vector<std::string> keys(const plan::TargetPlan& plan) {
  std::vector<std::string> out;
  for (const auto& c : plan.changes) out.push_back(std::string(plan::to_string(c.action)) + " " + c.key);
  return out;
}

PlanContext context_after(const ApplyReport& report) {
  PlanContext context;
  context.managed_known = report.managed_keys.has_value();
  if (report.managed_keys) context.managed_keys = {report.managed_keys->begin(), report.managed_keys->end()};
  return context;
}

// Lines of the server's request log that start with `method`, without the If-Match part.
std::vector<std::string> requests(const JsonServer& server, const std::string& method) {
  std::vector<std::string> out;
  for (const auto& line : server.log())
    if (line.starts_with(method + " ")) out.push_back(line.substr(0, line.find(" if-match=")));
  return out;
}

json server_item(const JsonServer& server, const std::string& kind, const std::string& uuid) {
  json database = server.database();
  for (const auto& item : database[kind])
    if (item.value("uuid", "") == uuid) return item;
  return nullptr;
}

// One converge run in a fresh process: compile, plan with what the manifest knows,
// apply. Returns the report.
struct Deployment {
  Bundle bundle;
  plan::TargetPlan plan;
  ApplyReport report;
};

Deployment run(const TempDir& repo, const std::string& env, const json& settings, const PlanContext& context) {
  Deployment r;
  auto p = provider(repo.path(), env, settings);
  if (!p) return r;
  auto bundle = p->compile();
  if (!bundle) {
    ADD_FAILURE() << bundle.error().to_string();
    return r;
  }
  r.bundle = *bundle;
  auto planned = p->plan(r.bundle, context);
  if (!planned) {
    ADD_FAILURE() << planned.error().to_string();
    return r;
  }
  r.plan = *planned;
  if (r.plan.changes.empty()) return r;
  auto report = p->apply(r.bundle, r.plan);
  if (!report) {
    ADD_FAILURE() << report.error().to_string();
    return r;
  }
  r.report = *report;
  return r;
}

plan::TargetPlan plan_only(const TempDir& repo, const std::string& env, const json& settings,
                           const PlanContext& context) {
  auto p = provider(repo.path(), env, settings);
  auto bundle = p->compile();
  EXPECT_TRUE(bundle) << bundle.error().to_string();
  auto planned = p->plan(bundle.value(), context);
  EXPECT_TRUE(planned) << planned.error().to_string();
  return planned.value_or(plan::TargetPlan{});
}

class AssetsRuntime : public ::testing::Test {
 protected:
  void SetUp() override {
    copy_superset_export(repo_.path());
    stub_held_out_charts(repo_);
    server_ = std::make_unique<JsonServer>(empty_database());
    settings_ = {{"url", server_->url()}, {"page_size", 3}};
  }

  // The first deployment of the repository; returns what the manifest would record.
  PlanContext deploy() {
    Deployment first = run(repo_, "dev", settings_, PlanContext{});
    EXPECT_TRUE(first.report.ok()) << first.report.error;
    server_->clear_log();
    return context_after(first.report);
  }

  TempDir repo_;
  std::unique_ptr<JsonServer> server_;
  json settings_;
};

TEST_F(AssetsRuntime, PlanApplyPlanIsEmptyAndCreatesRunInDependencyOrder) {
  Deployment first = run(repo_, "dev", settings_, PlanContext{});
  ASSERT_EQ(first.plan.changes.size(), 14u);
  for (const auto& c : first.plan.changes) EXPECT_EQ(c.action, plan::Action::create);
  // Each item is titled as people call it (Superset's names).
  EXPECT_EQ(first.plan.changes.front().title, "examples");
  EXPECT_EQ(first.plan.changes[1].title, "video_game_sales");
  EXPECT_EQ(first.plan.changes.back().title, "Video Game Sales");
  for (const auto& c : first.plan.changes) EXPECT_FALSE(c.title.empty()) << c.key;
  ASSERT_TRUE(first.report.ok()) << first.report.failed_key << ": " << first.report.error;
  EXPECT_EQ(first.report.applied.size(), 14u);
  ASSERT_TRUE(first.report.managed_keys);
  EXPECT_EQ(first.report.managed_keys->size(), 14u);

  std::vector<std::string> posts = requests(*server_, "POST");
  ASSERT_EQ(posts.size(), 14u);
  EXPECT_EQ(posts.front(), "POST /databases");
  EXPECT_EQ(posts[1], "POST /datasets");
  for (std::size_t i = 2; i < 13; ++i) EXPECT_EQ(posts[i], "POST /charts");
  EXPECT_EQ(posts.back(), "POST /dashboards");

  json db = server_->database();
  EXPECT_EQ(db["charts"].size(), 11u);
  EXPECT_EQ(server_item(*server_, "databases", kDatabaseUuid)["sqlalchemy_uri"], "duckdb:////tmp/examples.db");

  // Reading 14 items 3 to a page, the runtime equals Git.
  auto again = plan_only(repo_, "dev", settings_, context_after(first.report));
  EXPECT_TRUE(again.changes.empty()) << ::testing::PrintToString(keys(again));
  EXPECT_TRUE(again.notes.empty()) << ::testing::PrintToString(again.notes);
}

TEST_F(AssetsRuntime, AnEditMadeInTheUiIsDriftOfExactlyThatFieldAndApplyRevertsIt) {
  PlanContext context = deploy();
  json chart = server_item(*server_, "charts", kChartUuid);
  chart["slice_name"] = "Edited in the UI";
  chart["changed_on"] = "2026-11-25T08:00:00";  // server-managed: ignored
  ASSERT_EQ(server_->send("PUT", std::string("/charts/") + kChartUuid, chart), 200);

  Deployment fix = run(repo_, "dev", settings_, context);
  ASSERT_EQ(fix.plan.changes.size(), 1u);
  const auto& change = fix.plan.changes[0];
  EXPECT_EQ(change.action, plan::Action::update);
  EXPECT_EQ(change.key, std::string("charts/") + kChartUuid);
  EXPECT_EQ(change.before, json({{"slice_name", "Edited in the UI"}}));
  EXPECT_EQ(change.after, json({{"slice_name", "Games per Genre"}}));
  EXPECT_EQ(change.title, "Games per Genre") << "the name in Git, where apply takes it";
  ASSERT_TRUE(fix.report.ok()) << fix.report.error;
  EXPECT_EQ(server_item(*server_, "charts", kChartUuid)["slice_name"], "Games per Genre");

  // The item was read again and written with the ETag the server gave.
  auto log = server_->log();  // the UI's PUT, then converge's GET and PUT
  auto put = std::find_if(log.rbegin(), log.rend(), [](const std::string& l) { return l.starts_with("PUT "); });
  ASSERT_NE(put, log.rend());
  EXPECT_NE(put->find("if-match=W/\""), std::string::npos) << *put;

  EXPECT_TRUE(plan_only(repo_, "dev", settings_, context_after(fix.report)).changes.empty());
}

TEST_F(AssetsRuntime, IgnoredServerManagedFieldsNeverShowAsDrift) {
  PlanContext context = deploy();
  json patch = {{"id", 4242}, {"created_on", "2026-01-01"}, {"changed_on", "2026-11-25"},
                {"created_by", {{"id", 1}}}, {"changed_by", {{"id", 2}}}, {"owners", {1, 2}}};
  ASSERT_EQ(server_->send("PATCH", std::string("/charts/") + kChartUuid, patch), 200);
  ASSERT_EQ(server_->send("PATCH", std::string("/dashboards/") + kDashboardUuid, patch), 200);
  auto plan = plan_only(repo_, "dev", settings_, context);
  EXPECT_TRUE(plan.changes.empty()) << ::testing::PrintToString(keys(plan));
}

TEST_F(AssetsRuntime, UpdatesCanBePatchesOfTheDifferingFields) {
  PlanContext context = deploy();
  json chart = server_item(*server_, "charts", kChartUuid);
  chart["viz_type"] = "table";
  chart["added_in_ui"] = "x";
  ASSERT_EQ(server_->send("PUT", std::string("/charts/") + kChartUuid, chart), 200);
  settings_["update_method"] = "PATCH";
  Deployment fix = run(repo_, "dev", settings_, context);
  ASSERT_EQ(fix.plan.changes.size(), 1u);
  EXPECT_EQ(fix.plan.changes[0].after, json({{"added_in_ui", nullptr}, {"viz_type", "treemap"}}));
  ASSERT_TRUE(fix.report.ok()) << fix.report.error;
  EXPECT_EQ(requests(*server_, "PATCH"), std::vector<std::string>{std::string("PATCH /charts/") + kChartUuid});
  EXPECT_EQ(server_item(*server_, "charts", kChartUuid)["viz_type"], "treemap");
}

TEST_F(AssetsRuntime, UnmanagedItemsAreNeverDeletedWithoutPruneAndAreWithIt) {
  PlanContext context = deploy();
  json extra = {{"uuid", "extra-made-in-ui"}, {"slice_name", "Made in the UI"}, {"dataset_uuid", kDatasetUuid}};
  ASSERT_EQ(server_->send("POST", "/charts", extra), 201);

  auto plan = plan_only(repo_, "dev", settings_, context);
  EXPECT_TRUE(plan.changes.empty()) << ::testing::PrintToString(keys(plan));
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_NE(plan.notes[0].find("charts/extra-made-in-ui"), std::string::npos) << plan.notes[0];

  // Nothing recorded yet (first deployment): still left alone.
  EXPECT_TRUE(plan_only(repo_, "dev", settings_, PlanContext{}).changes.empty());

  settings_["prune"] = true;
  Deployment pruned = run(repo_, "dev", settings_, context);
  EXPECT_EQ(keys(pruned.plan), std::vector<std::string>{"delete charts/extra-made-in-ui"});
  ASSERT_TRUE(pruned.report.ok()) << pruned.report.error;
  EXPECT_TRUE(server_item(*server_, "charts", "extra-made-in-ui").is_null());
}

TEST_F(AssetsRuntime, ItemsRemovedFromGitAreDeletedInReverseDependencyOrder) {
  PlanContext context = deploy();
  fs::remove(repo_ / "assets/dashboards/Video_Game_Sales.yaml");
  fs::remove(repo_ / "assets/charts/Games_per_Genre.yaml");

  Deployment removal = run(repo_, "dev", settings_, context);
  EXPECT_EQ(keys(removal.plan), (std::vector<std::string>{std::string("delete dashboards/") + kDashboardUuid,
                                                          std::string("delete charts/") + kChartUuid}));
  EXPECT_EQ(removal.plan.changes[0].title, "Video Game Sales") << "a deleted item's name is the runtime's";
  EXPECT_EQ(removal.plan.changes[1].title, "Games per Genre");
  ASSERT_TRUE(removal.report.ok()) << removal.report.error;
  EXPECT_EQ(requests(*server_, "DELETE"), (std::vector<std::string>{std::string("DELETE /dashboards/") + kDashboardUuid,
                                                                   std::string("DELETE /charts/") + kChartUuid}));
  ASSERT_TRUE(removal.report.managed_keys);
  EXPECT_EQ(removal.report.managed_keys->size(), 12u);
  EXPECT_TRUE(server_->database()["dashboards"].empty());
  EXPECT_TRUE(plan_only(repo_, "dev", settings_, context_after(removal.report)).changes.empty());
}

TEST_F(AssetsRuntime, AFailureMidApplyStopsReportsTheAppliedItemsAndARerunConverges) {
  repo_.write("assets/charts/held_out_5.overrides.yaml", "reject: true\n");  // the server refuses it (422)
  Deployment failed = run(repo_, "dev", settings_, PlanContext{});
  ASSERT_EQ(failed.plan.changes.size(), 14u);
  ASSERT_FALSE(failed.report.ok());
  auto planned = keys(failed.plan);
  auto at = std::find_if(failed.plan.changes.begin(), failed.plan.changes.end(),
                         [&](const plan::Change& c) { return c.key == failed.report.failed_key; });
  ASSERT_NE(at, failed.plan.changes.end());
  auto index = static_cast<std::size_t>(at - failed.plan.changes.begin());
  EXPECT_GT(index, 2u);  // the database and the dataset went first
  std::vector<std::string> before_failure;
  for (std::size_t i = 0; i < index; ++i) before_failure.push_back(failed.plan.changes[i].key);
  EXPECT_EQ(failed.report.applied, before_failure);
  EXPECT_NE(failed.report.error.find("HTTP 422"), std::string::npos) << failed.report.error;
  ASSERT_TRUE(failed.report.managed_keys);
  EXPECT_EQ(failed.report.managed_keys->size(), index);  // exactly what was created
  EXPECT_TRUE(server_->database()["dashboards"].empty());  // nothing after the failure

  fs::remove(repo_ / "assets/charts/held_out_5.overrides.yaml");
  Deployment rerun = run(repo_, "dev", settings_, context_after(failed.report));
  EXPECT_EQ(rerun.plan.changes.size(), 14u - index);
  ASSERT_TRUE(rerun.report.ok()) << rerun.report.error;
  EXPECT_EQ(rerun.report.managed_keys->size(), 14u);
  EXPECT_TRUE(plan_only(repo_, "dev", settings_, context_after(rerun.report)).changes.empty());
}

// Writes an export into the repository as export-to-pr would.
void write_export(const TempDir& repo, const ExportedSources& exported) {
  for (const auto& [path, text] : exported.files) repo.write(path, text);
  for (const auto& path : exported.removed) fs::remove(repo / path);
}

TEST_F(AssetsRuntime, ExportProducesFilesWhoseCompileGivesTheSameBundleHash) {
  Deployment first = run(repo_, "dev", settings_, PlanContext{});
  ASSERT_TRUE(first.report.ok());
  auto exported = provider(repo_.path(), "dev", settings_)->export_sources();
  ASSERT_TRUE(exported) << exported.error().to_string();
  EXPECT_EQ(exported->files.size(), 14u);
  EXPECT_TRUE(exported->removed.empty());
  EXPECT_TRUE(exported->files.contains("assets/datasets/examples/video_game_sales.yaml"));  // paths are kept
  EXPECT_TRUE(exported->files.contains("assets/charts/Games_per_Genre.yaml"));

  TempDir copy;
  fs::copy(repo_.path(), copy.path(), fs::copy_options::recursive);
  write_export(copy, *exported);
  auto recompiled = provider(copy.path(), "dev", settings_)->compile();
  ASSERT_TRUE(recompiled) << recompiled.error().to_string();
  EXPECT_EQ(recompiled->hash, first.bundle.hash);

  // A UI edit comes back as exactly that change in the file; its compile equals the runtime.
  json chart = server_item(*server_, "charts", kChartUuid);
  chart["slice_name"] = "Games per Genre (edited)";
  ASSERT_EQ(server_->send("PUT", std::string("/charts/") + kChartUuid, chart), 200);
  auto edited = provider(copy.path(), "dev", settings_)->export_sources();
  ASSERT_TRUE(edited);
  EXPECT_EQ(edited->files.at("assets/charts/Games_per_Genre.yaml").find("slice_name: Games per Genre (edited)\n") !=
                std::string::npos,
            true);
  write_export(copy, *edited);
  EXPECT_TRUE(plan_only(copy, "dev", settings_, context_after(first.report)).changes.empty());
}

TEST_F(AssetsRuntime, EnvironmentValuesBecomeTemplateVariablesOnExportAndShortValuesDoNot) {
  TempDir repo;
  repo.write("assets/databases/main.yaml.j2",
             "database_name: sales-{{ env_name }}\n"
             "sqlalchemy_uri: postgresql://bi@{{ db_host }}/sales\n"
             "uuid: db-main\n"
             "extra:\n  region: {{ region }}\n  note: 'use {{ '{{' }} ds }} in SQL'\n");
  repo.write("env/prod.yaml", "env_name: production\ndb_host: db.prod.internal\nregion: eu\n");
  repo.write("env/stage.yaml", "env_name: staging\ndb_host: db.stage.internal\nregion: us\n");
  Deployment first = run(repo, "prod", settings_, PlanContext{});
  ASSERT_TRUE(first.report.ok()) << first.report.error;
  json made_in_ui = {{"uuid", "db-ui"}, {"database_name", "scratch on db.prod.internal"},
                     {"sqlalchemy_uri", "postgresql://bi@db.prod.internal/scratch"}};
  ASSERT_EQ(server_->send("POST", "/databases", made_in_ui), 201);
  ASSERT_EQ(server_->send("POST", "/databases", {{"uuid", "db-plain"}, {"database_name", "eu"}}), 201);

  auto exported = provider(repo.path(), "prod", settings_)->export_sources();
  ASSERT_TRUE(exported) << exported.error().to_string();
  const std::string& main = exported->files.at("assets/databases/main.yaml.j2");
  EXPECT_NE(main.find("\"postgresql://bi@{{ db_host }}/sales\""), std::string::npos) << main;
  EXPECT_NE(main.find("\"sales-{{ env_name }}\""), std::string::npos) << main;
  EXPECT_NE(main.find("region: eu\n"), std::string::npos) << main;  // too short to be a variable
  EXPECT_EQ(main.find("{{ region }}"), std::string::npos) << main;
  ASSERT_TRUE(exported->files.contains("assets/databases/db-ui.yaml.j2"));
  EXPECT_NE(exported->files.at("assets/databases/db-ui.yaml.j2").find("scratch on {{ db_host }}"), std::string::npos);
  EXPECT_TRUE(exported->files.contains("assets/databases/db-plain.yaml"));  // nothing to substitute: literal

  write_export(repo, *exported);
  auto prod = provider(repo.path(), "prod", settings_)->compile();
  ASSERT_TRUE(prod) << prod.error().to_string();
  EXPECT_EQ(prod->content["items"]["databases"]["db-ui"], made_in_ui);
  EXPECT_EQ(prod->content["items"]["databases"]["db-main"], first.bundle.content["items"]["databases"]["db-main"]);
  auto stage = provider(repo.path(), "stage", settings_)->compile();
  ASSERT_TRUE(stage) << stage.error().to_string();
  EXPECT_EQ(stage->content["items"]["databases"]["db-ui"]["sqlalchemy_uri"], "postgresql://bi@db.stage.internal/scratch");
  EXPECT_EQ(stage->content["items"]["databases"]["db-main"]["extra"]["note"], "use {{ ds }} in SQL");
}

TEST_F(AssetsRuntime, SecretsReachTheRuntimeOnlyAtApplyAndNeverAPlanOrAnExport) {
  TempDir repo;
  repo.write("assets/databases/db.yaml.j2", "database_name: db\nuuid: db-1\nsqlalchemy_uri: {{ db_uri }}\n");
  repo.write("env/dev.yaml", "db_uri: postgresql://bi:${BI_TEST_PASSWORD}@db.dev/sales\n");
  settings_["secrets"] = {"BI_TEST_PASSWORD"};
  setenv("BI_TEST_PASSWORD", "s3cret-value", 1);
  Deployment first = run(repo, "dev", settings_, PlanContext{});
  ASSERT_TRUE(first.report.ok()) << first.report.error;
  EXPECT_EQ(server_item(*server_, "databases", "db-1")["sqlalchemy_uri"], "postgresql://bi:s3cret-value@db.dev/sales");
  EXPECT_EQ(plan::to_json(plan::Plan{"dev", "", {first.plan}}).dump().find("s3cret"), std::string::npos);
  EXPECT_TRUE(plan_only(repo, "dev", settings_, context_after(first.report)).changes.empty());

  json db = server_item(*server_, "databases", "db-1");
  db["sqlalchemy_uri"] = "postgresql://bi:typed-in-ui@db.other/sales";
  ASSERT_EQ(server_->send("PUT", "/databases/db-1", db), 200);
  auto drift = plan_only(repo, "dev", settings_, context_after(first.report));
  ASSERT_EQ(drift.changes.size(), 1u);
  EXPECT_EQ(drift.changes[0].before, json({{"sqlalchemy_uri", "(hidden: secret BI_TEST_PASSWORD)"}}));
  auto exported = provider(repo.path(), "dev", settings_)->export_sources();
  ASSERT_TRUE(exported);
  const std::string& text = exported->files.at("assets/databases/db.yaml.j2");
  EXPECT_NE(text.find("{{ db_uri }}"), std::string::npos) << text;
  EXPECT_EQ(text.find("typed-in-ui"), std::string::npos) << text;

  unsetenv("BI_TEST_PASSWORD");
  Deployment missing = run(repo, "dev", settings_, context_after(first.report));
  EXPECT_FALSE(missing.report.ok());
  EXPECT_NE(missing.report.error.find("secret BI_TEST_PASSWORD is not set"), std::string::npos) << missing.report.error;
}

TEST_F(AssetsRuntime, AnItemChangedBetweenPlanAndApplyIsNotOverwritten) {
  PlanContext context = deploy();
  json chart = server_item(*server_, "charts", kChartUuid);
  chart["slice_name"] = "first edit";
  ASSERT_EQ(server_->send("PUT", std::string("/charts/") + kChartUuid, chart), 200);
  auto p = provider(repo_.path(), "dev", settings_);
  auto bundle = p->compile().value();
  auto planned = p->plan(bundle, context).value();
  chart["slice_name"] = "second edit";
  ASSERT_EQ(server_->send("PUT", std::string("/charts/") + kChartUuid, chart), 200);
  auto report = p->apply(bundle, planned).value();
  EXPECT_FALSE(report.ok());
  EXPECT_NE(report.error.find("changed in the runtime since the plan"), std::string::npos) << report.error;
  EXPECT_EQ(server_item(*server_, "charts", kChartUuid)["slice_name"], "second edit");
}

TEST_F(AssetsRuntime, AnUnreachableRuntimeIsAnErrorFromPlan) {
  json settings = {{"url", "http://127.0.0.1:9"}};
  auto p = provider(repo_.path(), "dev", settings);
  auto planned = p->plan(p->compile().value(), PlanContext{});
  ASSERT_FALSE(planned);
  EXPECT_EQ(planned.error().code, ExitCode::failure);
}

}  // namespace
}  // namespace converge::providers::assets
