// Issue 15's Terraform case: a 50 MB `terraform show -json` plan (seeded, 50,000-odd
// resource changes with nested, sensitive and unknown values) read into changes,
// hashed and rendered as the plan comment, in under a second and in memory under 4x
// the file. Counters: file_mb, peak_mb (the file's text plus what the process's
// resident memory grew by at its peak while reading, hashing and rendering it) and
// memory_ratio (peak_mb / file_mb); read_ms, hash_ms and render_ms, where the time goes.
#include <malloc.h>

#include <chrono>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "converge/plan/render.hpp"
#include "converge/providers/terraform/plan_json.hpp"
#include "support.hpp"

namespace converge::bench {
namespace {

using nlohmann::json;

// A field of /proc/self/status in MiB ("VmRSS", "VmHWM").
double status_mb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with(field + ":")) return std::stod(line.substr(field.size() + 1)) / 1024.0;
  return 0;
}

// Gives the memory freed so far back to the system (so that what the next step needs
// shows as growth, not as reuse of an earlier iteration's), then resets the peak
// resident set (VmHWM) to the current one.
void reset_peak() {
  ::malloc_trim(0);
  std::ofstream("/proc/self/clear_refs") << "5";
}

std::string make_plan(std::size_t bytes) {
  std::mt19937 random(15);
  json changes = json::array();
  std::size_t size = 0;
  const char* const actions[][2] = {{"update", ""}, {"create", ""}, {"delete", ""}, {"delete", "create"}};
  for (int i = 0; size < bytes; ++i) {
    const auto& a = actions[random() % 4];
    json verbs = a[1][0] ? json::array({a[0], a[1]}) : json::array({a[0]});
    json before = {{"ami", "ami-" + std::to_string(random())},
                   {"instance_type", "t3.large"},
                   {"password", "secret-" + std::to_string(i)},
                   {"tags", {{"Name", "web-" + std::to_string(i)}, {"Team", "platform"}, {"Cost", "1234"}}},
                   {"network", {{"subnets", {"subnet-a", "subnet-b", "subnet-c"}}, {"ipv6", false}}},
                   {"user_data", std::string(200 + random() % 400, 'x')}};
    json after = before;
    after["instance_type"] = "t3.xlarge";
    after.erase("network");
    json entry = {{"address", "aws_instance.web[" + std::to_string(i) + "]"},
                  {"mode", "managed"},
                  {"type", "aws_instance"},
                  {"name", "web"},
                  {"index", i},
                  {"provider_name", "registry.terraform.io/hashicorp/aws"},
                  {"change",
                   {{"actions", verbs},
                    {"before", verbs[0] == "create" ? json() : before},
                    {"after", verbs[0] == "delete" && verbs.size() == 1 ? json() : after},
                    {"after_unknown", {{"id", true}, {"network", true}}},
                    {"before_sensitive", {{"password", true}}},
                    {"after_sensitive", {{"password", true}}}}}};
    if (verbs.size() == 2) entry["action_reason"] = "replace_because_cannot_update";
    size += entry.dump().size() + 1;
    changes.push_back(std::move(entry));
  }
  return json({{"format_version", "1.2"},
               {"terraform_version", "1.9.8"},
               {"planned_values", {{"root_module", json::object()}}},
               {"resource_changes", std::move(changes)},
               {"output_changes", json::object()}})
      .dump();
}

void BM_TerraformPlanHashAndComment(benchmark::State& state) {
  const std::string text = make_plan(static_cast<std::size_t>(state.range(0)) * 1024 * 1024);
  const double file_mb = static_cast<double>(text.size()) / (1024.0 * 1024.0);
  double peak = 0, read_ms = 0, hash_ms = 0, render_ms = 0;
  using Clock = std::chrono::steady_clock;
  const auto since = [](Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  };
  for (auto _ : state) {
    reset_peak();
    const double resident = status_mb("VmRSS");
    auto start = Clock::now();
    auto read = providers::terraform::read_plan(text, "bench plan");
    if (!read) return state.SkipWithError(read.error().to_string().c_str());
    plan::Plan p;
    p.environment = "prod";
    p.targets.push_back(providers::terraform::target_plan(std::move(*read), "infra"));
    read_ms += since(start);
    start = Clock::now();
    benchmark::DoNotOptimize(plan::hash(p));
    hash_ms += since(start);
    start = Clock::now();
    benchmark::DoNotOptimize(plan::render_markdown(p, 65536).size());
    render_ms += since(start);
    peak = std::max(peak, file_mb + status_mb("VmHWM") - resident);
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["read_ms"] = read_ms / n;
  state.counters["hash_ms"] = hash_ms / n;
  state.counters["render_ms"] = render_ms / n;
  state.counters["file_mb"] = file_mb;
  state.counters["peak_mb"] = peak;
  state.counters["memory_ratio"] = peak / file_mb;
}
CONVERGE_BENCHMARK(BM_TerraformPlanHashAndComment)
    ->Apply([](auto* b) { sized(b, {50}, 1); })
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace converge::bench
