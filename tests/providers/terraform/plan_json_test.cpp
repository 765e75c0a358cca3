// The plan reader on the real `terraform show -json` outputs in
// ../shared/testdata/terraform-plans: each parses, its counts match the document,
// nothing marked sensitive shows anywhere, the hash follows meaning (key order,
// whitespace and volatile noise leave it alone; an action or a value changes it), and
// hostile documents end as one Error. Synthetic cases are in plan_json_cases_test.cpp.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "converge/plan/plan.hpp"
#include "converge/plan/render.hpp"
#include "converge/util/bounded_json.hpp"
#include "converge/providers/terraform/plan_json.hpp"
#include "converge/util/fs.hpp"

namespace converge::providers::terraform {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

const fs::path kPlans = fs::path(CONVERGE_SHARED_TESTDATA) / "terraform-plans";

std::vector<fs::path> plan_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(kPlans))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string text_of(const fs::path& file) {
  auto text = util::read_file(file);
  EXPECT_TRUE(text.has_value()) << file;
  return text.value_or("");
}

ReadPlan read_ok(std::string_view text, const ReadOptions& options = {}) {
  auto plan = read_plan(text, "plan.json", options);
  EXPECT_TRUE(plan.has_value()) << plan.error().to_string();
  return plan.value_or(ReadPlan{});
}

plan::Plan as_plan(const ReadPlan& read) {
  plan::Plan p;
  p.environment = "stage";
  p.targets.push_back(target_plan(read, "infra"));
  return p;
}

std::string hash_of(std::string_view text) { return plan::hash(as_plan(read_ok(text))); }

// The converge action Terraform's actions list means, as the issue states it.
std::optional<plan::Action> expected_action(const json& actions) {
  const auto words = actions.get<std::vector<std::string>>();
  if (words == std::vector<std::string>{"no-op"}) return std::nullopt;
  if (words.size() == 2) return plan::Action::replace;
  if (words[0] == "create") return plan::Action::create;
  if (words[0] == "delete" || words[0] == "forget") return plan::Action::remove;
  return plan::Action::update;  // update, read
}

TEST(TerraformPlanJson, EveryRealPlanParses) {
  const auto files = plan_files();
  ASSERT_EQ(files.size(), 8u) << "the shared plans moved";
  for (const auto& file : files) {
    const std::string text = text_of(file);
    auto read = read_plan(text, file.string());
    ASSERT_TRUE(read.has_value()) << read.error().to_string();
    const json doc = json::parse(text);
    EXPECT_EQ(read->format_version, doc["format_version"].get<std::string>()) << file;
    EXPECT_EQ(read->terraform_version, doc["terraform_version"].get<std::string>()) << file;
    EXPECT_TRUE(read->errors.empty()) << file;
  }
}

TEST(TerraformPlanJson, CountsPerActionAreTheDocumentsChangesThatAreNotNoOps) {
  int total = 0;
  for (const auto& file : plan_files()) {
    const std::string text = text_of(file);
    const json doc = json::parse(text);
    plan::Counts expected;
    auto add = [&](const json& actions) {
      if (auto action = expected_action(actions)) {
        ++total;
        switch (*action) {
          case plan::Action::create: ++expected.create; break;
          case plan::Action::update: ++expected.update; break;
          case plan::Action::remove: ++expected.remove; break;
          case plan::Action::replace: ++expected.replace; break;
        }
      }
    };
    const json resources = doc.value("resource_changes", json::array());
    const json outputs = doc.value("output_changes", json::object());
    for (const auto& rc : resources) add(rc["change"]["actions"]);
    for (const auto& [name, oc] : outputs.items()) add(oc["actions"]);
    plan::TargetPlan t;
    t.changes = read_ok(text).changes;
    const auto counts = plan::count(t);
    EXPECT_EQ(counts.create, expected.create) << file;
    EXPECT_EQ(counts.update, expected.update) << file;
    EXPECT_EQ(counts.remove, expected.remove) << file;
    EXPECT_EQ(counts.replace, expected.replace) << file;
  }
  EXPECT_EQ(total, 7 + 8 + 8 + 4) << "120_basic: 7 resources and 8 outputs; no_changes: 8 outputs; the four ovsds plans";
}

// Puts a distinct canary wherever `marker` marks `value` sensitive; returns the canaries.
void plant(json& value, const json& marker, std::vector<std::string>& canaries) {
  if (marker.is_boolean() && marker.get<bool>()) {
    canaries.push_back("canary-sensitive-" + std::to_string(canaries.size()));
    value = canaries.back();
  } else if (marker.is_object()) {
    for (const auto& [k, m] : marker.items()) plant(value[k], m, canaries);
  } else if (marker.is_array()) {
    for (size_t i = 0; i < marker.size(); ++i) plant(value[i], marker[i], canaries);
  }
}

// Every output of the plan: its changes, notes and errors, and both renderings.
std::string everything_shown(const ReadPlan& read) {
  std::string all;
  for (const auto& c : read.changes) all += c.key + c.kind + c.title + c.before.dump() + c.after.dump() + "\n";
  for (const auto& d : read.drift) all += d.change.kind + d.change.title + d.change.before.dump() + d.change.after.dump() + d.note + "\n";
  for (const auto& s : read.notes) all += s + "\n";
  for (const auto& s : read.errors) all += s + "\n";
  const auto p = as_plan(read);
  return all + plan::render_text(p) + plan::render_markdown(p) +
         plan::render_markdown(p, std::string::npos, plan::Medium::job_summary) + plan::observations_section(p, 1 << 20);
}

TEST(TerraformPlanJson, NothingMarkedSensitiveIn120BasicShowsAnywhere) {
  json doc = json::parse(text_of(kPlans / "terraform-json/120_basic/plan.json"));
  // The real file: the sensitive output's value is hidden where it would show.
  const auto real = read_ok(doc.dump());
  auto foo = std::find_if(real.changes.begin(), real.changes.end(), [](auto& c) { return c.key == "output.foo"; });
  ASSERT_NE(foo, real.changes.end());
  EXPECT_EQ(foo->after, "(sensitive)");
  // Its value ("bar") is also a plain value elsewhere, so each sensitive value
  // becomes a distinct canary: none may show. Variables and prior state are never copied.
  std::vector<std::string> canaries;
  for (auto& rc : doc["resource_changes"]) {
    plant(rc["change"]["before"], rc["change"].value("before_sensitive", json()), canaries);
    plant(rc["change"]["after"], rc["change"].value("after_sensitive", json()), canaries);
  }
  for (auto& [name, oc] : doc["output_changes"].items()) {
    plant(oc["before"], oc.value("before_sensitive", json()), canaries);
    plant(oc["after"], oc.value("after_sensitive", json()), canaries);
  }
  ASSERT_EQ(canaries.size(), 2u) << "output foo's before and after";
  for (auto& [name, variable] : doc["variables"].items()) {
    canaries.push_back("canary-variable-" + name);
    variable["value"] = canaries.back();
  }
  canaries.push_back("canary-prior-state");
  doc["prior_state"]["values"]["outputs"]["foo"] = {{"value", canaries.back()}, {"sensitive", true}};

  const std::string shown = everything_shown(read_ok(doc.dump()));
  for (const auto& canary : canaries) EXPECT_EQ(shown.find(canary), std::string::npos) << canary;
  EXPECT_NE(shown.find("(sensitive)"), std::string::npos);
}

TEST(TerraformPlanJson, TheDeleteCreateFixtureIsAReplaceWithItsReasonInTheTitle) {
  const auto read = read_ok(text_of(kPlans / "tf-plan-format/delete-create/terraform.tfplan.json"));
  ASSERT_EQ(read.changes.size(), 1u);
  const auto& c = read.changes[0];
  EXPECT_EQ(c.action, plan::Action::replace);
  EXPECT_EQ(c.kind, "resource");
  EXPECT_EQ(c.key, "null_resource.foo-bar");
  EXPECT_EQ(c.title, "null_resource.foo-bar: replaced because it cannot be updated in place");
  EXPECT_EQ(c.before, json::parse(R"({"id": "4525788878524015586", "triggers": {"always_run": "2024-10-25T21:40:19Z"}})"));
  EXPECT_EQ(c.after, json::parse(R"j({"id": "(known after apply)", "triggers": {"always_run": "(known after apply)"}})j"));
}

TEST(TerraformPlanJson, AnUpdateKeepsBothObjectsForAnAttributeLevelDiff) {
  const auto read = read_ok(text_of(kPlans / "tf-plan-format/update/terraform.tfplan.json"));
  ASSERT_EQ(read.changes.size(), 1u);
  const auto& c = read.changes[0];
  EXPECT_EQ(c.action, plan::Action::update);
  EXPECT_EQ(c.before["output"], "foo");
  EXPECT_EQ(c.after["output"], "(known after apply)");
  const std::string diff = plan::change_diff(c);
  EXPECT_NE(diff.find("-input: foo\n"), std::string::npos) << diff;
  EXPECT_NE(diff.find("+input: bar\n"), std::string::npos) << diff;
  EXPECT_EQ(diff.find("-id:"), std::string::npos) << "an unchanged attribute is context, not a change:\n" << diff;
}

TEST(TerraformPlanJson, TheDeleteFixtureSaysWhyInWords) {
  const auto read = read_ok(text_of(kPlans / "tf-plan-format/delete/terraform.tfplan.json"));
  ASSERT_EQ(read.changes.size(), 1u);
  EXPECT_EQ(read.changes[0].action, plan::Action::remove);
  EXPECT_EQ(read.changes[0].title, "terraform_data.foo-bar: deleted because its configuration is gone");
  EXPECT_TRUE(read.changes[0].after.is_null());
}

TEST(TerraformPlanJson, NoOpsAreHidden) {
  EXPECT_TRUE(read_ok(text_of(kPlans / "tf-plan-format/no-op/terraform.tfplan.json")).changes.empty());
  const auto no_changes = read_ok(text_of(kPlans / "terraform-json/no_changes/plan.json"));
  for (const auto& c : no_changes.changes) EXPECT_TRUE(c.key.starts_with("output.")) << c.key;
}

// `value` with the key order of every object reversed.
ordered_json reversed(const ordered_json& value) {
  if (value.is_array()) {
    ordered_json out = ordered_json::array();
    for (const auto& item : value) out.push_back(reversed(item));
    return out;
  }
  if (!value.is_object()) return value;
  std::vector<std::pair<std::string, ordered_json>> members;
  for (const auto& [k, v] : value.items()) members.emplace_back(k, reversed(v));
  ordered_json out = ordered_json::object();
  for (auto it = members.rbegin(); it != members.rend(); ++it) out[it->first] = it->second;
  return out;
}

// The same plan as another run of Terraform could print it: keys in another order,
// other whitespace, and what changes from run to run without changing the plan.
std::string reserialised_with_noise(const std::string& text) {
  ordered_json doc = ordered_json::parse(text);
  doc["timestamp"] = "2031-01-01T00:00:00Z";
  doc["terraform_version"] = "1.9.8";
  doc["warnings"] = ordered_json::array({"Provider deprecation warning"});
  doc["relevant_attributes"] = ordered_json::array({{{"resource", "null_resource.x"}, {"attribute", {"id"}}}});
  doc["prior_state"]["values"]["root_module"]["resources"] = ordered_json::array({{{"address", "null_resource.x"}}});
  doc["resource_drift"] = ordered_json::array({{{"address", "null_resource.x"},
                                                {"change",
                                                 {{"actions", {"update"}},
                                                  {"before", {{"triggers", {{"at", "1"}}}}},
                                                  {"after", {{"triggers", {{"at", "2"}}}}}}}}});
  return reversed(doc).dump(1, '\t');
}

// Changes the first resource change that is not a no-op (or the first output change)
// by `edit`; false when the plan has none.
template <class Edit>
bool edit_first_change(json& doc, Edit edit) {
  const json no_op = json::array({"no-op"});
  if (doc.contains("resource_changes"))
    for (auto& rc : doc["resource_changes"])
      if (rc["change"]["actions"] != no_op) return edit(rc["change"]);
  if (doc.contains("output_changes"))
    for (auto& [name, oc] : doc["output_changes"].items())
      if (oc["actions"] != no_op) return edit(oc);
  return false;
}

TEST(TerraformPlanJson, TheHashFollowsMeaningNotText) {
  int flipped = 0;
  for (const auto& file : plan_files()) {
    const std::string text = text_of(file);
    const std::string original = hash_of(text);
    EXPECT_EQ(hash_of(reserialised_with_noise(text)), original) << file;

    json action_flipped = json::parse(text);
    const bool has_change = edit_first_change(action_flipped, [](json& change) {
      change["actions"] = change["actions"] == json::array({"create"}) ? json::array({"update"}) : json::array({"create"});
      return true;
    });
    if (!has_change) continue;
    EXPECT_NE(hash_of(action_flipped.dump()), original) << file;

    json value_changed = json::parse(text);
    ASSERT_TRUE(edit_first_change(value_changed, [](json& change) {
      for (const char* side : {"after", "before"}) {
        json& value = change[side];
        if (value.is_object() && !value.empty()) {
          value[value.begin().key()] = "a changed value";
          return true;
        }
        if (value.is_string()) {
          value = "a changed value";
          return true;
        }
      }
      return false;
    })) << file;
    EXPECT_NE(hash_of(value_changed.dump()), original) << file;
    ++flipped;
  }
  EXPECT_EQ(flipped, 6) << "every plan with a change had an action and a value flipped";
}

std::string error_of(std::string_view text) {
  auto read = read_plan(text, "plans/infra.json");
  EXPECT_FALSE(read.has_value()) << "read a plan from: " << text.substr(0, 200);
  if (read) return "";
  EXPECT_EQ(read.error().code, ExitCode::failure);
  EXPECT_TRUE(read.error().message.starts_with("plans/infra.json")) << read.error().message;
  return read.error().message;
}

std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(TerraformPlanJson, ADocumentDeeperThan64LevelsIsRefusedWithoutRecursion) {
  EXPECT_NE(error_of(nested(10000)).find("nested deeper than 64 levels"), std::string::npos);
  EXPECT_NE(error_of(nested(65)).find("nested deeper than 64 levels"), std::string::npos);
  EXPECT_NE(error_of(nested(64)).find("the document: expected an object"), std::string::npos);
  std::string deep_objects;
  for (int i = 0; i < 10000; ++i) deep_objects += R"({"a":)";
  deep_objects += "1" + std::string(10000, '}');
  EXPECT_NE(error_of(deep_objects).find("nested deeper than 64 levels"), std::string::npos);
  // Depth counts in the members the reader skips too.
  EXPECT_NE(error_of(R"({"format_version":"1.2","planned_values":{},"prior_state":)" + nested(70) + "}")
                .find("nested deeper than 64 levels"),
            std::string::npos);
}

TEST(TerraformPlanJson, ADocumentLargerThan256MiBIsRefusedBeforeParsing) {
  const std::string huge(std::size_t{256} * 1024 * 1024 + 1, ' ');
  EXPECT_NE(error_of(huge).find("larger than 268435456 bytes"), std::string::npos);
}

constexpr std::string_view kHead = R"({"format_version":"1.2","planned_values":{},)";

TEST(TerraformPlanJson, ADocumentThatIsNotAPlanSaysWhichField) {
  const std::pair<std::string, std::string> cases[] = {
      {"[]", "the document: expected an object"},
      {R"({"planned_values":{}})", "the document.format_version: missing"},
      {R"({"format_version":2,"planned_values":{}})", "the document.format_version: expected a string"},
      {R"({"format_version":"2.0","planned_values":{}})", "format_version \"2.0\" is not one converge reads"},
      {R"({"format_version":"1.0","values":{}})", "planned_values: missing (a state file"},
      {std::string(kHead) + R"("resource_changes":"oops"})", "resource_changes: expected an array"},
      {std::string(kHead) + R"("resource_changes":["oops"]})", "resource_changes[0]: expected an object"},
      {std::string(kHead) + R"("resource_changes":[{"address":"a.b","change":"oops"}]})",
       "resource_changes[0].change: expected an object"},
      {std::string(kHead) + R"("resource_changes":[{"address":7,"change":{}}]})",
       "resource_changes[0].address: expected a string"},
      {std::string(kHead) + R"("resource_changes":[{"address":"a.b","change":{"actions":"create"}}]})",
       "resource_changes[0].change.actions: expected a non-empty array of strings"},
      {std::string(kHead) + R"("resource_changes":[{"address":"a.b","change":{"actions":["destroy"]}}]})",
       "resource_changes[0].change.actions: unknown actions [\"destroy\"]"},
      {std::string(kHead) +
           R"("resource_changes":[{"address":"a.b","change":{"actions":["create"],"after_sensitive":"yes"}}]})",
       "resource_changes[0].change.after_sensitive: expected true, false, an object or an array"},
      {std::string(kHead) + R"("resource_changes":[{"address":"a.b","mode":"ephemeral","change":{"actions":["create"]}}]})",
       "resource_changes[0].mode: expected \"managed\" or \"data\""},
      {std::string(kHead) + R"("output_changes":[]})", "output_changes: expected an object"},
      {std::string(kHead) + R"("output_changes":{"x":"oops"}})", "output_changes.x: expected an object"},
      {std::string(kHead) + R"("checks":[{"status":"fail","instances":{}}]})", "checks[0].instances: expected an array"},
      {std::string(kHead) + R"("resource_drift":{}})", "resource_drift: expected an array"},
      {std::string(kHead) + R"("errored":"yes"})", "errored: expected true or false"},
      {R"({"format_version":"1.2","format_version":"1.2","planned_values":{}})", "duplicate key \"format_version\""},
  };
  for (const auto& [text, expected] : cases)
    EXPECT_NE(error_of(text).find(expected), std::string::npos) << text << " → " << error_of(text);
}

TEST(TerraformPlanJson, TextThatIsNotJsonIsNamedByLineAndColumnWithoutItsContent) {
  const std::string message = error_of("{\"format_version\": \"1.2\",\n \"variables\": {\"password\": \"hunter2");
  EXPECT_TRUE(message.starts_with("plans/infra.json:2:")) << message;
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  EXPECT_NE(error_of("").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of("{} trailing").find("not valid JSON"), std::string::npos);
}

TEST(TerraformPlanJson, HugeArraysEndAsOneErrorQuickly) {
  std::string actions = std::string(kHead) + R"("resource_changes":[{"address":"a.b","change":{"actions":[)";
  for (int i = 0; i < 100'000; ++i) actions += "\"create\",";
  actions += "\"create\"]}}]}";
  EXPECT_NE(error_of(actions).find("actions: more than two actions"), std::string::npos);
  std::string entries = std::string(kHead) + R"("resource_changes":[)";
  for (int i = 0; i < 100'000; ++i) entries += "7,";
  entries += "7]}";
  EXPECT_NE(error_of(entries).find("resource_changes[0]: expected an object"), std::string::npos);
}

TEST(TerraformPlanJson, TheValueBudgetStopsTheBuildOfAHugeDocument) {
  const util::JsonBudget budget{1 << 20, 64, 1000, {}};
  std::string many = "[";
  for (int i = 0; i < 5000; ++i) many += "0,";
  many += "0]";
  auto parsed = util::parse_json_within(many, "big.json", budget);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().message, "big.json: more than 1000 values");
  EXPECT_TRUE(util::parse_json_within(nested(64), "deep.json", budget).has_value());
}

TEST(TerraformPlanJson, SkippedMembersAreNeverBuilt) {
  const util::JsonBudget budget{1 << 20, 64, 10, {"kept"}};
  auto parsed = util::parse_json_within(R"({"kept": [1, 2], "skipped": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]})", "x.json",
                                  budget);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(*parsed, json::parse(R"({"kept": [1, 2], "skipped": null})"));
}

TEST(TerraformPlanJson, StreamedMembersAreHandedOverOneElementAtATimeInOrder) {
  util::JsonBudget budget{1 << 20, 64, 1000, {}};
  budget.streamed = {"entries", "scalar"};
  std::vector<std::string> seen;
  budget.each = [&](std::string_view member, std::size_t index, json&& element) -> Expected<void> {
    seen.push_back(std::string(member) + "[" + std::to_string(index) + "]=" + element.dump());
    return {};
  };
  auto parsed = util::parse_json_within(
      R"({"entries": [{"a": [1, {"b": 2}]}, 7, [8, [9]], null], "other": [1, 2], "scalar": 3,)"
      R"( "nested": {"entries": [4, 5]}})",
      "x.json", budget);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(seen, (std::vector<std::string>{R"(entries[0]={"a":[1,{"b":2}]})", "entries[1]=7", "entries[2]=[8,[9]]",
                                            "entries[3]=null"}));
  // The streamed member reads as an empty array; the rest (a streamed name that is not
  // an array, one that is not at the root) is built as any other member.
  EXPECT_EQ(*parsed, json::parse(R"({"entries": [], "other": [1, 2], "scalar": 3, "nested": {"entries": [4, 5]}})"));
}

TEST(TerraformPlanJson, AnErrorOfTheStreamedReaderEndsTheParseAsItIs) {
  util::JsonBudget budget{1 << 20, 64, 1000, {}};
  budget.streamed = {"entries"};
  int calls = 0;
  budget.each = [&](std::string_view, std::size_t index, json&&) -> Expected<void> {
    ++calls;
    if (index == 1) return fail(Error::runtime("plan.json: entries[1]: refused"));
    return {};
  };
  auto parsed = util::parse_json_within(R"({"entries": [1, 2, 3]})", "x.json", budget);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().message, "plan.json: entries[1]: refused");
  EXPECT_EQ(calls, 2) << "nothing after the error is read";
}

}  // namespace
}  // namespace converge::providers::terraform
