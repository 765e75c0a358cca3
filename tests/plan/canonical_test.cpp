// The canonical text written straight into the hash (canonical.cpp) is, byte for byte,
// the canonical part of plan.json as nlohmann dumps it: on seeded random plans with
// nested values, every JSON type, unicode, invalid UTF-8 (replaced alike), findings,
// partial plans and the fields that are not hashed.
#include <gtest/gtest.h>

#include <random>

#include "converge/plan/plan.hpp"
#include "converge/util/sha256.hpp"

namespace converge::plan {
namespace {

using nlohmann::json;

std::string random_text(std::mt19937& random) {
  static const std::vector<std::string> pieces = {"a", "Z", " ", "\"", "\\", "\n", "\t", "é", "日本", "\x01", "\x7f",
                                                  "\xff", "\xc3", "😀", "{{ x }}", "/", "</details>", ""};
  std::string out;
  for (int n = static_cast<int>(random() % 6); n > 0; --n) out += pieces[random() % pieces.size()];
  return out;
}

json random_value(std::mt19937& random, int depth) {
  switch (random() % (depth > 3 ? 6 : 8)) {
    case 0: return nullptr;
    case 1: return random() % 2 == 0;
    case 2: return static_cast<std::int64_t>(random()) - (1LL << 31);
    case 3: return static_cast<double>(random() % 100000) / 7.0;
    case 4: return std::numeric_limits<std::uint64_t>::max() - random() % 10;
    case 5: return random_text(random);
    case 6: {
      json a = json::array();
      for (int n = static_cast<int>(random() % 4); n > 0; --n) a.push_back(random_value(random, depth + 1));
      return a;
    }
    default: {
      json o = json::object();
      for (int n = static_cast<int>(random() % 4); n > 0; --n) o[random_text(random)] = random_value(random, depth + 1);
      return o;
    }
  }
}

Plan random_plan(std::mt19937& random) {
  Plan p;
  p.environment = random_text(random);
  p.git_sha = "0123456789abcdef0123456789abcdef01234567";
  p.partial = random() % 3 == 0;
  for (int t = static_cast<int>(random() % 3); t > 0; --t) {
    TargetPlan target;
    target.target = random_text(random);
    target.provider = random_text(random);
    target.bundle_hash = random_text(random);
    for (int c = static_cast<int>(random() % 5); c > 0; --c)
      target.changes.push_back({kActions[random() % kActions.size()], random_text(random), random_text(random),
                                random_value(random, 0), random_value(random, 0), random_text(random)});
    for (int e = static_cast<int>(random() % 3); e > 0; --e) target.errors.push_back(random_text(random));
    target.notes.push_back(random_text(random));
    target.observations.push_back(random_text(random));
    for (int f = static_cast<int>(random() % 3); f > 0; --f)
      target.findings.push_back({random_text(random), Severity::warning, random_text(random),
                                 static_cast<int>(random() % 500), random_text(random), random() % 2 == 0,
                                 random_text(random)});
    p.targets.push_back(std::move(target));
  }
  return p;
}

// plan.json without what is not hashed, dumped as the canonical text was before it was streamed.
std::string reference_text(const Plan& p) {
  json doc = to_json(p);
  for (const char* key : {"git_sha", "plan_hash", "destructive"}) doc.erase(key);
  for (auto& target : doc["targets"]) {
    for (const char* key : {"notes", "observations", "destructive", "schema_preview"}) target.erase(key);
    for (auto& change : target["changes"]) change.erase("title");
  }
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

TEST(CanonicalText, IsPlanJsonsCanonicalPartByteForByteOnRandomPlans) {
  std::mt19937 random(15);
  for (int i = 0; i < 2000; ++i) {
    const Plan p = random_plan(random);
    const std::string expected = reference_text(p);
    ASSERT_EQ(canonical_text(p), expected) << "plan " << i;
    ASSERT_EQ(hash(p), util::sha256_hex(expected)) << "plan " << i;
  }
}

TEST(CanonicalText, AHashOfAPlanLongerThanOneChunkIsTheHashOfItsWholeText) {
  Plan p;
  p.environment = "prod";
  TargetPlan t;
  t.target = "infra";
  t.provider = "terraform";
  for (int i = 0; i < 3000; ++i)
    t.changes.push_back({Action::update, "resource", "aws_instance.web[" + std::to_string(i) + "]",
                         {{"size", "t3.small"}, {"user_data", std::string(100, 'x')}},
                         {{"size", "t3.large"}, {"user_data", std::string(100, 'y')}}});
  p.targets.push_back(std::move(t));
  const std::string text = canonical_text(p);
  ASSERT_GT(text.size(), 3u * 64 * 1024) << "spans several of the writer's chunks";
  EXPECT_EQ(text, reference_text(p));
  EXPECT_EQ(hash(p), util::sha256_hex(text));
}

}  // namespace
}  // namespace converge::plan
