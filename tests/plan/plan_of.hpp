// A plan of a given size for the layout tests: `targets` sql targets ("db0", …) of
// `per_target` created migrations with `lines` lines of SQL each.
#pragma once

#include <string>

#include "converge/plan/plan.hpp"

namespace converge::plan {

inline Plan plan_of(int targets, int per_target, int lines) {
  Plan p;
  p.environment = "prod";
  for (int t = 0; t < targets; ++t) {
    TargetPlan target;
    target.target = "db" + std::to_string(t);
    target.provider = "sql";
    for (int c = 0; c < per_target; ++c) {
      std::string sql;
      for (int l = 0; l < lines; ++l) sql += "select " + std::to_string(l) + ";\n";
      target.changes.push_back({Action::create, "migration", std::to_string(c) + "_m", nullptr, {{"sql", sql}}});
    }
    p.targets.push_back(std::move(target));
  }
  return p;
}

}  // namespace converge::plan
