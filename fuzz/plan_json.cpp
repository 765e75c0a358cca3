// Fuzz target: plan.json as `apply --plan` reads it back (a file from a workflow
// artifact). Beyond "no crash", a plan that reads must render and hash, and its
// JSON must read back to the same canonical text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "converge/plan/plan.hpp"
#include "converge/plan/render.hpp"

namespace plan = converge::plan;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (json.is_discarded()) return 0;
  auto p = plan::from_json(json, "plan.json");
  if (!p) return 0;
  (void)plan::hash(*p);
  (void)plan::render_markdown(*p, 4096);
  (void)plan::render_text(*p);
  auto again = plan::from_json(plan::to_json(*p), "plan.json");
  if (!again || plan::canonical_text(*again) != plan::canonical_text(*p)) std::abort();
  return 0;
}
