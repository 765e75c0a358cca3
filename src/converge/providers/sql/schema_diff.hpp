// The PR schema diff: reads two schema dumps (Database::dump_schema() text, before
// and after the pending migrations) into objects and says what changed, table by
// table and object by object, for reviewers (internal to the sql provider).
#pragma once

#include <string_view>
#include <vector>

#include "converge/plan/plan.hpp"
#include "converge/providers/sql/transaction_control.hpp"

namespace converge::providers::sql {

// What `after` adds, changes and drops compared with `before`: tables first (a changed
// table lists its columns — type, default, nullability —, indexes, constraints,
// triggers, policies, comments and other statements on it as parts; an added table
// lists its columns, indexes and constraints), then every other object (views,
// functions, types, sequences, …) by kind and name. Every statement of the dumps is
// accounted for: one that is not understood is an object of kind "statement" named by
// its text, so no difference goes unlisted. Empty when the dumps hold the same objects.
std::vector<plan::SchemaChange> diff_schemas(std::string_view before, std::string_view after, Dialect dialect);

}  // namespace converge::providers::sql
