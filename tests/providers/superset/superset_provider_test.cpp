// SPDX-License-Identifier: MIT
// The assets provider's superset and preset runtimes (issue #14) against the local
// Superset API (server/), on the real example export of
// ../shared/testdata/superset-assets as the consumer repository: one import for the
// first apply, an empty second plan, a changed chart imported alone with what it
// references, deletions by id and never of a dataset something else uses, drift named by
// who made it and exported back as exactly that edit, Superset's Jinja kept, a refused
// import stopping with Superset's message, logins refreshed and Preset tokens exchanged.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "converge/providers/assets/assets_provider.hpp"
#include "converge/providers/assets/yaml_json.hpp"
#include "converge/util/fs.hpp"
#include "providers/assets/assets_test_support.hpp"
#include "providers/superset/server/superset_server.hpp"
#include "support/temp_dir.hpp"

namespace converge::providers::assets {
namespace {

namespace fs = std::filesystem;
using converge::testing::SupersetServer;
using converge::testing::TempDir;
using nlohmann::json;
using testing::kChartUuid;
using testing::kDashboardUuid;
using testing::kDatabaseUuid;
using testing::kDatasetUuid;

int count_requests(const json& log, const std::string& method, const std::string& path_start) {
  int n = 0;
  for (const auto& entry : log)
    if (entry["method"] == method && entry["path"].get<std::string>().starts_with(path_start)) ++n;
  return n;
}

std::set<std::string> keys_of(const plan::TargetPlan& plan, plan::Action action) {
  std::set<std::string> out;
  for (const auto& c : plan.changes)
    if (c.action == action) out.insert(c.key);
  return out;
}

class SupersetProviderTest : public ::testing::Test {
 protected:
  SupersetServer server;
  TempDir repo;
  int held_out = 0;

  void SetUp() override {
    testing::copy_superset_export(repo.path());
    held_out = testing::stub_held_out_charts(repo);
  }

  json settings(json extra = json::object()) const {
    json s = {{"runtime", "superset"}, {"url", server.url()}, {"username", "admin"}, {"password", "admin"}};
    s.update(extra);
    return s;
  }

  std::unique_ptr<Provider> make(json extra = json::object()) const {
    return testing::provider(repo.path(), "prod", settings(std::move(extra)));
  }

  // compile + plan; fails the test on an error.
  static std::pair<Bundle, plan::TargetPlan> plan_of(Provider& p, const PlanContext& context = {}) {
    auto bundle = p.compile();
    EXPECT_TRUE(bundle) << bundle.error().to_string();
    auto planned = p.plan(*bundle, context);
    EXPECT_TRUE(planned) << planned.error().to_string();
    return {*bundle, *planned};
  }

  // plan and apply; returns the managed keys after it.
  std::set<std::string> deploy(json extra = json::object(), const PlanContext& context = {}) {
    auto p = make(std::move(extra));
    auto [bundle, planned] = plan_of(*p, context);
    auto report = p->apply(bundle, planned);
    EXPECT_TRUE(report) << report.error().to_string();
    EXPECT_TRUE(report->ok()) << report->failed_key << ": " << report->error;
    return {report->managed_keys->begin(), report->managed_keys->end()};
  }

  static PlanContext managed(const std::set<std::string>& keys) {
    PlanContext c;
    c.managed_keys = keys;
    c.managed_known = true;
    return c;
  }

  json asset(const std::string& kind, const std::string& uuid) const { return server.asset(kind, uuid); }

  // The first plan, and its apply with the import's request meeting `fault` once.
  std::pair<plan::TargetPlan, Expected<ApplyReport>> first_apply_with_import_fault(
      converge::testing::SupersetFaultKind fault) {
    auto p = make();
    auto [bundle, planned] = plan_of(*p);
    converge::testing::SupersetFault f;
    f.method = "POST";
    f.path = "/api/v1/assets/import/";
    f.kind = fault;
    server.inject(f);
    auto report = p->apply(bundle, planned);
    return {planned, std::move(report)};
  }
};

TEST_F(SupersetProviderTest, FirstApplyCreatesEverythingThroughOneImportAndASecondPlanIsEmpty) {
  auto p = make();
  auto [bundle, planned] = plan_of(*p);
  EXPECT_EQ(planned.changes.size(), static_cast<std::size_t>(4 + held_out));
  for (const auto& c : planned.changes) EXPECT_EQ(c.action, plan::Action::create) << c.key;
  server.clear_log();
  auto report = p->apply(bundle, planned);
  ASSERT_TRUE(report) << report.error().to_string();
  ASSERT_TRUE(report->ok()) << report->error;
  EXPECT_EQ(report->applied.size(), planned.changes.size());
  EXPECT_EQ(count_requests(server.log(), "POST", "/api/v1/assets/import/"), 1);

  const json state = server.state();
  EXPECT_EQ(state["charts"].size(), static_cast<std::size_t>(1 + held_out));
  EXPECT_EQ(asset("dashboard", kDashboardUuid)["chart_ids"].size(), static_cast<std::size_t>(1 + held_out));
  EXPECT_EQ(asset("chart", kChartUuid)["changed_by"]["username"], "admin");

  // Superset gave everything its own ids (datasource, chartId, filter_scopes keys), yet
  // the runtime equals Git: nothing to do.
  auto again = make();
  auto [bundle2, second] = plan_of(*again, managed({report->managed_keys->begin(), report->managed_keys->end()}));
  EXPECT_TRUE(second.changes.empty()) << second.changes.front().key << ": " << second.changes.front().before.dump()
                                      << " -> " << second.changes.front().after.dump();
  EXPECT_EQ(bundle2.hash, bundle.hash);
}

TEST_F(SupersetProviderTest, AChangedChartIsOneImportOfThatChartWithWhatItReferences) {
  auto managed_keys = deploy();
  const json dashboard_before = asset("dashboard", kDashboardUuid);
  auto path = repo.path() / "assets/charts/Games_per_Genre.yaml";
  auto text = util::read_file(path).value();
  text.replace(text.find("slice_name: Games per Genre"), 27, "slice_name: Games by Genre");
  repo.write("assets/charts/Games_per_Genre.yaml", text);

  auto p = make();
  auto [bundle, planned] = plan_of(*p, managed(managed_keys));
  ASSERT_EQ(planned.changes.size(), 1u);
  EXPECT_EQ(planned.changes[0].action, plan::Action::update);
  EXPECT_EQ(planned.changes[0].key, std::string("charts/") + kChartUuid);
  EXPECT_EQ(planned.changes[0].after, json({{"slice_name", "Games by Genre"}}));
  server.clear_log();
  auto report = p->apply(bundle, planned);
  ASSERT_TRUE(report && report->ok()) << (report ? report->error : report.error().to_string());
  EXPECT_EQ(count_requests(server.log(), "POST", "/api/v1/assets/import/"), 1);
  EXPECT_EQ(asset("chart", kChartUuid)["name"], "Games by Genre");
  // The dashboard was not in the import: it is as it was.
  EXPECT_EQ(asset("dashboard", kDashboardUuid)["changed_on"], dashboard_before["changed_on"]);
  EXPECT_NE(asset("dataset", kDatasetUuid)["changed_on"], dashboard_before["changed_on"]);
}

TEST_F(SupersetProviderTest, AChartDeletedFromGitIsDeletedInSupersetByItsId) {
  const std::string extra_uuid = "5c0b6fa4-2a3e-4f1d-9c55-6e1f2b3a4c5d";
  repo.write("assets/charts/extra.yaml", to_yaml(json{{"slice_name", "Extra"}, {"viz_type", "table"},
                                                      {"params", json::object()}, {"uuid", extra_uuid},
                                                      {"version", "1.0.0"}, {"dataset_uuid", kDatasetUuid}}));
  auto managed_keys = deploy();
  ASSERT_FALSE(asset("chart", extra_uuid).is_null());
  const long long id = asset("chart", extra_uuid)["id"];
  fs::remove(repo.path() / "assets/charts/extra.yaml");

  auto p = make();
  auto [bundle, planned] = plan_of(*p, managed(managed_keys));
  ASSERT_EQ(planned.changes.size(), 1u);
  EXPECT_EQ(planned.changes[0].action, plan::Action::remove);
  server.clear_log();
  auto report = p->apply(bundle, planned);
  ASSERT_TRUE(report && report->ok()) << (report ? report->error : report.error().to_string());
  EXPECT_TRUE(asset("chart", extra_uuid).is_null());
  EXPECT_EQ(count_requests(server.log(), "DELETE", "/api/v1/chart/" + std::to_string(id)), 1);
  EXPECT_EQ(count_requests(server.log(), "POST", "/api/v1/assets/import/"), 0);
  EXPECT_FALSE(std::count(report->managed_keys->begin(), report->managed_keys->end(),
                          std::string("charts/") + extra_uuid));
}

TEST_F(SupersetProviderTest, ADatasetAChartOutsideConvergeStillUsesIsNotDeleted) {
  const std::string second = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  repo.write("assets/datasets/examples/second.yaml",
             to_yaml(json{{"table_name", "second"}, {"uuid", second}, {"database_uuid", kDatabaseUuid},
                          {"version", "1.0.0"}, {"sql", "SELECT 1"}}));
  auto managed_keys = deploy();
  // Someone builds a chart on it in Superset.
  server.seed({{"charts/theirs.yaml", to_yaml(json{{"slice_name", "Theirs"}, {"viz_type", "table"},
                                                   {"params", json::object()},
                                                   {"uuid", "11111111-2222-4333-8444-555555555555"},
                                                   {"version", "1.0.0"}, {"dataset_uuid", second}})},
               {"datasets/examples/second.yaml", to_yaml(json{{"table_name", "second"}, {"uuid", second},
                                                              {"database_uuid", kDatabaseUuid},
                                                              {"version", "1.0.0"}, {"sql", "SELECT 1"}})},
               {"databases/examples.yaml", util::read_file(repo.path() / "assets/databases/examples.yaml").value()}},
              json::object(), "bob");
  fs::remove(repo.path() / "assets/datasets/examples/second.yaml");

  auto p = make();
  auto [bundle, planned] = plan_of(*p, managed(managed_keys));
  EXPECT_TRUE(keys_of(planned, plan::Action::remove).empty());
  bool noted = false;
  for (const auto& n : planned.notes) noted = noted || (n.find("datasets/" + second) != std::string::npos &&
                                                        n.find("Theirs") != std::string::npos);
  EXPECT_TRUE(noted) << json(planned.notes).dump();
}

TEST_F(SupersetProviderTest, AUiEditIsDriftNamingWhoMadeItAndExportsAsExactlyThatEditCreditingThem) {
  auto managed_keys = deploy();
  server.ui_edit("chart", kChartUuid, {{"slice_name", "Games per Genre (treemap)"}}, "alice");

  auto p = make();
  PlanContext context = managed(managed_keys);
  context.drift = true;
  auto [bundle, planned] = plan_of(*p, context);
  ASSERT_EQ(planned.changes.size(), 1u);
  EXPECT_EQ(planned.changes[0].before, json({{"slice_name", "Games per Genre (treemap)"}}));
  ASSERT_EQ(planned.observations.size(), 1u);
  EXPECT_NE(planned.observations[0].find("changed by Alice Analyst"), std::string::npos) << planned.observations[0];

  auto exported = p->export_sources();
  ASSERT_TRUE(exported) << exported.error().to_string();
  ASSERT_EQ(exported->files.size(), 1u) << json(exported->files).dump().substr(0, 300);
  EXPECT_TRUE(exported->removed.empty());
  const std::string file = "assets/charts/Games_per_Genre.yaml";
  ASSERT_TRUE(exported->files.contains(file));
  std::string original = util::read_file(repo.path() / file).value();
  std::string expected = original;
  expected.replace(expected.find("slice_name: Games per Genre\n"), 28, "slice_name: Games per Genre (treemap)\n");
  EXPECT_EQ(exported->files[file], expected);
  ASSERT_EQ(exported->credits.size(), 1u);
  EXPECT_NE(exported->credits[0].find("Alice Analyst"), std::string::npos) << exported->credits[0];
  EXPECT_EQ(exported->co_authors, std::vector<std::string>{"Alice Analyst <alice@example.com>"});

  // The exported file, deployed, is the runtime: nothing to do.
  repo.write(file, exported->files[file]);
  auto after = make();
  auto [b2, replanned] = plan_of(*after, managed(managed_keys));
  EXPECT_TRUE(replanned.changes.empty());
}

TEST_F(SupersetProviderTest, SupersetJinjaInADatasetsSqlSurvivesCompileImportExportAndCompile) {
  // A templated dataset: the environment's schema from env/prod.yaml, and Superset's own
  // Jinja kept literal for Superset to render.
  repo.write("env/prod.yaml", "schema_name: analytics_prod\n");
  repo.write("assets/datasets/examples/filtered.yaml.j2",
             "table_name: filtered\nuuid: 2b3c4d5e-6f70-4182-9394-a5b6c7d8e9f0\ndatabase_uuid: " +
                 std::string(kDatabaseUuid) +
                 "\nversion: 1.0.0\nschema: {{ schema_name }}\nsql: \"SELECT * FROM {{ schema_name }}.sales WHERE "
                 "genre IN {{ '{{' }} filter_values('genre') | where_in }}\"\n");
  auto managed_keys = deploy();
  const json stored = asset("dataset", "2b3c4d5e-6f70-4182-9394-a5b6c7d8e9f0");
  EXPECT_EQ(stored["config"]["sql"],
            "SELECT * FROM analytics_prod.sales WHERE genre IN {{ filter_values('genre') | where_in }}");
  auto p = make();
  auto compiled = p->compile();
  ASSERT_TRUE(compiled);
  // A UI edit of that SQL, Jinja included, exported and compiled again equals Superset.
  server.ui_edit("dataset", "2b3c4d5e-6f70-4182-9394-a5b6c7d8e9f0",
                 {{"sql", "SELECT * FROM analytics_prod.sales WHERE platform IN {{ filter_values('platform') }}"}},
                 "bob");
  auto exported = p->export_sources();
  ASSERT_TRUE(exported) << exported.error().to_string();
  ASSERT_EQ(exported->files.size(), 1u);
  const std::string file = "assets/datasets/examples/filtered.yaml.j2";
  ASSERT_TRUE(exported->files.contains(file));
  EXPECT_NE(exported->files[file].find("{{ schema_name }}.sales"), std::string::npos) << exported->files[file];
  repo.write(file, exported->files[file]);
  auto again = make();
  auto [bundle, planned] = plan_of(*again, managed(managed_keys));
  EXPECT_TRUE(planned.changes.empty()) << planned.changes.front().after.dump();
  // And with nothing edited, the export changes nothing: the bundle stays the same.
  auto none = again->export_sources();
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->files.empty());
  EXPECT_EQ(again->compile()->hash, bundle.hash);
}

TEST_F(SupersetProviderTest, AnImportSupersetRefusesStopsWithItsMessagePerFileAndRecordsNothing) {
  server.configure({{"version", "4.0"}});
  // A cache_timeout Superset's import schema refuses (converge does not check its types).
  auto chart = util::read_file(repo.path() / "assets/charts/Games_per_Genre.yaml").value();
  chart.replace(chart.find("cache_timeout: null"), 19, "cache_timeout: soon");
  repo.write("assets/charts/Games_per_Genre.yaml", chart);
  auto p = make();
  auto [bundle, planned] = plan_of(*p);
  auto report = p->apply(bundle, planned);
  ASSERT_TRUE(report) << report.error().to_string();
  EXPECT_FALSE(report->ok());
  EXPECT_TRUE(report->applied.empty());
  EXPECT_EQ(report->failed_key, planned.changes.front().key);
  EXPECT_NE(report->error.find("Superset refused the import (POST /api/v1/assets/import/: HTTP 422): Error importing "
                               "assets; charts/Games_per_Genre.yaml: {\"cache_timeout\":[\"Not a valid integer.\"]}"),
            std::string::npos)
      << report->error;
  EXPECT_TRUE(report->managed_keys->empty());
  EXPECT_TRUE(server.state()["databases"].empty()) << "one transaction: nothing went in";

  // Superset 4.1 and later say less; converge says what it can.
  server.configure({{"version", "5.0"}});
  auto again = make();
  auto [b2, p2] = plan_of(*again);
  auto generic = again->apply(b2, p2);
  ASSERT_TRUE(generic);
  EXPECT_NE(generic->error.find("HTTP 500): Import failed for an unknown reason"), std::string::npos) << generic->error;
  EXPECT_TRUE(server.state()["charts"].empty());
}

TEST_F(SupersetProviderTest, ANewDatabaseWithAMaskedPasswordNeedsOneAndItTravelsOnlyInThePasswordsField) {
  // The URI as Superset's export writes it: the password masked, and none configured.
  auto db = util::read_file(repo.path() / "assets/databases/examples.yaml").value();
  db.replace(db.find("duckdb:////tmp/examples.db"), 26, "postgresql://superset:XXXXXXXXXX@db:5432/examples");
  repo.write("assets/databases/examples.yaml", db);
  auto p = make();
  auto [bundle, planned] = plan_of(*p);
  ASSERT_EQ(planned.errors.size(), 1u);
  EXPECT_NE(planned.errors[0].find("set passwords.examples"), std::string::npos) << planned.errors[0];
  auto refused = p->apply(bundle, planned);
  ASSERT_FALSE(refused) << "a plan with errors is never applied";
  EXPECT_TRUE(server.log().empty() || count_requests(server.log(), "POST", "/api/v1/assets/import/") == 0);

  // With the password from a secret (one with a '/'), it goes in the import's passwords
  // field, never in a file, the bundle or the plan.
  auto with = make({{"passwords", {{"examples", "s3cr/et-pw"}}}});
  auto [b2, p2] = plan_of(*with);
  EXPECT_TRUE(p2.errors.empty());
  EXPECT_EQ(p2.changes.front().after["sqlalchemy_uri"], "postgresql://superset:XXXXXXXXXX@db:5432/examples");
  EXPECT_EQ(b2.content.dump().find("s3cr/et-pw"), std::string::npos);
  for (const auto& change : p2.changes)
    EXPECT_EQ((change.before.dump() + change.after.dump()).find("s3cr/et-pw"), std::string::npos);
  auto applied = with->apply(b2, p2);
  ASSERT_TRUE(applied && applied->ok()) << (applied ? applied->error : applied.error().to_string());
  EXPECT_EQ(asset("database", kDatabaseUuid)["password"], "s3cr/et-pw");
  EXPECT_EQ(asset("database", kDatabaseUuid)["config"].dump().find("s3cr/et-pw"), std::string::npos);
  // The database exists now: a plan without the password keeps Superset's.
  auto without = make();
  auto [b3, p3] = plan_of(*without, managed({}));
  EXPECT_TRUE(p3.errors.empty());
}

TEST_F(SupersetProviderTest, SinceSuperset41ARefusedImportSaysSoAndConvergeNamesTheFileItselfFirst) {
  // Superset >= 4.1 answers every import failure with a generic 500; converge's compile
  // catches what its schema requires, at the file.
  auto chart = util::read_file(repo.path() / "assets/charts/Games_per_Genre.yaml").value();
  chart.replace(chart.find("viz_type: treemap\nparams"), 17, "viz_type: null");
  repo.write("assets/charts/Games_per_Genre.yaml", chart);
  auto p = make();
  auto bundle = p->compile();
  ASSERT_FALSE(bundle);
  EXPECT_NE(bundle.error().to_string().find("assets/charts/Games_per_Genre.yaml"), std::string::npos)
      << bundle.error().to_string();
  EXPECT_NE(bundle.error().to_string().find("viz_type"), std::string::npos);
}

TEST_F(SupersetProviderTest, AnImportWhoseAnswerIsLostIsCheckedAgainstSupersetNotAssumed) {
  auto [planned, report] = first_apply_with_import_fault(converge::testing::SupersetFaultKind::drop);
  ASSERT_TRUE(report);
  // The server dropped it unprocessed: nothing is there, and nothing is recorded.
  EXPECT_FALSE(report->ok());
  EXPECT_TRUE(report->applied.empty());
  EXPECT_TRUE(server.state()["charts"].empty());
  EXPECT_EQ(count_requests(server.log(), "POST", "/api/v1/assets/import/"), 1);  // never sent twice
}

TEST_F(SupersetProviderTest, AnImportThatRanButWhoseAnswerWasLostIsFoundInSupersetAndRecordedOnce) {
  auto [planned, report] = first_apply_with_import_fault(converge::testing::SupersetFaultKind::drop_after);
  ASSERT_TRUE(report);
  ASSERT_TRUE(report->ok()) << report->error;
  EXPECT_EQ(report->applied.size(), planned.changes.size());
  EXPECT_EQ(report->managed_keys->size(), planned.changes.size());
  ASSERT_EQ(report->warnings.size(), 1u);
  EXPECT_NE(report->warnings[0].find("the import's answer was lost"), std::string::npos) << report->warnings[0];
  EXPECT_EQ(count_requests(server.log(), "POST", "/api/v1/assets/import/"), 1);  // never sent twice
  EXPECT_EQ(server.state()["charts"].size(), static_cast<std::size_t>(1 + held_out));
}

TEST_F(SupersetProviderTest, ExpiredTokensAreRefreshedAndWritesCarryTheCsrfToken) {
  auto p = make();
  auto [bundle, planned] = plan_of(*p);
  server.expire_tokens();
  server.clear_log();
  auto report = p->apply(bundle, planned);
  ASSERT_TRUE(report && report->ok()) << (report ? report->error : report.error().to_string());
  const json log = server.log();
  // Every token expired, the refresh token too: the refresh is refused, a login follows.
  EXPECT_EQ(count_requests(log, "POST", "/api/v1/security/refresh"), 1);
  EXPECT_EQ(count_requests(log, "POST", "/api/v1/security/login"), 1);
  for (const auto& entry : log)
    if (entry["method"] == "POST" && entry["path"] == "/api/v1/assets/import/") {
      EXPECT_TRUE(entry["csrf"].get<bool>());
      EXPECT_TRUE(entry["cookie"].get<bool>());
      EXPECT_EQ(entry["status"], 200);
    }
}

TEST(SupersetProviderTokens, AnExpiredAccessTokenIsRefreshedWithTheRefreshTokenNotALogin) {
  SupersetServer::Options short_lived;
  short_lived.token_lifetime_s = 1;
  SupersetServer server(short_lived);
  TempDir repo;
  testing::copy_superset_export(repo.path());
  testing::stub_held_out_charts(repo);
  auto p = testing::provider(repo.path(), "prod",
                             {{"runtime", "superset"}, {"url", server.url()}, {"username", "bob"}, {"password", "bob-pw"}});
  auto bundle = p->compile();
  ASSERT_TRUE(bundle);
  auto planned = p->plan(*bundle, {});
  ASSERT_TRUE(planned) << planned.error().to_string();
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  server.clear_log();
  auto report = p->apply(*bundle, *planned);
  ASSERT_TRUE(report && report->ok()) << (report ? report->error : report.error().to_string());
  const json log = server.log();
  EXPECT_EQ(count_requests(log, "POST", "/api/v1/security/refresh"), 1);
  EXPECT_EQ(count_requests(log, "POST", "/api/v1/security/login"), 0);
  EXPECT_EQ(server.asset("chart", kChartUuid)["changed_by"]["username"], "bob");
}

TEST_F(SupersetProviderTest, AWrongPasswordIsAClearErrorWithoutThePassword) {
  auto p = make({{"password", "wrong-pw-123"}});
  auto bundle = p->compile();
  ASSERT_TRUE(bundle);
  auto planned = p->plan(*bundle, {});
  ASSERT_FALSE(planned);
  EXPECT_NE(planned.error().message.find("/api/v1/security/login: HTTP 401"), std::string::npos)
      << planned.error().message;
  EXPECT_EQ(planned.error().message.find("wrong-pw-123"), std::string::npos);
}

TEST_F(SupersetProviderTest, APresetTokenIsExchangedForAJwtAndExchangedAgainWhenItExpires) {
  server.preset_token("converge-ci", "preset-secret-1", "alice");
  json preset = {{"runtime", "preset"}, {"url", server.url()}, {"api_url", server.url()},
                 {"api_token", "converge-ci"}, {"api_secret", "preset-secret-1"}};
  auto p = testing::provider(repo.path(), "prod", preset);
  auto [bundle, planned] = plan_of(*p);
  server.expire_tokens();
  auto report = p->apply(bundle, planned);
  ASSERT_TRUE(report && report->ok()) << (report ? report->error : report.error().to_string());
  const json log = server.log();
  EXPECT_EQ(count_requests(log, "POST", "/v1/auth/"), 2);
  EXPECT_EQ(count_requests(log, "GET", "/api/v1/security/csrf_token/"), 0);
  EXPECT_EQ(asset("chart", kChartUuid)["changed_by"]["username"], "alice");
}

TEST_F(SupersetProviderTest, ManagedExternallyMarksAssetsWithTheirFileInGit) {
  json extra = {{"managed_externally", true}, {"external_url", "https://github.com/acme/bi/blob/main/{file}"}};
  auto managed_keys = deploy(extra);
  const json chart = asset("chart", kChartUuid);
  EXPECT_EQ(chart["is_managed_externally"], true);
  EXPECT_EQ(chart["external_url"], "https://github.com/acme/bi/blob/main/assets/charts/Games_per_Genre.yaml");
  auto p = make(extra);
  auto [bundle, planned] = plan_of(*p, managed(managed_keys));
  EXPECT_TRUE(planned.changes.empty());
  // Turned off again, the marks are no drift: converge compares them only where it sets them.
  auto off = make();
  EXPECT_TRUE(plan_of(*off, managed(managed_keys)).second.changes.empty());
}

TEST(SupersetOptions, SettingsErrorsNameTheSetting) {
  TempDir repo;
  auto bad = [&](json settings) {
    auto made = make_provider(testing::spec(repo.path(), "prod", settings));
    return made ? std::string() : made.error().to_string();
  };
  EXPECT_NE(bad({{"runtime", "superset"}, {"username", "a"}}).find("needs setting 'password'"), std::string::npos);
  EXPECT_NE(bad({{"runtime", "preset"}, {"api_token", "a"}}).find("needs setting 'api_secret'"), std::string::npos);
  EXPECT_NE(bad({{"runtime", "superset"}, {"username", "a"}, {"password", "b"}, {"api_token", "c"}})
                .find("'api_token' is for runtime preset"),
            std::string::npos);
  EXPECT_NE(bad({{"runtime", "superset"}, {"username", "a"}, {"password", "b"}, {"kinds", json::object()}})
                .find("kinds"),
            std::string::npos);
  EXPECT_NE(bad({{"runtime", "grafana"}}).find("must be rest, superset or preset"), std::string::npos);
  EXPECT_NE(bad({{"runtime", "superset"}, {"username", "a"}, {"password", "b"}, {"managed_externally", true}})
                .find("external_url"),
            std::string::npos);
}

}  // namespace
}  // namespace converge::providers::assets
