// The plan reader on synthetic plans for what the real ones in shared/testdata do not
// show: import, move, forget, data source reads, create before destroy, nested and
// whole sensitive values, sensitive outputs, volatile attributes, drift, checks, and
// the order of changes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "converge/plan/plan.hpp"
#include "converge/providers/terraform/plan_json.hpp"

namespace converge::providers::terraform {
namespace {

using nlohmann::json;

// A plan document with these resource changes and other members.
std::string plan_with(const std::vector<json>& resource_changes, const json& members = json::object()) {
  json doc = {{"format_version", "1.2"}, {"terraform_version", "1.9.0"}, {"planned_values", json::object()},
              {"resource_changes", resource_changes}};
  for (const auto& [k, v] : members.items()) doc[k] = v;
  return doc.dump();
}

// One managed resource change of `address` (type: its first part).
json resource(const std::string& address, const json& change, const json& extra = json::object()) {
  json rc = {{"address", address}, {"mode", "managed"}, {"type", address.substr(0, address.find('.'))},
             {"change", change}};
  for (const auto& [k, v] : extra.items()) rc[k] = v;
  return rc;
}

ReadPlan read_ok(const std::string& text, const ReadOptions& options = {}) {
  auto plan = read_plan(text, "plan.json", options);
  EXPECT_TRUE(plan.has_value()) << plan.error().to_string();
  return plan.value_or(ReadPlan{});
}

plan::Change only_change(const std::string& text, const ReadOptions& options = {}) {
  const auto read = read_ok(text, options);
  EXPECT_EQ(read.changes.size(), 1u);
  return read.changes.empty() ? plan::Change{} : read.changes[0];
}

const json kInstance = {{"id", "i-0abc"}, {"instance_type", "t3.micro"}};

TEST(TerraformPlanCases, ANoOpWithImportingIsAnImport) {
  const auto c = only_change(plan_with({resource(
      "aws_instance.web", {{"actions", {"no-op"}}, {"before", kInstance}, {"after", kInstance},
                           {"importing", {{"id", "i-0abc"}}}})}));
  EXPECT_EQ(c.action, plan::Action::update);
  EXPECT_EQ(c.kind, "resource (import, id i-0abc)");
  EXPECT_TRUE(c.before.is_null());
  EXPECT_EQ(c.after, kInstance);
}

TEST(TerraformPlanCases, ANoOpWithAPreviousAddressIsAMove) {
  const auto c = only_change(plan_with({resource("aws_instance.new",
                                                 {{"actions", {"no-op"}}, {"before", kInstance}, {"after", kInstance}},
                                                 {{"previous_address", "aws_instance.old"}})}));
  EXPECT_EQ(c.action, plan::Action::update);
  EXPECT_EQ(c.kind, "resource (moved from aws_instance.old)");
  EXPECT_EQ(c.before, json({{"address", "aws_instance.old"}}));
  EXPECT_EQ(c.after, json({{"address", "aws_instance.new"}}));
}

TEST(TerraformPlanCases, AMoveWithAnUpdateKeepsBothObjects) {
  json after = kInstance;
  after["instance_type"] = "t3.large";
  const auto c = only_change(plan_with({resource("aws_instance.new",
                                                 {{"actions", {"update"}}, {"before", kInstance}, {"after", after}},
                                                 {{"previous_address", "aws_instance.old"}})}));
  EXPECT_EQ(c.action, plan::Action::update);
  EXPECT_EQ(c.kind, "resource (moved from aws_instance.old)");
  EXPECT_EQ(c.before, kInstance);
  EXPECT_EQ(c.after, after);
}

TEST(TerraformPlanCases, AForgetRemovesFromStateOnly) {
  const auto c = only_change(plan_with({resource(
      "aws_instance.web", {{"actions", {"forget"}}, {"before", kInstance}, {"after", nullptr}},
      {{"action_reason", "delete_because_no_resource_config"}})}));
  EXPECT_EQ(c.action, plan::Action::remove);
  EXPECT_EQ(c.kind, "resource (forget: removed from state, kept in the cloud)");
  EXPECT_EQ(c.before, kInstance);
  EXPECT_TRUE(c.after.is_null());
}

TEST(TerraformPlanCases, ADataSourceReadDuringApplyIsAnUpdateWithItsReason) {
  json rc = resource("data.aws_ami.ubuntu", {{"actions", {"read"}}, {"before", nullptr},
                                             {"after", {{"owners", {"099720109477"}}}},
                                             {"after_unknown", {{"id", true}}}},
                     {{"action_reason", "read_because_config_unknown"}});
  rc["mode"] = "data";
  rc["type"] = "aws_ami";
  const auto c = only_change(plan_with({rc}));
  EXPECT_EQ(c.action, plan::Action::update);
  EXPECT_EQ(c.kind, "data source (read during apply)");
  EXPECT_EQ(c.title, "data.aws_ami.ubuntu: read during apply because its configuration is known only then");
  EXPECT_EQ(c.after["id"], "(known after apply)");
}

TEST(TerraformPlanCases, CreateThenDeleteIsAReplaceThatCreatesFirst) {
  json after = kInstance;
  after["instance_type"] = "t3.large";
  const auto c = only_change(plan_with({resource(
      "aws_instance.web", {{"actions", {"create", "delete"}}, {"before", kInstance}, {"after", after}},
      {{"action_reason", "replace_because_tainted"}})}));
  EXPECT_EQ(c.action, plan::Action::replace);
  EXPECT_EQ(c.kind, "resource (create before destroy)");
  EXPECT_EQ(c.title, "aws_instance.web: replaced because it is tainted");
  const auto delete_first = only_change(plan_with({resource(
      "aws_instance.web", {{"actions", {"delete", "create"}}, {"before", kInstance}, {"after", after}})}));
  EXPECT_EQ(delete_first.kind, "resource");
  EXPECT_EQ(delete_first.title, "") << "no action_reason, no title";
}

TEST(TerraformPlanCases, NestedSensitiveValuesAreHiddenWhereTheMarkersSay) {
  const json after = {{"settings", {{"password", "s3cret-nested"}, {"user", "admin"}}},
                      {"keys", {"public-a", "s3cret-element"}},
                      {"token", "s3cret-whole"}};
  const json after_sensitive = {{"settings", {{"password", true}}}, {"keys", {false, true}}, {"token", true}};
  const auto c = only_change(plan_with({resource(
      "aws_db_instance.db", {{"actions", {"create"}}, {"before", nullptr}, {"after", after},
                             {"after_sensitive", after_sensitive}, {"before_sensitive", false}})}));
  EXPECT_EQ(c.after, json::parse(R"j({"settings": {"password": "(sensitive)", "user": "admin"},
                                     "keys": ["public-a", "(sensitive)"], "token": "(sensitive)"})j"));
}

TEST(TerraformPlanCases, AWhollySensitiveOrMisfittingValueIsHiddenWhole) {
  const auto whole = only_change(plan_with({resource(
      "aws_db_instance.db", {{"actions", {"update"}}, {"before", kInstance}, {"after", kInstance},
                             {"before_sensitive", true}, {"after_sensitive", true}})}));
  EXPECT_EQ(whole.before, "(sensitive)");
  EXPECT_EQ(whole.after, "(sensitive)");
  // A marker for a part the value does not have as a structure: fail safe.
  const auto misfit = only_change(plan_with({resource(
      "aws_db_instance.db", {{"actions", {"update"}}, {"before", {{"token", "s3cret-a"}}}, {"after", {{"token", "s3cret-b"}}},
                             {"after_sensitive", {{"token", {{"inner", true}}}}}, {"before_sensitive", {{"token", 1}}}})}));
  EXPECT_EQ(misfit.before, json({{"token", "(sensitive)"}}));
  EXPECT_EQ(misfit.after, json({{"token", "(sensitive)"}}));
}

TEST(TerraformPlanCases, ASensitiveOutputIsMaskedAndNoOpOutputsAreHidden) {
  const auto read = read_ok(plan_with({}, {{"output_changes",
                                                       {{"db_password", {{"actions", {"update"}},
                                                                         {"before", "s3cret-old"},
                                                                         {"after", "s3cret-new"},
                                                                         {"before_sensitive", true},
                                                                         {"after_sensitive", true}}},
                                                        {"same", {{"actions", {"no-op"}}, {"before", "x"}, {"after", "x"}}},
                                                        {"gone", {{"actions", {"delete"}}, {"before", "y"}}}}}}));
  ASSERT_EQ(read.changes.size(), 2u);
  EXPECT_EQ(read.changes[0].key, "output.gone") << "deletions first";
  EXPECT_EQ(read.changes[0].kind, "output");
  EXPECT_EQ(read.changes[0].action, plan::Action::remove);
  EXPECT_EQ(read.changes[1].key, "output.db_password");
  EXPECT_EQ(read.changes[1].before, "(sensitive)");
  EXPECT_EQ(read.changes[1].after, "(sensitive)");
}

TEST(TerraformPlanCases, VolatileAttributesAreMarkedAndAnUpdateOfOnlyThemIsNoChange) {
  const json before = {{"ami", "ami-1"}, {"tags", {{"BuildTime", "09:00"}, {"Owner", "ops"}}}};
  json after = before;
  after["tags"]["BuildTime"] = "10:00";
  const std::string only_volatile =
      plan_with({resource("aws_instance.web", {{"actions", {"update"}}, {"before", before}, {"after", after}})});
  ReadOptions any_type{{"tags.BuildTime"}};
  const auto quiet = read_ok(only_volatile, any_type);
  EXPECT_TRUE(quiet.changes.empty());
  ASSERT_EQ(quiet.notes.size(), 1u);
  EXPECT_EQ(quiet.notes[0], "aws_instance.web: only volatile attributes change; not shown as a change");
  // Without the option, the same plan is an update.
  EXPECT_EQ(read_ok(only_volatile).changes.size(), 1u);

  after["ami"] = "ami-2";
  const std::string with_more =
      plan_with({resource("aws_instance.web", {{"actions", {"update"}}, {"before", before}, {"after", after}})});
  const auto c = only_change(with_more, ReadOptions{{"aws_instance.tags.BuildTime"}});
  EXPECT_EQ(c.before["tags"]["BuildTime"], "(volatile)");
  EXPECT_EQ(c.after["tags"]["BuildTime"], "(volatile)");
  EXPECT_EQ(c.after["ami"], "ami-2");
  // A path for another type leaves this one alone.
  EXPECT_EQ(only_change(with_more, ReadOptions{{"aws_s3_bucket.tags.BuildTime"}}).after["tags"]["BuildTime"], "10:00");
}

TEST(TerraformPlanCases, DriftIsOneNoteAndOneDriftChangePerResourceWithoutSensitiveValues) {
  const json drift = {
      resource("aws_db_instance.db",
               {{"actions", {"update"}},
                {"before", {{"password", "s3cret-before"}, {"tags", {{"Owner", "ops"}}}, {"port", 5432},
                            {"keys", {{"s3cret-key-a", 1}}}}},
                {"after", {{"password", "s3cret-after"}, {"tags", {{"Owner", "dev"}}}, {"port", 5432},
                           {"keys", {{"s3cret-key-b", 1}}}}},
                {"before_sensitive", {{"password", true}, {"keys", true}}},
                {"after_sensitive", {{"password", true}, {"keys", true}}}}),
      resource("aws_instance.gone", {{"actions", {"delete"}}, {"before", kInstance}, {"after", nullptr}}),
      resource("aws_instance.same", {{"actions", {"no-op"}}, {"before", kInstance}, {"after", kInstance}})};
  const auto read = read_ok(plan_with({}, {{"resource_drift", drift}}));
  EXPECT_TRUE(read.changes.empty()) << "drift is not a change of the plan";
  EXPECT_TRUE(target_plan(read, "infra").notes.empty());
  EXPECT_EQ(target_plan(read, "infra").observations,
            (std::vector<std::string>{"changed outside Terraform: aws_db_instance.db (keys, password, tags.Owner)",
                                      "deleted outside Terraform: aws_instance.gone"}));
  // What a drift check counts: the same, as changes, masked like every change.
  ASSERT_EQ(read.drift.size(), 2u);
  const auto& db = read.drift[0].change;
  EXPECT_EQ(db.key, "aws_db_instance.db");
  EXPECT_EQ(db.action, plan::Action::update);
  EXPECT_EQ(db.kind, "resource (changed outside Terraform)");
  EXPECT_EQ(db.title, "changed: keys, password, tags.Owner");
  EXPECT_EQ(db.before["password"], "(sensitive)");
  EXPECT_EQ(db.after["keys"], "(sensitive)");
  EXPECT_EQ(db.before["tags"]["Owner"], "ops");
  EXPECT_EQ(db.after["tags"]["Owner"], "dev");
  EXPECT_EQ((db.before.dump() + db.after.dump()).find("s3cret"), std::string::npos);
  const auto& gone = read.drift[1].change;
  EXPECT_EQ(gone.action, plan::Action::remove);
  EXPECT_EQ(gone.kind, "resource (deleted outside Terraform)");
  EXPECT_TRUE(gone.after.is_null());
}

TEST(TerraformPlanCases, FailingChecksAreErrorsWithTheirMessagesAndUnknownOnesNotes) {
  const json checks = json::parse(R"([
    {"address": {"kind": "resource", "to_display": "aws_instance.web"}, "status": "fail",
     "instances": [{"address": {"to_display": "aws_instance.web[0]"}, "status": "fail",
                    "problems": [{"message": "Health check returned 503."}]},
                   {"address": {"to_display": "aws_instance.web[1]"}, "status": "pass"}]},
    {"address": {"kind": "output_value", "to_display": "output.url"}, "status": "error"},
    {"address": {"kind": "check", "to_display": "check.health"}, "status": "unknown"},
    {"address": {"kind": "resource", "to_display": "aws_instance.ok"}, "status": "pass"}])");
  const auto read = read_ok(plan_with({}, {{"checks", checks}}));
  EXPECT_EQ(read.errors, (std::vector<std::string>{"check failed: aws_instance.web[0]: Health check returned 503.",
                                                  "check could not be evaluated: output.url"}));
  EXPECT_EQ(read.notes, (std::vector<std::string>{"check known only after apply: check.health"}));
}

TEST(TerraformPlanCases, AnErroredPlanCannotBeApplied) {
  const auto read = read_ok(plan_with({}, {{"errored", true}}));
  ASSERT_EQ(read.errors.size(), 1u);
  EXPECT_EQ(read.errors[0], "Terraform stopped planning with an error (errored: true): the plan cannot be applied");
}

TEST(TerraformPlanCases, ChangesAreReplacementsThenDeletionsThenTheRestByAddressOutputsLast) {
  const json create = {{"actions", {"create"}}, {"before", nullptr}, {"after", kInstance}};
  const json remove = {{"actions", {"delete"}}, {"before", kInstance}, {"after", nullptr}};
  const json replace = {{"actions", {"delete", "create"}}, {"before", kInstance}, {"after", kInstance}};
  const auto read = read_ok(plan_with(
      {resource("aws_instance.a", create), resource("aws_instance.c", remove), resource("aws_instance.b", remove),
       resource("aws_instance.z", replace), resource("aws_instance.d", create)},
      {{"output_changes", {{"a", {{"actions", {"create"}}, {"after", "x"}}}}}}));
  std::vector<std::string> keys;
  for (const auto& c : read.changes) keys.push_back(c.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"aws_instance.z", "aws_instance.b", "aws_instance.c", "aws_instance.a",
                                            "aws_instance.d", "output.a"}));
}

TEST(TerraformPlanCases, KeysOnlyAfterUnknownNamesAreKnownAfterApply) {
  const auto c = only_change(plan_with({resource(
      "aws_instance.web", {{"actions", {"create"}}, {"before", nullptr}, {"after", {{"ami", "ami-1"}}},
                           {"after_unknown", {{"id", true}, {"network", {{"ip", true}}}, {"tags", json::object()}}}})}));
  EXPECT_EQ(c.after, json::parse(R"j({"ami": "ami-1", "id": "(known after apply)",
                                     "network": {"ip": "(known after apply)"}})j"));
}

TEST(TerraformPlanCases, ADeposedObjectIsNamedInTheKindSoItDiffersFromTheCurrentOne) {
  const auto read = read_ok(plan_with(
      {resource("aws_instance.web", {{"actions", {"delete"}}, {"before", kInstance}, {"after", nullptr}},
                {{"deposed", "00000001"}}),
       resource("aws_instance.web", {{"actions", {"create"}}, {"before", nullptr}, {"after", kInstance}})}));
  ASSERT_EQ(read.changes.size(), 2u);
  EXPECT_EQ(read.changes[0].kind, "resource (deposed object 00000001)");
  EXPECT_EQ(read.changes[0].action, plan::Action::remove);
  EXPECT_EQ(read.changes[1].kind, "resource");
}

TEST(TerraformPlanCases, AnUnknownReasonIsShownInWordsAndAnIncompletePlanIsNoted) {
  const auto read = read_ok(plan_with(
      {resource("aws_instance.web", {{"actions", {"delete"}}, {"before", kInstance}},
                {{"action_reason", "delete_because_of_a_future_reason"}})},
      {{"complete", false}}));
  ASSERT_EQ(read.changes.size(), 1u);
  EXPECT_EQ(read.changes[0].title, "aws_instance.web: delete because of a future reason");
  EXPECT_EQ(read.notes, (std::vector<std::string>{
                            "the plan is incomplete (complete: false): another plan and apply will be needed after "
                            "this one"}));
}

TEST(TerraformPlanCases, ADriftNoteNamesAtMostTenAttributes) {
  json before = json::object(), after = json::object();
  for (int i = 0; i < 12; ++i) {
    before["a" + std::to_string(i + 10)] = i;
    after["a" + std::to_string(i + 10)] = i + 1;
  }
  const auto read = read_ok(plan_with(
      {}, {{"resource_drift", {resource("aws_instance.web", {{"actions", {"update"}}, {"before", before},
                                                             {"after", after}})}}}));
  ASSERT_EQ(read.drift.size(), 1u);
  EXPECT_EQ(read.drift[0].note, "changed outside Terraform: aws_instance.web (a10, a11, a12, a13, "
                                "a14, a15, a16, a17, a18, a19, and 2 more)");
}

}  // namespace
}  // namespace converge::providers::terraform
