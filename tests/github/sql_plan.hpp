// A plan of one sql target (app-db) with `changes` migrations of `sql_size` bytes of
// SQL each, for the tests of what converge posts about a plan.
#pragma once

#include <string>

#include "converge/plan/plan.hpp"

namespace converge::testing {

inline plan::Plan sql_plan(const std::string& environment, const std::string& sha, int changes,
                           size_t sql_size = 40) {
  plan::Plan p{environment, sha, {}};
  plan::TargetPlan t;
  t.target = "app-db";
  t.provider = "sql";
  t.bundle_hash = "h";
  for (int i = 0; i < changes; ++i)
    t.changes.push_back({plan::Action::create, "migration", "m" + std::to_string(i), nullptr,
                         {{"sql", std::string(sql_size, 'x') + "\n"}}});
  p.targets.push_back(t);
  return p;
}

}  // namespace converge::testing
