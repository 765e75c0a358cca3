// Replays migrations on a scratch database (replay.hpp): the PR schema diff, the
// stale-snapshot check, and the snapshot `plan --write-snapshot` writes.
#include "converge/providers/sql/replay.hpp"

#include "converge/providers/sql/schema_diff.hpp"
#include "converge/util/text_diff.hpp"

namespace converge::providers::sql {
namespace {

using nlohmann::json;

// Runs the migrations `pick` accepts, in the bundle's (version) order; "" when all ran,
// else why the first failing one failed.
std::string run_some(Database& db, const json& migrations, const std::function<bool(const std::string&)>& pick,
                     const RunMigration& run) {
  for (const auto& m : migrations) {
    if (!pick(m.at("version").get<std::string>())) continue;
    if (std::string why = run(db, m); !why.empty()) return why;
  }
  return "";
}

}  // namespace

Expected<void> preview_schema(Database& target, const json& migrations, const std::set<std::string>& applied,
                              const PreviewTarget& spec, const RunMigration& run, plan::TargetPlan& out) {
  const std::string skipped = "the PR schema diff and the check of " + spec.snapshot_file + " were skipped: ";
  auto made = make_scratch(spec.url, spec.dump);
  if (!made.scratch) {
    out.schema_preview.notes.push_back(skipped + made.why_not);
    return {};
  }
  Database& db = made.scratch->db();
  if (auto ok = db.ensure_migrations_table(); !ok) {
    out.schema_preview.notes.push_back(skipped + ok.error().message);
    return {};
  }
  auto is_applied = [&](const std::string& v) { return applied.contains(v); };
  if (std::string why = run_some(db, migrations, is_applied, run); !why.empty()) {
    out.schema_preview.notes.push_back(skipped + "an applied migration fails when replayed on an empty database: " + why);
    return {};
  }
  auto before = db.dump_schema();
  if (!before) return fail(before.error().with_context("the scratch database"));
  // The replay stands for the target only when it gives the target's live schema;
  // otherwise (drift, objects no migration made) what fails or differs on the scratch
  // database need not on the target, and is said as a note, not a plan error.
  auto live = target.dump_schema();
  if (!live) return fail(live.error());
  const bool faithful = *live == *before;
  const std::string unlike = "the applied migrations replayed on an empty database do not give the target's live "
                             "schema (schema drift, or objects no migration made)";
  if (std::string why = run_some(db, migrations, [&](const std::string& v) { return !is_applied(v); }, run);
      !why.empty()) {
    if (faithful)
      out.errors.push_back(why + " (replayed on a scratch database before it reaches the target: the apply would fail)");
    else
      out.schema_preview.notes.push_back(skipped + "a pending migration fails on a scratch database, but " + unlike +
                                         ", so it may not fail on the target: " + why);
    return {};
  }
  auto after = db.dump_schema();
  if (!after) return fail(after.error().with_context("the scratch database"));
  out.schema_preview.changes = diff_schemas(*before, *after, spec.dialect);
  out.schema_preview.snapshot = spec.snapshot_file;
  out.schema_preview.regenerate = spec.regenerate;

  if (spec.snapshot.empty()) {
    out.schema_preview.notes.push_back("no " + spec.snapshot_file + " is committed, so it is not checked; `" +
                                       spec.regenerate + "` writes it");
    return {};
  }
  if (!faithful) {
    out.schema_preview.notes.push_back("the check of " + spec.snapshot_file + " was skipped: " + unlike +
                                       ", so what the pending migrations produce cannot be compared with the snapshot");
    return {};
  }
  auto texts = db.compare_schema(spec.snapshot);
  if (!texts) return fail(texts.error().with_context(spec.snapshot_file));
  if (texts->live == texts->snapshot) return {};
  out.errors.push_back(spec.snapshot_file + " is stale: the pending migrations produce a different schema; run `" +
                       spec.regenerate + "` and commit it");
  out.schema_preview.stale_diff =
      util::unified_diff(texts->snapshot, texts->live, "committed/" + spec.snapshot_file, "migrated/" + spec.snapshot_file);
  return {};
}

Expected<std::string> replayed_snapshot(const json& migrations, const PreviewTarget& spec, const RunMigration& run,
                                        const std::function<Expected<std::string>(Scratch&)>& write) {
  auto made = make_scratch(spec.url, spec.dump);
  if (!made.scratch)
    return fail(Error::runtime("cannot write " + spec.snapshot_file + ": no scratch database: " + made.why_not));
  Database& db = made.scratch->db();
  if (auto ok = db.ensure_migrations_table(); !ok) return fail(ok.error());
  if (std::string why = run_some(db, migrations, [](const std::string&) { return true; }, run); !why.empty())
    return fail(Error::runtime("cannot write " + spec.snapshot_file + ": " + why));
  return write(*made.scratch);
}

}  // namespace converge::providers::sql
