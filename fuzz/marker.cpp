// Fuzz target: the hidden markers converge finds its own items by: the plan
// comment's first-line marker, its status line, the plan record's description.
// The input is a comment body (or status description). Beyond "no crash", it
// checks that a marker (or a record's comment place) converge accepts survives a
// write and re-read unchanged, so a value cannot smuggle a second marker field
// into what converge writes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "converge/github/plan_comment.hpp"
#include "converge/github/plan_record.hpp"

namespace gh = converge::github;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)gh::is_plan_comment(body, "prod");
  (void)gh::recorded_plan_hash(body);
  (void)gh::with_status(body, "applied at 0123456 by https://github.com/o/r/actions/runs/1");
  converge::plan::Plan plan;
  plan.environment = "prod";
  (void)gh::shows_plan(body, plan, "0123456789abcdef0123456789abcdef01234567", "https://github.com/o/r/actions/runs/1");
  if (auto place = gh::recorded_comment(body)) {
    auto again = gh::recorded_comment(gh::plan_description(gh::recorded_plan_hash(body), place));
    if (!again || again->id != place->id || again->since != place->since)
      std::abort();  // plan_description wrote a place recorded_comment reads differently
  }
  if (auto marker = gh::find_marker(body)) {
    auto again = gh::find_marker(gh::marker_line(*marker));
    if (!again || again->environment != marker->environment || again->sha != marker->sha ||
        again->plan_hash != marker->plan_hash)
      std::abort();  // marker_line wrote something find_marker reads differently
  }
  return 0;
}
