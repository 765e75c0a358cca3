// Plan canonical form and hash: stable, order-independent for maps, sensitive to
// everything that is applied, blind to the commit and to notes.
#include <gtest/gtest.h>

#include "converge/plan/plan.hpp"

namespace converge::plan {
namespace {

Plan sample() {
  Plan p;
  p.environment = "stage";
  p.git_sha = "0123456789abcdef0123456789abcdef01234567";
  TargetPlan t;
  t.target = "app-db";
  t.provider = "sql";
  t.bundle_hash = "b1";
  t.changes.push_back({Action::create, "migration", "20240101000000_users", nullptr,
                       {{"version", "20240101000000"}, {"sql", "create table users (id int);\n"}, {"transaction", true}}});
  t.changes.push_back({Action::remove, "chart", "c1", {{"name", "old"}}, nullptr});
  t.notes.push_back("a note");
  p.targets.push_back(t);
  return p;
}

TEST(PlanHash, IsAKnownValueForAKnownPlan) {
  // Pinned: a change in canonical form breaks every stored plan comment, so it
  // must be a deliberate format bump, not an accident.
  EXPECT_EQ(canonical_text(sample()),
            R"({"environment":"stage","format":1,"targets":[{"bundle_hash":"b1","changes":[{"action":"create",)"
            R"("after":{"sql":"create table users (id int);\n","transaction":true,"version":"20240101000000"},)"
            R"("before":null,"key":"20240101000000_users","kind":"migration"},{"action":"delete","after":null,)"
            R"("before":{"name":"old"},"key":"c1","kind":"chart"}],"errors":[],"provider":"sql","target":"app-db"}]})");
  EXPECT_EQ(hash(sample()).size(), 64u);
  EXPECT_EQ(hash(sample()), hash(sample()));
}

TEST(PlanHash, IgnoresCommitAndNotes) {
  auto a = sample();
  auto b = sample();
  b.git_sha = "ffffffffffffffffffffffffffffffffffffffff";
  b.targets[0].notes = {"another note"};
  EXPECT_EQ(hash(a), hash(b));
}

TEST(PlanHash, IndependentOfObjectKeyInsertionOrder) {
  auto a = sample();
  auto b = sample();
  nlohmann::json after;
  after["transaction"] = true;
  after["sql"] = "create table users (id int);\n";
  after["version"] = "20240101000000";
  b.targets[0].changes[0].after = after;
  EXPECT_EQ(hash(a), hash(b));
}

TEST(PlanHash, ChangesWithAnythingThatIsApplied) {
  const auto base = hash(sample());
  auto p = sample();
  p.targets[0].changes[0].after["sql"] = "create table users (id bigint);\n";
  EXPECT_NE(hash(p), base);
  p = sample();
  std::swap(p.targets[0].changes[0], p.targets[0].changes[1]);
  EXPECT_NE(hash(p), base) << "order is meaning";
  p = sample();
  p.targets[0].bundle_hash = "b2";
  EXPECT_NE(hash(p), base);
  p = sample();
  p.environment = "prod";
  EXPECT_NE(hash(p), base);
  p = sample();
  p.targets[0].errors.push_back("applied migration file is gone");
  EXPECT_NE(hash(p), base);
}

TEST(PlanJson, RoundTripsAndKeepsTheHash) {
  auto json = to_json(sample());
  EXPECT_EQ(json["git_sha"], sample().git_sha);
  EXPECT_EQ(json["plan_hash"], hash(sample()));
  auto back = from_json(nlohmann::json::parse(json.dump()), "plan.json");
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(hash(*back), hash(sample()));
  EXPECT_EQ(back->git_sha, sample().git_sha);
  EXPECT_EQ(back->targets[0].notes, sample().targets[0].notes);
  EXPECT_EQ(back->targets[0].changes, sample().targets[0].changes);
}

// A plan file from outside (apply --plan, a matrix job's file) is read within a budget:
// a hostile one is one usage error naming the file, never a deep recursion or a
// second reading of a duplicated key.
TEST(PlanJson, APlanFileFromOutsideIsReadWithinABudget) {
  const std::string text = to_json(sample()).dump();
  auto read = parse_plan_json(text, "plan.json");
  ASSERT_TRUE(read) << read.error().to_string();
  EXPECT_EQ(hash(*read), hash(sample()));

  std::string deep = text;
  const std::string nested = std::string(200, '[') + std::string(200, ']');
  deep.replace(deep.find("\"before\":null"), 13, "\"before\":" + nested);
  auto too_deep = parse_plan_json(deep, "plans/plan-db.json");
  ASSERT_FALSE(too_deep);
  EXPECT_EQ(too_deep.error().code, ExitCode::usage);
  EXPECT_NE(too_deep.error().message.find("plans/plan-db.json"), std::string::npos) << too_deep.error().message;
  EXPECT_NE(too_deep.error().message.find("nested deeper than 128 levels"), std::string::npos);

  std::string twice = text;
  twice.replace(twice.find("\"environment\":\"stage\""), 21, "\"environment\":\"stage\",\"environment\":\"prod\"");
  auto duplicated = parse_plan_json(twice, "plan.json");
  ASSERT_FALSE(duplicated);
  EXPECT_NE(duplicated.error().message.find("duplicate key \"environment\""), std::string::npos)
      << duplicated.error().message;
  EXPECT_FALSE(parse_plan_json("{\"format\": 1", "plan.json")) << "cut short";
}

TEST(PlanJson, APartialPlanSaysSoIsHashedApartAndReadsBack) {
  auto partial = sample();
  partial.partial = true;
  EXPECT_NE(hash(partial), hash(sample())) << "a partial plan never hashes like a whole environment's";
  EXPECT_FALSE(to_json(sample()).contains("partial")) << "a whole plan hashes and reads as before";
  auto json = to_json(partial);
  EXPECT_EQ(json["partial"], true);
  auto back = from_json(nlohmann::json::parse(json.dump()), "plan-app.json");
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_TRUE(back->partial);
  EXPECT_EQ(hash(*back), hash(partial));
  json.erase("partial");  // dropped by hand: the plan_hash gives it away
  EXPECT_FALSE(from_json(json, "plan-app.json"));
  json["partial"] = "yes";
  auto wrong = from_json(json, "plan-app.json");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message, "plan-app.json: 'partial' must be true or false");
}

TEST(PlanHash, IgnoresTitles) {
  auto titled = sample();
  titled.targets[0].changes[0].title = "db/migrations/20240101000000_users.sql";
  titled.targets[0].changes[1].title = "Old chart";
  EXPECT_EQ(canonical_text(titled), canonical_text(sample())) << "a title is display only";
  EXPECT_EQ(hash(titled), hash(sample()));
}

TEST(PlanJson, WritesATitleOnlyWhenThereIsOneAndReadsItBack) {
  auto p = sample();
  p.targets[0].changes[1].title = "Revenue `by` | <region>\n";
  auto json = to_json(p);
  EXPECT_FALSE(json["targets"][0]["changes"][0].contains("title")) << "untitled changes have no key";
  EXPECT_EQ(json["targets"][0]["changes"][1]["title"], p.targets[0].changes[1].title);
  EXPECT_EQ(json["plan_hash"], hash(sample()));
  auto back = from_json(nlohmann::json::parse(json.dump()), "plan.json");
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->targets[0].changes, p.targets[0].changes);
  EXPECT_EQ(back->targets[0].changes[0].title, "");

  json["targets"][0]["changes"][1]["title"] = 7;
  auto bad = from_json(json, "plan.json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "plan.json: targets[0].changes[1]: 'title' must be a string");
}

TEST(PlanJson, RejectsAnEditedPlan) {
  auto json = to_json(sample());
  json["targets"][0]["changes"][0]["after"]["sql"] = "drop table users;";
  auto back = from_json(json, "plan.json");
  ASSERT_FALSE(back);
  EXPECT_NE(back.error().message.find("plan_hash does not match"), std::string::npos);
}

TEST(PlanJson, NamesTheBadField) {
  auto json = to_json(sample());
  json["targets"][0]["changes"][1]["action"] = "explode";
  auto back = from_json(json, "plan.json");
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().message, "plan.json: targets[0].changes[1]: unknown action 'explode'");
  EXPECT_FALSE(from_json(nlohmann::json::array(), "plan.json"));
  EXPECT_FALSE(from_json({{"format", 99}}, "plan.json"));
}

TEST(PlanCounts, CountPerAction) {
  auto c = count(sample());
  EXPECT_EQ(c.create, 1);
  EXPECT_EQ(c.remove, 1);
  EXPECT_EQ(c.total(), 2);
  EXPECT_TRUE(sample().has_changes());
  EXPECT_FALSE(sample().has_errors());
  EXPECT_FALSE(Plan{}.has_changes());
}

}  // namespace
}  // namespace converge::plan
