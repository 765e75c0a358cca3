// Migrations replayed on a scratch database (scratch.hpp), never on the target: the PR
// schema diff and stale-snapshot check of plan / plan-comment, and the snapshot that
// `plan --write-snapshot` writes (internal to the sql provider).
//
// The replay runs, in version order, the migrations the target has applied (the
// versions in its schema_migrations that have files), dumps the schema ("before"),
// runs the pending ones and dumps again ("after"); each migration runs as apply runs
// it (the caller's RunMigration), so a migration that fails here names its file:line
// as a failed apply would.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "converge/plan/plan.hpp"
#include "converge/providers/sql/database.hpp"
#include "converge/providers/sql/scratch.hpp"
#include "converge/providers/sql/transaction_control.hpp"

namespace converge::providers::sql {

// Runs one migration of the bundle (its "migrations" entry) on `db` as apply does;
// "" on success, else why it failed, led by "file:line: " where that is known.
using RunMigration = std::function<std::string(Database& db, const nlohmann::json& migration)>;

// What the preview needs to know of the target.
struct PreviewTarget {
  std::string url;
  DumpSettings dump;
  Dialect dialect = Dialect::sqlite;
  std::string snapshot_file;  // "db/schema.sql"
  std::string snapshot;       // the committed text
  std::string regenerate;     // the command that rewrites it
};

// Adds the schema preview of the pending migrations to `out`: the PR schema diff
// (out.schema_preview.changes) and, when the committed snapshot is not what the
// migrations produce, a plan error and the snapshot diff (out.schema_preview.stale_diff).
// The stale check needs the replay of the applied migrations to give the target's live
// schema (`target` dumped): when it does not (drift, or objects no migration made), a
// note says the check was skipped and why, and only the diff is shown. A pending
// migration that fails on the scratch database is a plan error naming its file:line
// (a note when the replay does not give the live schema: it may not fail there); no
// scratch database (a role without CREATEDB), or an applied migration that fails
// there, is a note saying the preview was skipped and why. Error (runtime) only when a
// dump fails.
Expected<void> preview_schema(Database& target, const nlohmann::json& migrations, const std::set<std::string>& applied,
                              const PreviewTarget& spec, const RunMigration& run, plan::TargetPlan& out);

// Replays every migration on a scratch database and hands it, at the end, to `write`
// (which turns it into the snapshot file's text). Error (runtime) naming the failing
// migration, or why no scratch database could be made.
Expected<std::string> replayed_snapshot(const nlohmann::json& migrations, const PreviewTarget& spec,
                                        const RunMigration& run,
                                        const std::function<Expected<std::string>(Scratch&)>& write);

}  // namespace converge::providers::sql
