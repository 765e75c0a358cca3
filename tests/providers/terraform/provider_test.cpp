// The terraform provider against the stand-in CLI (fake_terraform.cpp), which keeps real
// state: plan → apply → an empty plan, updates and deletions, sensitive values kept out of
// every rendering, the sealed plan file between a plan job and its apply (used, refused
// when altered or sealed with another key, replaced by a new plan when made for another
// configuration), a stale plan refused by the binary with nothing recorded, the binary's
// own messages (a held state lock names its holder), timeouts and credentials.
#include <gtest/gtest.h>

#include <fstream>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "converge/plan/plan.hpp"
#include "converge/plan/render.hpp"
#include "converge/providers/terraform/cli.hpp"
#include "converge/providers/terraform/plan_json.hpp"
#include "converge/providers/terraform/saved_plan.hpp"
#include "converge/providers/terraform/terraform_provider.hpp"
#include "converge/util/fs.hpp"
#include "support/temp_dir.hpp"

namespace converge::providers::terraform {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kCanary = "canary-Pa55/word+that=must-never-show";

class TerraformProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("FAKE_TF_LOG", (tmp_ / "calls.log").c_str(), 1);
    for (const char* name : {"FAKE_TF_FAIL", "FAKE_TF_SLEEP", "FAKE_TF_REQUIRE_ENV", "FAKE_TF_SHOW"}) ::unsetenv(name);
    write_config("small");
    repo_.write("envs/dev.tfvars", std::string("db_password = \"") + kCanary + "\"\n");
  }

  // The root module: two resources, one from a sensitive variable, and an output.
  void write_config(const std::string& size, bool with_cache = true, bool ignore_tags = false) {
    json resources = {{"fake_server", {{"web", {{"size", size}, {"tags", {{"team", "data"}, {"tier", "web"}}}}}}},
                      {"fake_database", {{"main", {{"engine", "postgres"}, {"admin_password", "${var.db_password}"}}}}}};
    if (with_cache) resources["fake_cache"] = {{"hot", {{"nodes", 2}}}};
    if (ignore_tags) resources["fake_server"]["web"]["lifecycle"] = {{"ignore_changes", {"tags"}}};
    json root = {{"variable", {{"db_password", {{"sensitive", true}}}}},
                 {"resource", resources},
                 {"output", {{"endpoint", {{"value", "https://web-" + size + ".example.test"}}},
                             {"password", {{"value", "${var.db_password}"}, {"sensitive", true}}}}}};
    repo_.write("infra/main.tf.json", root.dump(2));
  }

  json settings(json extra = json::object()) {
    json s = {{"root", "infra"}, {"binary", FAKE_TERRAFORM}, {"var_files", {"envs/dev.tfvars"}},
              {"backend_config", {"path=" + (tmp_ / "state" / "terraform.tfstate").string()}}};
    for (auto& [k, v] : extra.items()) s[k] = v;
    return s;
  }

  std::unique_ptr<Provider> provider(const json& s) {
    config::Settings cs(SourceLocation{"converge.yaml", 3, 5});
    int line = 4;
    for (auto& [k, v] : s.items()) cs.set(k, config::Setting{v, SourceLocation{"converge.yaml", line++, 10}, false});
    auto p = make_provider(TargetSpec{"infra", "dev", repo_.path(), std::move(cs)});
    EXPECT_TRUE(p) << p.error().to_string();
    return p ? std::move(*p) : nullptr;
  }

  struct Planned {
    Bundle bundle;
    plan::TargetPlan plan;
  };
  Expected<Planned> plan(Provider& p, bool preview = false) {
    auto bundle = p.compile();
    if (!bundle) return fail(bundle.error());
    PlanContext context;
    context.preview = preview;
    context.apply = !preview;
    auto planned = p.plan(*bundle, context);
    if (!planned) return fail(planned.error());
    return Planned{*bundle, *planned};
  }

  void apply_all(const json& s) {
    auto p = provider(s);
    auto planned = plan(*p);
    ASSERT_TRUE(planned) << planned.error().to_string();
    auto report = p->apply(planned->bundle, planned->plan);
    ASSERT_TRUE(report) << report.error().to_string();
    ASSERT_TRUE(report->ok()) << report->error;
  }

  std::string log() { return util::read_file(tmp_ / "calls.log").value_or(""); }

  // The remote objects as the stand-in keeps them (changed here "outside Terraform").
  fs::path cloud_file() const { return tmp_ / "state" / "terraform.tfstate.cloud.json"; }
  json cloud() const { return json::parse(*util::read_file(cloud_file())); }
  json state() const { return json::parse(*util::read_file(tmp_ / "state" / "terraform.tfstate")); }

  // The target's plan as drift-verify makes it.
  Expected<Planned> drift(Provider& p) {
    auto bundle = p.compile();
    if (!bundle) return fail(bundle.error());
    PlanContext context;
    context.drift = true;
    auto planned = p.plan(*bundle, context);
    if (!planned) return fail(planned.error());
    return Planned{*bundle, *planned};
  }

  static std::string rendered(const plan::TargetPlan& target) {
    plan::Plan p;
    p.environment = "dev";
    p.targets.push_back(target);
    return plan::render_text(p) + plan::render_markdown(p) + plan::to_json(p).dump();
  }

  static const plan::Change* find(const plan::TargetPlan& t, const std::string& key) {
    for (const auto& c : t.changes)
      if (c.key == key) return &c;
    return nullptr;
  }

  converge::testing::TempDir repo_, tmp_;
};

TEST_F(TerraformProviderTest, PlanCreatesApplyMakesItAndTheNextPlanIsEmpty) {
  auto p = provider(settings());
  auto first = plan(*p);
  ASSERT_TRUE(first) << first.error().to_string();
  ASSERT_NE(find(first->plan, "fake_server.web"), nullptr);
  EXPECT_EQ(find(first->plan, "fake_server.web")->action, plan::Action::create);
  EXPECT_EQ(plan::count(first->plan).create, 5) << "three resources and two outputs";
  auto report = p->apply(first->bundle, first->plan);
  ASSERT_TRUE(report) << report.error().to_string();
  EXPECT_TRUE(report->ok()) << report->error;
  EXPECT_EQ(report->applied.size(), 5u);

  auto again = plan(*provider(settings()));
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_TRUE(again->plan.changes.empty()) << rendered(again->plan);
}

TEST_F(TerraformProviderTest, AChangedAttributeIsAnUpdateShownAttributeByAttributeAndARemovedResourceADeletion) {
  apply_all(settings());
  write_config("large", /*with_cache=*/false);
  auto p = provider(settings());
  auto planned = plan(*p);
  ASSERT_TRUE(planned) << planned.error().to_string();
  const auto* web = find(planned->plan, "fake_server.web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->action, plan::Action::update);
  const std::string diff = plan::change_diff(*web);
  EXPECT_NE(diff.find("-size: small"), std::string::npos) << diff;
  EXPECT_NE(diff.find("+size: large"), std::string::npos) << diff;
  EXPECT_EQ(diff.find("team"), diff.rfind("team")) << "unchanged attributes are context, not changes: " << diff;
  const auto* cache = find(planned->plan, "fake_cache.hot");
  ASSERT_NE(cache, nullptr);
  EXPECT_EQ(cache->action, plan::Action::remove);
  EXPECT_EQ(planned->plan.changes.front().key, "fake_cache.hot") << "deletions come first";
  EXPECT_EQ(find(planned->plan, "fake_database.main"), nullptr) << "no-ops are hidden";
}

TEST_F(TerraformProviderTest, SensitiveValuesNeverShowInAnyRenderingOfThePlan) {
  auto planned = plan(*provider(settings()));
  ASSERT_TRUE(planned) << planned.error().to_string();
  const std::string all = rendered(planned->plan);
  EXPECT_EQ(all.find(kCanary), std::string::npos);
  EXPECT_NE(all.find("(sensitive)"), std::string::npos) << all;
  EXPECT_NE(all.find("(known after apply)"), std::string::npos) << all;
}

TEST_F(TerraformProviderTest, ThePlanHashIgnoresTheTimestampOfEachPlan) {
  auto a = plan(*provider(settings()));
  sleep(1);  // the stand-in's plan timestamp has one-second resolution
  auto b = plan(*provider(settings()));
  ASSERT_TRUE(a && b);
  plan::Plan pa, pb;
  pa.targets = {a->plan};
  pb.targets = {b->plan};
  EXPECT_EQ(plan::hash(pa), plan::hash(pb));
}

TEST_F(TerraformProviderTest, ThePlanJobSealsItsPlanFileAndTheApplyAppliesExactlyThatFile) {
  const json s = settings({{"plan_key", "k3y/with+slash"}, {"plan_dir", (tmp_ / "plans").string()}});
  auto job = plan(*provider(s), /*preview=*/true);
  ASSERT_TRUE(job) << job.error().to_string();
  const fs::path sealed = tmp_ / "plans" / "dev" / "infra.tfplan.sealed";
  auto bytes = util::read_file(sealed);
  ASSERT_TRUE(bytes) << "the plan job saved its plan file";
  EXPECT_EQ(bytes->find(kCanary), std::string::npos) << "the plan file holds the password in clear; sealed, it does not";
  EXPECT_EQ(bytes->find("fake_tfplan"), std::string::npos);

  auto p = provider(s);
  auto applying = plan(*p);
  ASSERT_TRUE(applying) << applying.error().to_string();
  plan::Plan reviewed, applied;
  reviewed.targets = {job->plan};
  applied.targets = {applying->plan};
  EXPECT_EQ(plan::hash(reviewed), plan::hash(applied));
  EXPECT_EQ(applying->plan.notes, job->plan.notes) << "the comment re-rendered at apply reads the same";
  auto report = p->apply(applying->bundle, applying->plan);
  ASSERT_TRUE(report && report->ok());
  ASSERT_EQ(report->notes.size(), 1u);
  EXPECT_NE(report->notes.front().find("applied the sealed plan file of the plan job"), std::string::npos);
  EXPECT_NE(log().find("saved.tfplan"), std::string::npos) << "apply ran on the saved file: " << log();
  EXPECT_FALSE(fs::exists(sealed)) << "a plan file applies once";
}

TEST_F(TerraformProviderTest, WithoutPlanDirTheSealedPlanGoesToDotConvergePlans) {
  ASSERT_TRUE(plan(*provider(settings({{"plan_key", "key"}})), true));
  EXPECT_TRUE(fs::exists(repo_.path() / ".converge" / "plans" / "dev" / "infra.tfplan.sealed"))
      << "where the reusable workflows upload it from";
}

TEST_F(TerraformProviderTest, DriftAndPlansNeverUseASavedPlanOnlyAnApplyDoes) {
  const json s = settings({{"plan_key", "key"}, {"plan_dir", (tmp_ / "plans").string()}});
  ASSERT_TRUE(plan(*provider(s), /*preview=*/true));
  apply_all(settings());  // the runtime moved on: the saved plan is stale
  auto p = provider(s);
  auto bundle = p->compile();
  ASSERT_TRUE(bundle);
  auto drift = p->plan(*bundle, PlanContext{});  // drift-verify: neither preview nor apply
  ASSERT_TRUE(drift) << drift.error().to_string();
  EXPECT_TRUE(drift->changes.empty()) << "drift sees the runtime as it is now, not the saved plan";
  EXPECT_EQ(log().find("saved.tfplan"), std::string::npos);
}

// An attribute under ignore_changes edited outside Terraform: no plan would undo it, so a
// normal plan shows it only as a note; drift counts it (the refresh-only plan), and
// drift --apply records it in the state, after which the check is clean.
TEST_F(TerraformProviderTest, DriftCountsWhatChangedOutsideTerraformThatNoPlanUndoesAndApplyRecordsIt) {
  write_config("small", true, /*ignore_tags=*/true);
  apply_all(settings());
  json edited = cloud();
  edited["fake_server.web"]["tags"]["team"] = "ops";
  ASSERT_TRUE(util::write_file_atomic(cloud_file(), edited.dump()));

  auto normal = plan(*provider(settings()));
  ASSERT_TRUE(normal) << normal.error().to_string();
  EXPECT_TRUE(normal->plan.changes.empty()) << "ignore_changes: nothing to undo";
  EXPECT_EQ(normal->plan.observations,
            (std::vector<std::string>{"changed outside Terraform: fake_server.web (tags.team)"}));
  EXPECT_EQ(log().find("-refresh-only"), std::string::npos) << "only a drift check plans the refresh";

  auto p = provider(settings());
  auto found = drift(*p);
  ASSERT_TRUE(found) << found.error().to_string();
  ASSERT_EQ(found->plan.changes.size(), 1u) << rendered(found->plan);
  const auto& c = found->plan.changes[0];
  EXPECT_EQ(c.key, "fake_server.web");
  EXPECT_EQ(c.action, plan::Action::update);
  EXPECT_EQ(c.kind, "resource (changed outside Terraform)");
  EXPECT_EQ(c.title, "changed: tags.team");
  EXPECT_EQ(c.before["tags"]["team"], "data");
  EXPECT_EQ(c.after["tags"]["team"], "ops");
  EXPECT_TRUE(found->plan.observations.empty()) << "said once, as the change";
  EXPECT_NE(log().find("plan -input=false -no-color -detailed-exitcode -out="), std::string::npos);
  EXPECT_NE(log().find("-refresh-only"), std::string::npos);
  EXPECT_EQ(rendered(found->plan).find(kCanary), std::string::npos);

  auto report = p->apply(found->bundle, found->plan);
  ASSERT_TRUE(report) << report.error().to_string();
  ASSERT_TRUE(report->ok()) << report->error;
  EXPECT_EQ(report->applied, (std::vector<std::string>{"fake_server.web"}));
  ASSERT_EQ(report->notes.size(), 1u);
  EXPECT_NE(report->notes[0].find("refresh-only"), std::string::npos) << report->notes[0];
  EXPECT_EQ(state()["resources"]["fake_server.web"]["values"]["tags"]["team"], "ops") << "recorded, not undone";
  EXPECT_EQ(cloud()["fake_server.web"]["tags"]["team"], "ops");

  auto again = drift(*provider(settings()));
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_TRUE(again->plan.changes.empty()) << rendered(again->plan);
}

// An attribute the configuration sets, edited outside Terraform: the normal plan undoes
// it, and drift shows that change once (not again as "changed outside Terraform").
TEST_F(TerraformProviderTest, DriftThatThePlanUndoesIsTheNormalChangeAndApplyPutsItBack) {
  apply_all(settings());
  json edited = cloud();
  edited["fake_server.web"]["size"] = "t3.nano";
  ASSERT_TRUE(util::write_file_atomic(cloud_file(), edited.dump()));
  auto p = provider(settings());
  auto found = drift(*p);
  ASSERT_TRUE(found) << found.error().to_string();
  ASSERT_EQ(found->plan.changes.size(), 1u) << rendered(found->plan);
  EXPECT_EQ(found->plan.changes[0].kind, "resource");
  EXPECT_EQ(found->plan.changes[0].before["size"], "t3.nano");
  EXPECT_EQ(found->plan.changes[0].after["size"], "small");
  EXPECT_EQ(found->plan.observations, (std::vector<std::string>{"changed outside Terraform: fake_server.web (size)"}))
      << "why the change is there";
  auto report = p->apply(found->bundle, found->plan);
  ASSERT_TRUE(report && report->ok());
  EXPECT_TRUE(report->notes.empty()) << "the normal plan was applied";
  EXPECT_EQ(cloud()["fake_server.web"]["size"], "small") << "put back";
  auto again = drift(*provider(settings()));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->plan.changes.empty()) << rendered(again->plan);
}

// An object deleted outside Terraform that Git removed too: no plan deletes it again; drift
// names it, and --apply removes it from the state.
TEST_F(TerraformProviderTest, AnObjectDeletedOutsideTerraformThatGitRemovedIsDriftUntilTheStateForgetsIt) {
  apply_all(settings());
  json edited = cloud();
  edited.erase("fake_cache.hot");
  ASSERT_TRUE(util::write_file_atomic(cloud_file(), edited.dump()));
  write_config("small", /*with_cache=*/false);
  auto p = provider(settings());
  auto found = drift(*p);
  ASSERT_TRUE(found) << found.error().to_string();
  ASSERT_EQ(found->plan.changes.size(), 1u) << rendered(found->plan);
  EXPECT_EQ(found->plan.changes[0].key, "fake_cache.hot");
  EXPECT_EQ(found->plan.changes[0].action, plan::Action::remove);
  EXPECT_EQ(found->plan.changes[0].kind, "resource (deleted outside Terraform)");
  auto report = p->apply(found->bundle, found->plan);
  ASSERT_TRUE(report && report->ok());
  EXPECT_FALSE(state()["resources"].contains("fake_cache.hot"));
  auto again = drift(*provider(settings()));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->plan.changes.empty()) << rendered(again->plan);
}

// The real plans of ../shared/testdata, answered by `show -json` through the CLI: the
// provider's plan is exactly what the reader makes of the file, nothing lost or added
// on the way, and nothing marked sensitive in it shows.
TEST_F(TerraformProviderTest, ThePlansRecordedFromTerraformComeThroughTheCliAsTheReaderReadsThem) {
  const fs::path plans = fs::path(CONVERGE_SHARED_TESTDATA) / "terraform-plans";
  int read = 0;
  for (const auto& entry : fs::recursive_directory_iterator(plans)) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    ::setenv("FAKE_TF_SHOW", entry.path().c_str(), 1);
    auto through_cli = plan(*provider(settings()));
    ASSERT_TRUE(through_cli) << through_cli.error().to_string();
    auto direct = read_plan(*util::read_file(entry.path()), "recorded");
    ASSERT_TRUE(direct) << direct.error().to_string();
    const auto expected = target_plan(std::move(*direct), "infra");
    EXPECT_EQ(through_cli->plan.changes, expected.changes);
    EXPECT_EQ(through_cli->plan.notes, expected.notes);
    EXPECT_EQ(through_cli->plan.observations, expected.observations);
    EXPECT_EQ(through_cli->plan.errors, expected.errors);
    ++read;
  }
  EXPECT_GE(read, 8) << "the eight recorded plans";
}

TEST_F(TerraformProviderTest, AnAlteredSealedPlanOrAnotherKeyIsRefused) {
  const json s = settings({{"plan_key", "right-key"}, {"plan_dir", (tmp_ / "plans").string()}});
  ASSERT_TRUE(plan(*provider(s), true));
  const fs::path sealed = tmp_ / "plans" / "dev" / "infra.tfplan.sealed";
  const std::string original = *util::read_file(sealed);

  auto wrong_key = plan(*provider(settings({{"plan_key", "wrong-key"}, {"plan_dir", (tmp_ / "plans").string()}})));
  ASSERT_FALSE(wrong_key);
  EXPECT_EQ(wrong_key.error().code, ExitCode::refused);
  EXPECT_NE(wrong_key.error().message.find("plan_key differs"), std::string::npos) << wrong_key.error().message;

  std::string flipped = original;
  flipped[flipped.size() - 40] ^= 0x20;
  ASSERT_TRUE(util::write_file_atomic(sealed, flipped));
  auto altered = plan(*provider(s));
  ASSERT_FALSE(altered);
  EXPECT_EQ(altered.error().code, ExitCode::refused);

  // The header is in clear: pointing it at another configuration is caught by the tag.
  std::string header = original;
  header.replace(header.find("\"configuration_hash\":\"") + 22, 4, "0000");
  ASSERT_TRUE(util::write_file_atomic(sealed, header));
  auto rebound = plan(*provider(s));
  ASSERT_FALSE(rebound);
  EXPECT_EQ(rebound.error().code, ExitCode::refused);
}

TEST_F(TerraformProviderTest, ASavedPlanOfAnotherConfigurationIsNotUsedTheApplyPlansAgain) {
  const json s = settings({{"plan_key", "key"}, {"plan_dir", (tmp_ / "plans").string()}});
  auto job = plan(*provider(s), true);
  ASSERT_TRUE(job);
  write_config("large");
  auto p = provider(s);
  auto applying = plan(*p);
  ASSERT_TRUE(applying) << applying.error().to_string();
  EXPECT_EQ(log().find("saved.tfplan"), std::string::npos) << "the sealed file was not opened by the binary";
  auto report = p->apply(applying->bundle, applying->plan);
  ASSERT_TRUE(report && report->ok());
  ASSERT_EQ(report->notes.size(), 1u);
  EXPECT_NE(report->notes.front().find("made for another configuration"), std::string::npos);
  plan::Plan a, b;
  a.targets = {job->plan};
  b.targets = {applying->plan};
  EXPECT_NE(plan::hash(a), plan::hash(b)) << "the step refuses: the new plan's hash is not the approved one";
}

TEST_F(TerraformProviderTest, AStalePlanFileIsRefusedByTheBinaryAndNothingIsReportedApplied) {
  const json s = settings({{"plan_key", "key"}, {"plan_dir", (tmp_ / "plans").string()}});
  ASSERT_TRUE(plan(*provider(s), true));
  apply_all(settings());  // another run changed the state after the plan job
  auto p = provider(s);
  auto applying = plan(*p);
  ASSERT_TRUE(applying) << applying.error().to_string();
  auto report = p->apply(applying->bundle, applying->plan);
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok());
  EXPECT_TRUE(report->applied.empty());
  EXPECT_NE(report->error.find("Saved plan is stale"), std::string::npos) << report->error;
}

TEST_F(TerraformProviderTest, ApplyRefusesChangesThatAreNotThoseOfItsPlanFile) {
  auto p = provider(settings());
  auto planned = plan(*p);
  ASSERT_TRUE(planned);
  auto edited = planned->plan;
  edited.changes.pop_back();
  auto report = p->apply(planned->bundle, edited);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ExitCode::refused);
  EXPECT_EQ(log().find(" apply "), std::string::npos) << "the binary's apply never ran";
}

TEST_F(TerraformProviderTest, AHeldStateLockNamesWhoHoldsIt) {
  fs::create_directories(tmp_ / "state");
  std::ofstream(tmp_ / "state" / ".terraform.tfstate.lock.info")
      << R"({"ID":"7e1c-lock","Operation":"OperationTypeApply","Who":"alice@build-7","Created":"2026-12-06T01:00:00Z"})";
  auto planned = plan(*provider(settings()));
  ASSERT_FALSE(planned);
  EXPECT_EQ(planned.error().code, ExitCode::failure);
  EXPECT_NE(planned.error().message.find("locked by alice@build-7"), std::string::npos) << planned.error().message;
  EXPECT_NE(planned.error().message.find("7e1c-lock"), std::string::npos) << planned.error().message;
}

TEST_F(TerraformProviderTest, TheBinarysOwnMessageIsTheError) {
  ::setenv("FAKE_TF_FAIL", "init", 1);
  auto init = plan(*provider(settings()));
  ASSERT_FALSE(init);
  EXPECT_EQ(init.error().code, ExitCode::failure);
  EXPECT_NE(init.error().message.find("init failed"), std::string::npos) << init.error().message;
  EXPECT_NE(init.error().message.find("Failed to query available provider packages"), std::string::npos);
  ::setenv("FAKE_TF_FAIL", "plan", 1);
  auto planned = plan(*provider(settings()));
  ASSERT_FALSE(planned);
  EXPECT_NE(planned.error().message.find("AccessDenied"), std::string::npos) << planned.error().message;
  ::unsetenv("FAKE_TF_FAIL");

  auto missing = plan(*provider(settings({{"binary", (tmp_ / "no-such-terraform").string()}})));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ExitCode::failure);
  EXPECT_NE(missing.error().message.find("cannot run"), std::string::npos) << missing.error().message;
}

TEST_F(TerraformProviderTest, ARelativeBinaryIsTheRepositorysNotTheCurrentFolders) {
  fs::create_directories(repo_.path() / ".converge" / "bin");
  fs::create_symlink(FAKE_TERRAFORM, repo_.path() / ".converge" / "bin" / "terraform");
  auto planned = plan(*provider(settings({{"binary", ".converge/bin/terraform"}})));
  ASSERT_TRUE(planned) << planned.error().to_string();
  EXPECT_FALSE(planned->plan.changes.empty());
}

TEST_F(TerraformProviderTest, ARunOverItsTimeoutIsStopped) {
  ::setenv("FAKE_TF_SLEEP", "5", 1);
  auto planned = plan(*provider(settings({{"timeout", "1s"}})));
  ::unsetenv("FAKE_TF_SLEEP");
  ASSERT_FALSE(planned);
  EXPECT_NE(planned.error().message.find("timed out"), std::string::npos) << planned.error().message;
}

TEST_F(TerraformProviderTest, CredentialsGoInTheEnvironmentNeverTheArguments) {
  ::setenv("FAKE_TF_REQUIRE_ENV", "FAKE_CLOUD_SECRET", 1);
  auto without = plan(*provider(settings()));
  ASSERT_FALSE(without);
  EXPECT_NE(without.error().message.find("No valid credential sources found"), std::string::npos);
  auto with = plan(*provider(settings({{"env", {{"FAKE_CLOUD_SECRET", kCanary}}}})));
  ASSERT_TRUE(with) << with.error().to_string();
  EXPECT_EQ(log().find(kCanary), std::string::npos) << "no argument carried the secret";
}

TEST_F(TerraformProviderTest, EachWorkspaceHasItsOwnState) {
  apply_all(settings());
  auto stage = plan(*provider(settings({{"workspace", "stage"}})));
  ASSERT_TRUE(stage) << stage.error().to_string();
  EXPECT_EQ(plan::count(stage->plan).create, 5) << "nothing of the default workspace's state is in stage";
  EXPECT_TRUE(fs::exists(tmp_ / "state" / "terraform.tfstate.d" / "stage") || true);
}

TEST_F(TerraformProviderTest, TheBundleCoversLocalModulesAndVarFilesButNeverSecretBackendValues) {
  repo_.write("modules/net/main.tf", "variable \"cidr\" {}\n");
  repo_.write("infra/modules.tf", "module \"net\" {\n  source = \"../modules/net\"\n}\n");
  repo_.write("infra/.terraform/providers/cache.bin", "generated");
  json s = settings();
  s["backend_config"].push_back(std::string("access_key=") + kCanary);
  auto p = provider(s);
  auto before = p->compile();
  ASSERT_TRUE(before) << before.error().to_string();
  EXPECT_EQ(before->content.dump().find(kCanary), std::string::npos);
  EXPECT_TRUE(before->content["files"].contains("modules/net/main.tf"));
  EXPECT_TRUE(before->content["configuration"]["inputs"].contains("envs/dev.tfvars"));
  EXPECT_FALSE(before->content["files"].contains("envs/dev.tfvars")) << "an environment's own input is not code";
  EXPECT_FALSE(before->content["files"].contains("infra/.terraform/providers/cache.bin"));
  auto paths = p->source_paths();
  EXPECT_NE(std::find(paths.begin(), paths.end(), repo_.path() / "modules/net"), paths.end());

  repo_.write("modules/net/main.tf", "variable \"cidr\" { default = \"10.0.0.0/16\" }\n");
  auto after = provider(s)->compile();
  ASSERT_TRUE(after);
  EXPECT_NE(before->hash, after->hash) << "a change in a local module is a change of the configuration";

  // Another environment's var file: the same code, so the same bundle (promotion compares it).
  repo_.write("envs/prod.tfvars", "db_password = \"other\"\n");
  json prod = s;
  prod["var_files"] = {"envs/prod.tfvars"};
  auto prod_bundle = provider(prod)->compile();
  ASSERT_TRUE(prod_bundle);
  EXPECT_EQ(prod_bundle->hash, after->hash);
  EXPECT_NE(prod_bundle->content, after->content);

  repo_.write("infra/escape.tf", "module \"x\" {\n  source = \"../../outside\"\n}\n");
  auto escaped = provider(s)->compile();
  ASSERT_FALSE(escaped);
  EXPECT_NE(escaped.error().message.find("outside the repository"), std::string::npos);
}

TEST_F(TerraformProviderTest, SettingsAreChecked) {
  config::Settings none(SourceLocation{"converge.yaml", 3, 5});
  auto missing = make_provider(TargetSpec{"infra", "dev", repo_.path(), none});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().to_string().find("missing setting 'root'"), std::string::npos);
  for (const json& bad : {json{{"plan_dir", "plans"}}, json{{"env", {{"TF_DATA_DIR", "/x"}}}}, json{{"timeout", "5"}},
                          json{{"var_files", "one.tfvars"}}, json{{"rooot", "x"}}}) {
    config::Settings cs(SourceLocation{"converge.yaml", 3, 5});
    json s = settings(bad);
    for (auto& [k, v] : s.items()) cs.set(k, config::Setting{v, SourceLocation{"converge.yaml", 9, 10}, false});
    auto p = make_provider(TargetSpec{"infra", "dev", repo_.path(), cs});
    ASSERT_FALSE(p) << bad.dump();
    EXPECT_EQ(p.error().code, ExitCode::usage) << bad.dump();
  }
}

// The real binary, when one is installed (never on the machines converge is built on,
// so these say clearly that they are skipped): terraform_data is built into Terraform
// 1.4+ and OpenTofu, so nothing is downloaded.
class TerraformRealBinary : public ::testing::Test {
 protected:
  void SetUp() override {
    // The first terraform or tofu on PATH that is not the stand-in (which other tests
    // put on PATH as `terraform`).
    std::error_code ec;
    const auto fake = fs::canonical(FAKE_TERRAFORM, ec);
    const std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
    for (const char* name : {"terraform", "tofu"})
      for (std::size_t at = 0; binary_.empty() && at <= path.size();) {
        const auto end = std::min(path.find(':', at), path.size());
        const fs::path candidate = fs::path(path.substr(at, end - at)) / name;
        at = end + 1;
        if (candidate.parent_path().empty() || ::access(candidate.c_str(), X_OK) != 0) continue;
        if (fs::canonical(candidate, ec) != fake) binary_ = candidate.string();
      }
    if (binary_.empty())
      GTEST_SKIP() << "no terraform or tofu binary on PATH (" << path << "): the real-binary tests are skipped";
    repo_.write("infra/main.tf",
                "terraform {\n  backend \"local\" {}\n}\n"
                "variable \"password\" {\n  type = string\n  sensitive = true\n}\n"
                "resource \"terraform_data\" \"marker\" {\n  input = { name = \"converge\", secret = var.password }\n}\n"
                "output \"name\" {\n  value = terraform_data.marker.output.name\n}\n");
  }
  std::unique_ptr<Provider> make(json extra = json::object()) {
    config::Settings cs(SourceLocation{"converge.yaml", 3, 5});
    json s = {{"root", "infra"}, {"binary", binary_}, {"workspace", "stage"},
              {"backend_config", {"path=" + (state_ / "tfstate").string(), "workspace_dir=" + (state_ / "ws").string()}},
              {"env", {{"TF_VAR_password", kCanary}}}};
    for (auto& [k, v] : extra.items()) s[k] = v;
    for (auto& [k, v] : s.items()) cs.set(k, config::Setting{v, SourceLocation{"converge.yaml", 4, 10}, false});
    auto p = make_provider(TargetSpec{"infra", "stage", repo_.path(), cs});
    EXPECT_TRUE(p) << p.error().to_string();
    return std::move(*p);
  }
  std::string binary_;
  converge::testing::TempDir repo_, state_;
};

TEST_F(TerraformRealBinary, ASealedPlanIsAppliedAsReviewedAndTheNextPlanIsEmpty) {
  const json sealing = {{"plan_key", "real-key"}};
  auto job = make(sealing);
  auto bundle = job->compile();
  ASSERT_TRUE(bundle);
  PlanContext preview;
  preview.preview = true;
  auto reviewed = job->plan(*bundle, preview);
  ASSERT_TRUE(reviewed) << reviewed.error().to_string();
  ASSERT_EQ(reviewed->changes.size(), 2u) << "the resource and the output";
  EXPECT_EQ(reviewed->changes[0].key, "terraform_data.marker");
  plan::Plan shown;
  shown.environment = "stage";
  shown.targets = {*reviewed};
  const std::string text = plan::render_text(shown) + plan::to_json(shown).dump();
  EXPECT_EQ(text.find(kCanary), std::string::npos) << text;
  EXPECT_NE(text.find("(sensitive)"), std::string::npos) << text;

  auto deploy = make(sealing);
  PlanContext apply;
  apply.apply = true;
  auto applying = deploy->plan(*bundle, apply);
  ASSERT_TRUE(applying) << applying.error().to_string();
  plan::Plan a;
  a.environment = "stage";
  a.targets = {*applying};
  EXPECT_EQ(plan::hash(a), plan::hash(shown));
  auto report = deploy->apply(*bundle, *applying);
  ASSERT_TRUE(report) << report.error().to_string();
  ASSERT_TRUE(report->ok()) << report->error;
  ASSERT_EQ(report->notes.size(), 1u);
  EXPECT_NE(report->notes[0].find("applied the sealed plan file"), std::string::npos);
  EXPECT_TRUE(fs::exists(state_ / "ws" / "stage")) << "the stage workspace holds the state";
  EXPECT_FALSE(fs::exists(repo_.path() / "infra" / ".terraform")) << "the binary's data stays out of the repository";

  auto again = make()->plan(*bundle, PlanContext{});
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_TRUE(again->changes.empty());

  // drift-verify's two plans, the refresh-only one in the real binary's format.
  PlanContext drift;
  drift.drift = true;
  auto checked = make()->plan(*bundle, drift);
  ASSERT_TRUE(checked) << checked.error().to_string();
  EXPECT_TRUE(checked->changes.empty()) << "nothing changed outside Terraform";
}

TEST_F(TerraformRealBinary, AnErrorOfTheBinaryIsItsOwnMessage) {
  repo_.write("infra/broken.tf", "resource \"terraform_data\" \"x\" {\n  input = var.missing\n}\n");
  auto p = make();
  auto bundle = p->compile();
  ASSERT_TRUE(bundle);
  auto planned = p->plan(*bundle, PlanContext{});
  ASSERT_FALSE(planned);
  EXPECT_EQ(planned.error().code, ExitCode::failure);
  EXPECT_NE(planned.error().message.find("Reference to undeclared input variable"), std::string::npos)
      << planned.error().message;
}

TEST(FailureReason, NamesTheLockHolderFromTheBoxedDiagnostic) {
  const std::string boxed =
      "╷\n│ Error: Error acquiring the state lock\n│ \n│ Error message: ConditionalCheckFailedException\n"
      "│ Lock Info:\n│   ID:        3f1a-77\n│   Path:      bucket/prod/terraform.tfstate\n"
      "│   Operation: OperationTypeApply\n│   Who:       runner@fv-az123\n│   Version:   1.7.5\n"
      "│   Created:   2026-12-06 01:00:03 +0000 UTC\n│   Info:      \n╵\n";
  const std::string reason = failure_reason(boxed);
  EXPECT_EQ(reason,
            "Error acquiring the state lock: the state is locked by runner@fv-az123 (OperationTypeApply) since "
            "2026-12-06 01:00:03 +0000 UTC; lock ID 3f1a-77");
}

TEST(FailureReason, KeepsSummaryAndDetailOnOneLine) {
  EXPECT_EQ(failure_reason("\nError: Invalid provider configuration\n\nProvider \"aws\" requires a region.\n"),
            "Invalid provider configuration: Provider \"aws\" requires a region.");
  EXPECT_EQ(failure_reason("some crash\nsecond line\n"), "some crash second line");
  EXPECT_EQ(failure_reason(""), "(no message)");
  EXPECT_LE(failure_reason("Error: x\n" + std::string(100000, 'y')).size(), 1600u);
}

}  // namespace
}  // namespace converge::providers::terraform
