// Placeholder until the plan reader lands (h1).
#include "converge/providers/terraform/plan_json.hpp"

namespace converge::providers::terraform {

Expected<ReadPlan> read_plan(std::string_view, std::string_view origin, const ReadOptions&) {
  return fail(Error::runtime(std::string(origin) + ": the plan reader is not written yet"));
}

}  // namespace converge::providers::terraform
