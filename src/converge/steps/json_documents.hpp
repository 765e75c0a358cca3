// The documents plan, apply and drift-verify print on standard output with --json
// (data_out.hpp writes them; describe's is in describe_step.cpp). docs/json.md is
// the reader's copy of this; every document has "format" (1 for all of them now;
// raised when a field changes meaning or goes away, not when one is added).
//
// plan (format 1):
//   {"format": 1, "environment": str, "git_sha": str, "plan_hash": str,
//    "has_changes": bool, "has_errors": bool, "destructive": bool,
//    "counts": {"create", "update", "delete", "replace", "total": int},
//    "targets": [{"target": str, "provider": str, "has_changes": bool,
//                 "has_errors": bool, "destructive": bool, "counts": {…},
//                 "errors": [str]}],
//    "plan": <plan.json, exactly what --out writes (plan/plan.hpp)>}
// apply (format 1):
//   {"format": 1, "environment": str, "git_sha": str, "plan_hash": str,
//    "dry_run": bool, "status": "success" | "failure" | "dry-run",
//    "has_changes": bool, "counts": {…}, "gates": [str] (what each gate found),
//    "result": <the apply result (steps/session.hpp, format 2, "mac" "")> | null
//              (null on a dry run)}
// drift-verify (format 1):
//   {"format": 1, "environment": str, "git_sha": str, "drift": bool (found),
//    "applied": bool (--apply ran an apply), "reconciled": bool (and the runtime
//    equals Git now), "drift_remains": bool,
//    "targets": [{"target": str, "drift": bool, "items": [{"action", "kind", "key",
//                 "title" (only when the item has one)}], "errors": [str]}],
//    "result": <the apply result, as in apply's document> | null (nothing applied),
//    "remaining": <"targets" as verified after --apply> | null (not verified again)}
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "converge/plan/plan.hpp"
#include "converge/steps/session.hpp"

namespace converge::steps {

nlohmann::json plan_document(const plan::Plan& plan);

// `result` null on a dry run (nothing applied); `gates` the gates' own lines.
nlohmann::json apply_document(const plan::Plan& plan, const ApplyResult* result, const std::vector<std::string>& gates);

// `found`: the first plan; `result`: what --apply applied (null: nothing); `after`:
// the plan verified after it (null: not verified again, the apply failed).
nlohmann::json drift_document(const plan::Plan& found, const ApplyResult* result, const plan::Plan* after);

}  // namespace converge::steps
