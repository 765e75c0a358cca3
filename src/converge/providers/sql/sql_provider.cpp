// The `sql` provider: desired state = dbmate-format migrations + the committed schema
// snapshot; actual state = the database's schema_migrations table and live schema.
//
// Bundle content (format 1): {"format": 1, "snapshot_file", "snapshot": text ("" when
// the file is absent), "migrations": [{"version", "name", "file", "sql", "down" (the
// down block), "transaction", "up_line" (the line of the up marker in the file)}]} in
// version order. Its hash
// covers versions, names, file contents and the snapshot text (no paths, no mtimes),
// so it is the same on every machine.
#include "converge/providers/sql/sql_provider.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <set>

#include "converge/providers/sql/database.hpp"
#include "converge/providers/sql/dbmate_snapshot.hpp"
#include "converge/providers/sql/lint.hpp"
#include "converge/providers/sql/migration.hpp"
#include "converge/providers/sql/replay.hpp"
#include "converge/util/fs.hpp"
#include "converge/util/sha256.hpp"

namespace converge::providers::sql {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kSavepoint = "SAVEPOINT converge_migration";
constexpr const char* kReleaseSavepoint = "RELEASE SAVEPOINT converge_migration";
constexpr const char* kRollbackKind = "rollback migration";
constexpr const char* kDriftHint = "write a migration that explains this change, or stop making ad-hoc DDL changes";

std::string latest(const std::vector<std::string>& versions) {
  std::string best;
  for (const auto& v : versions)
    if (best.empty() || version_less(best, v)) best = v;
  return best;
}

void hash_field(util::Sha256& sha, std::string_view field) {
  sha.update(std::to_string(field.size()) + ":");
  sha.update(field);
}

struct Options {
  std::string url;
  std::string migrations;  // relative to repo_root (or absolute)
  std::string snapshot;
  SnapshotFormat snapshot_format = SnapshotFormat::converge;  // the file apply writes (either is read)
  bool strict = true;
  LintConfig lint;  // severity per lint rule (lint.hpp)
  Timeouts timeouts;
  DumpSettings dump;  // `pg_dump`, `privileges` (PostgreSQL)
};

class SqlProvider final : public Provider {
 public:
  SqlProvider(TargetSpec spec, Options options) : spec_(std::move(spec)), options_(std::move(options)) {}

  std::vector<fs::path> source_paths() const override {
    return {spec_.repo_root / options_.migrations, spec_.repo_root / options_.snapshot};
  }

  Expected<Bundle> compile() override {
    auto migrations = load_migrations(spec_.repo_root / options_.migrations, spec_.repo_root);
    if (!migrations) return fail(migrations.error());
    std::string snapshot;
    fs::path snapshot_path = spec_.repo_root / options_.snapshot;
    std::error_code ec;
    if (fs::exists(snapshot_path, ec)) {
      auto text = util::read_file(snapshot_path);
      if (!text) return fail(text.error());
      snapshot = std::move(*text);
    }
    util::Sha256 sha;
    hash_field(sha, "converge-sql-bundle-1");
    json list = json::array();
    for (const auto& m : *migrations) {
      hash_field(sha, m.version);
      hash_field(sha, m.name);
      hash_field(sha, m.content);
      list.push_back({{"version", m.version}, {"name", m.name}, {"file", m.file}, {"sql", m.up},
                      {"down", m.down}, {"transaction", m.transaction}, {"down_transaction", m.down_transaction}, {"up_line", m.up_line}, {"down_line", m.down_line}});
    }
    hash_field(sha, "snapshot");
    hash_field(sha, snapshot);
    return Bundle{sha.hex(), json{{"format", 1}, {"migrations", std::move(list)},
                                  {"snapshot", snapshot}, {"snapshot_file", options_.snapshot}}};
  }

  // Migrations are never deleted, so what converge manages does not matter here.
  Expected<plan::TargetPlan> plan(const Bundle& desired, const PlanContext& context) override {
    plan::TargetPlan out;  // the other fields start empty
    out.target = spec_.name;
    out.provider = "sql";
    out.bundle_hash = desired.hash;
    auto db = open(OpenMode::read);
    if (!db) return fail(db.error());
    auto applied = (*db)->applied_versions();
    if (!applied) return fail(applied.error());
    std::set<std::string> applied_set(applied->begin(), applied->end());
    if (auto ok = check_pending(**db, desired, applied_set); !ok) return fail(ok.error());
    std::set<std::string> files;
    for (const auto& m : desired.content.at("migrations")) files.insert(m.at("version").get<std::string>());

    std::vector<std::string> ordered(applied->begin(), applied->end());
    std::sort(ordered.begin(), ordered.end(), version_less);
    std::string newest_file = latest({files.begin(), files.end()});
    bool rollback = std::all_of(ordered.begin(), ordered.end(), [&](const std::string& v) {
      return files.contains(v) || newest_file.empty() || version_less(newest_file, v);
    });
    if (rollback) {
      if (auto ok = plan_rollback(**db, ordered, files, out); !ok) return fail(ok.error());
    } else {
      for (const auto& v : ordered)
        if (!files.contains(v))
          out.errors.push_back("version " + v + " is applied in the database but its migration file is missing from " +
                               options_.migrations + " and newer migrations are there (restore the file; converge "
                               "rolls back only to an older commit whose migrations the database ran first; if "
                               "another branch that deploys this environment applied it — every dev/** branch "
                               "shares one dev database — merge that branch into yours first: docs/adopt.md#one-dev-runtime)");
    }

    std::vector<std::string> kept;
    for (const auto& v : ordered)
      if (files.contains(v)) kept.push_back(v);
    std::string highest = latest(kept);
    for (const auto& m : desired.content.at("migrations")) {
      std::string version = m.at("version"), key = m.at("name").get<std::string>().empty()
                                                     ? version : version + "_" + m.at("name").get<std::string>();
      if (applied_set.contains(version)) continue;
      if (!highest.empty() && version_less(version, highest)) {
        std::string what = "migration " + m.at("file").get<std::string>() +
                           " is older than the latest applied version " + highest;
        if (options_.strict) {
          out.errors.push_back(what + " (out of order: set `strict: false` to apply it anyway, or, when another "
                               "branch that deploys this environment applied the newer one, merge that branch into "
                               "yours and renumber yours after it: docs/adopt.md#one-dev-runtime)");
        } else {
          out.notes.push_back(what + "; applying it out of order (strict: false)");
        }
      }
      out.changes.push_back(migration_change(m));
      if (!m.at("transaction").get<bool>())
        out.notes.push_back("migration " + key + " is transaction:false and NOT atomic: if one of its statements "
                            "fails, the statements before it stay applied");
    }

    lint(desired, applied_set, options_.strict ? "" : highest, out);
    if (!out.changes.empty()) {
      out.notes.push_back("the schema is compared with " + options_.snapshot + " after the pending migrations are applied");
      if (context.preview)
        if (auto ok = preview(**db, desired, applied_set, out); !ok) return fail(ok.error());
      return out;
    }
    auto schema = (*db)->compare_schema(desired.content.value("snapshot", ""));
    if (!schema) return fail(schema.error().with_context(options_.snapshot));
    if (schema->live != schema->snapshot)
      out.changes.push_back(plan::Change{.action = plan::Action::update, .kind = "schema", .key = "schema",
                                         .before = schema->live, .after = schema->snapshot,
                                         .title = options_.snapshot});
    return out;
  }

  Expected<ApplyReport> apply(const Bundle& desired, const plan::TargetPlan& changes) override {
    if (auto ok = refuse_plan_errors(changes, spec_.name); !ok) return fail(ok.error());
    // Only migrations write: a plan of drift alone leaves even an empty database untouched.
    bool migrates = std::any_of(changes.changes.begin(), changes.changes.end(),
                                [](const plan::Change& c) { return c.kind != "schema"; });
    auto db = open(migrates ? OpenMode::write : OpenMode::read);
    if (!db) return fail(db.error());
    if (migrates) {
      // On the apply's own connection, so every migration runs under them.
      if (auto ok = (*db)->set_timeouts(options_.timeouts); !ok) return fail(ok.error());
      if (auto ok = (*db)->ensure_migrations_table(); !ok) return fail(ok.error());
    }
    auto before = (*db)->applied_versions();
    if (!before) return fail(before.error());
    std::set<std::string> applied(before->begin(), before->end());

    ApplyReport report;
    for (const auto& change : changes.changes) {
      if (change.kind == "schema") {
        report.warnings.push_back("schema drift on target '" + spec_.name + "': the live schema differs from " +
                                  options_.snapshot + " and converge does not alter or drop objects on its own; " +
                                  kDriftHint);
        continue;
      }
      std::string why;
      run_change(change.key, [&] {
        why = run_migration(**db, desired, change, applied);
        return why.empty();
      });
      if (!why.empty()) {
        report.failed_key = change.key;
        report.error = failed_at(**db, desired, change) + why;
        break;
      }
      report.applied.push_back(change.key);
      if (change.kind == kRollbackKind)
        applied.erase(change.before.at("version").get<std::string>());
      else
        applied.insert(change.after.at("version").get<std::string>());
      report.version = latest({applied.begin(), applied.end()});
      report_progress(report);
    }

    if (report.ok() && !report.applied.empty()) {
      auto live = (*db)->dump_schema();
      if (!live) {
        report.warnings.push_back("could not dump the schema to update " + options_.snapshot + ": " + live.error().message);
      } else {
        auto text = snapshot_text(**db, *live);
        if (!text)
          report.warnings.push_back("could not dump the schema to update " + options_.snapshot + ": " + text.error().message);
        else if (auto ok = util::write_file_atomic(spec_.repo_root / options_.snapshot, *text); !ok)
          report.warnings.push_back("could not write " + options_.snapshot + ": " + ok.error().message);
        auto compared = (*db)->compare_schema(desired.content.value("snapshot", ""));
        if (!compared || compared->live != compared->snapshot)
          report.warnings.push_back("after the migrations the live schema differs from the committed " +
                                    options_.snapshot + "; the new dump was written there: review and commit it");
      }
    }
    auto after = (*db)->applied_versions();
    report.version = after ? latest(*after) : latest({applied.begin(), applied.end()});
    return report;
  }

  // The database's apply lock (target_lock.cpp): one apply at a time per database.
  Expected<std::unique_ptr<Lock>> lock(const LockRequest& request) override {
    return lock_database(options_.url, spec_.repo_root, request);
  }

  Expected<std::string> runtime_version() override {
    auto db = open(OpenMode::read);
    if (!db) return fail(db.error());
    auto applied = (*db)->applied_versions();
    if (!applied) return fail(applied.error());
    return latest(*applied);
  }

 private:
  // The plan's change that applies migration `m` (a bundle entry), titled with its
  // file (relative to the repository root), which holds the key.
  static plan::Change migration_change(const json& m) {
    std::string version = m.at("version"), name = m.at("name");
    return plan::Change{.action = plan::Action::create, .kind = "migration",
                        .key = name.empty() ? version : version + "_" + name, .before = nullptr,
                        .after = json{{"version", version}, {"name", name}, {"sql", m.at("sql")},
                                      {"transaction", m.at("transaction")}},
                        .title = m.at("file")};
  }

  // What a replay on a scratch database (replay.hpp) needs to know of this target.
  PreviewTarget preview_target(const Bundle& desired) const {
    return PreviewTarget{.url = options_.url, .dump = options_.dump,
                         .dialect = is_sqlite_url(options_.url) ? Dialect::sqlite : Dialect::postgres,
                         .snapshot_file = options_.snapshot, .snapshot = desired.content.value("snapshot", ""),
                         .regenerate = "converge plan --env " + spec_.environment + " --write-snapshot"};
  }

  // Runs a migration of `desired` on a scratch database exactly as apply does
  // (run_migration), its failure led by file:line (failed_at).
  RunMigration runner(const Bundle& desired) {
    return [this, &desired](Database& db, const json& m) {
      plan::Change change = migration_change(m);
      std::string why = run_migration(db, desired, change, {});
      return why.empty() ? why : failed_at(db, desired, change) + why;
    };
  }

  // plan / plan-comment: the PR schema diff and the stale-snapshot check of pending
  // migrations (replay.hpp); nothing for a rollback, which replays no migration.
  Expected<void> preview(Database& db, const Bundle& desired, const std::set<std::string>& applied,
                         plan::TargetPlan& out) {
    if (std::any_of(out.changes.begin(), out.changes.end(), [](const plan::Change& c) { return c.kind != "migration"; }))
      return {};
    return preview_schema(db, desired.content.at("migrations"), applied, preview_target(desired), runner(desired), out);
  }

 public:
  // `plan --write-snapshot`: every migration replayed on a scratch database, its schema
  // written to the snapshot file in the target's snapshot format.
  Expected<std::vector<std::string>> write_snapshot(const Bundle& desired) override {
    auto text = replayed_snapshot(desired.content.at("migrations"), preview_target(desired), runner(desired),
                                  [this](Scratch& scratch) -> Expected<std::string> {
                                    auto live = scratch.db().dump_schema();
                                    if (!live) return fail(live.error());
                                    return snapshot_text(scratch.db(), *live);
                                  });
    if (!text) return fail(text.error().with_context("sql target '" + spec_.name + "'"));
    if (auto ok = util::write_file_atomic(spec_.repo_root / options_.snapshot, *text); !ok) return fail(ok.error());
    return std::vector<std::string>{options_.snapshot};
  }

 private:
  // Runs the migration lint on the pending migrations (the applied ones are read for
  // the columns' types): the findings go into the plan, where an error-level one makes
  // it unappliable and a destructive one marks it destructive (plan.hpp). Out-of-order
  // versions are linted only when `strict: false` (strict makes them a plan error).
  void lint(const Bundle& desired, const std::set<std::string>& applied, const std::string& highest,
            plan::TargetPlan& out) const {
    std::vector<Migration> pending, history;
    for (const auto& m : desired.content.at("migrations"))
      (applied.contains(m.at("version").get<std::string>()) ? history : pending)
          .push_back(Migration{.version = m.at("version"), .name = m.at("name"), .file = m.at("file"),
                               .content = {}, .up = m.at("sql"), .down = m.value("down", ""),
                               .transaction = m.at("transaction"), .up_line = m.value("up_line", 0),
                               .down_line = m.value("down_line", 0)});
    Dialect dialect = is_sqlite_url(options_.url) ? Dialect::sqlite : Dialect::postgres;
    out.findings = lint_migrations(pending, dialect, highest, options_.lint, history);
  }

  // The snapshot file apply writes for the live schema `live` (dump_schema()): `live`
  // itself, or with `snapshot_format: dbmate` the file `dbmate dump` writes.
  Expected<std::string> snapshot_text(Database& db, const std::string& live) const {
    if (options_.snapshot_format == SnapshotFormat::converge) return live;
    return db.dump_dbmate();
  }

  Expected<std::unique_ptr<Database>> open(OpenMode mode) {
    auto db = open_database(options_.url, spec_.repo_root, mode, options_.dump);
    if (!db) return fail(db.error().with_context("sql target '" + spec_.name + "'"));
    return db;
  }

  // "file:line: " of the statement a failed migration stopped at (the server's error
  // position, else the start of the failing statement); "" when the failure was not in
  // the migration's own script.
  std::string failed_at(const Database& db, const Bundle& desired, const plan::Change& change) const {
    if (change.kind != "migration") return "";
    const auto& spot = db.error_spot();
    std::string version = change.after.value("version", "");
    for (const auto& m : desired.content.at("migrations")) {
      if (m.at("version") != version) continue;
      if (spot.script != m.at("sql").get_ref<const std::string&>()) return "";
      int up_line = m.value("up_line", 0), line = 0;
      if (spot.offset) {
        line = file_line(spot.script, *spot.offset, up_line);
      } else if (spot.statement) {
        auto statements = split_statements(spot.script, is_sqlite_url(options_.url) ? Dialect::sqlite : Dialect::postgres);
        if (*spot.statement < statements.size()) line = up_line + statements[*spot.statement].line;
      }
      return m.at("file").get<std::string>() + (line > 0 ? ":" + std::to_string(line) : "") + ": ";
    }
    return "";
  }

  // Refuses a pending migration that could not apply all or nothing: transaction
  // control in a transactional one (file:line, see check_transaction_control), or a
  // version longer than schema_migrations.version holds, which would run and then fail
  // to be recorded (the file). Applied migrations are history and are not judged:
  // dbmate may have run a BEGIN/COMMIT-wrapped one long ago. Error (config).
  Expected<void> check_pending(Database& db, const Bundle& desired, const std::set<std::string>& applied) const {
    auto capacity = db.version_capacity();
    if (!capacity) return fail(capacity.error());
    Dialect dialect = is_sqlite_url(options_.url) ? Dialect::sqlite : Dialect::postgres;
    for (const auto& m : desired.content.at("migrations")) {
      std::string version = m.at("version");
      if (applied.contains(version)) continue;
      Migration pending{.version = version, .name = m.at("name"), .file = m.at("file"), .content = {},
                        .up = m.at("sql"), .down = {}, .transaction = m.at("transaction"),
                        .up_line = m.value("up_line", 0)};
      if (auto ok = check_transaction_control(pending, dialect); !ok) return fail(ok.error());
      if (*capacity == 0 || version.size() <= *capacity) continue;
      return fail(Error::config("the version of this migration is " + std::to_string(version.size()) +
                                    " digits long, but schema_migrations.version holds at most " +
                                    std::to_string(*capacity) + " characters on this database, so the migration "
                                    "would run and then fail to be recorded; use a shorter version (a timestamp)",
                                SourceLocation{m.at("file").get<std::string>(), 0, 0}));
    }
    return {};
  }

  // Runs one planned migration with its schema_migrations row: both in one
  // transaction, or (transaction:false) the script alone then the row. Returns why it
  // failed, "" on success; a failed transactional migration leaves no trace, and no
  // failed migration is recorded.
  //
  // The savepoint proves the script left converge's transaction alone: a COMMIT or
  // ROLLBACK in it (which the plan refuses, see check_transaction_control) ends the
  // transaction and the savepoint with it, so RELEASE fails and the row is not written.
  std::string run_migration(Database& db, const Bundle& desired, const plan::Change& change,
                            const std::set<std::string>& applied) {
    if (change.kind == kRollbackKind) return run_rollback(db, change, applied);
    if (change.kind != "migration") return "unknown change kind '" + change.kind + "'";
    const json& after = change.after;
    std::string version = after.value("version", "");
    std::string sql = after.value("sql", "");
    bool transaction = after.value("transaction", true);
    if (applied.contains(version))
      return "version " + version + " is already applied: the database changed since the plan was computed; plan again";
    const auto& list = desired.content.at("migrations");
    auto match = std::find_if(list.begin(), list.end(), [&](const json& m) { return m.at("version") == version; });
    if (match == list.end() || match->at("sql") != sql || match->at("transaction") != transaction)
      return "the plan's migration " + change.key + " does not match the compiled migrations; plan again";
    // A down block runs all or nothing only when neither marker says transaction:false.
    Database::RecordedDown down{.version = version, .name = match->at("name"), .sql = match->value("down", ""),
                                .transactional = transaction && match->value("down_transaction", true)};

    if (!transaction) {
      if (auto ok = db.exec(sql); !ok) {
        db.rollback();
        return ok.error().message + " (transaction:false: statements before the failing one stay applied)";
      }
      if (db.in_transaction()) {
        db.rollback();
        return "the migration left a transaction open (a BEGIN without its COMMIT); it was rolled back and the "
               "version is not recorded (transaction:false: statements committed before it stay applied)";
      }
      auto ok = db.insert_version(version);
      if (ok) ok = db.record_down(down);
      if (!ok) return ok.error().message;
      return "";
    }
    return run_in_transaction(db, sql, [&]() -> Expected<void> {
      if (auto ok = db.insert_version(version); !ok) return ok;
      return db.record_down(down);
    }, "the migration ended the transaction converge ran it in (a COMMIT or ROLLBACK in it): what it "
       "committed stays applied, the version is not recorded; fix the database by hand, then remove the "
       "statement or mark the migration `transaction:false`");
  }

  // Runs `sql` then `record` in one transaction; returns why it failed, "" on success
  // (a failure leaves nothing). `ended` is the reason when the script ended the
  // transaction itself (see the savepoint above).
  static std::string run_in_transaction(Database& db, const std::string& sql,
                                        const std::function<Expected<void>()>& record, const std::string& ended) {
    if (auto ok = db.begin(); !ok) return ok.error().message;
    auto ok = db.exec(kSavepoint);
    if (ok) ok = db.exec(sql);
    if (ok && !db.exec(kReleaseSavepoint)) {
      db.rollback();
      return ended;
    }
    if (ok) ok = record();
    if (ok) ok = db.commit();
    if (!ok) {
      db.rollback();
      return ok.error().message;
    }
    return "";
  }

  // Plans the recorded down blocks of the applied versions whose files are gone (all
  // newer than every file: a deploy of an older commit), newest first; a version with
  // no down block recorded, an empty one, or one applied with transaction:false is a
  // plan error saying so.
  Expected<void> plan_rollback(Database& db, const std::vector<std::string>& ordered,
                               const std::set<std::string>& files, plan::TargetPlan& out) {
    auto downs = db.recorded_downs();
    if (!downs) return fail(downs.error());
    for (auto it = ordered.rbegin(); it != ordered.rend(); ++it) {
      const std::string& v = *it;
      if (files.contains(v)) continue;
      std::string what = "cannot roll back version " + v + " (applied in the database, its migration file is not in " +
                         options_.migrations + "): ";
      auto found = downs->find(v);
      if (found == downs->end()) {
        out.errors.push_back(what + "converge recorded no down block for it (it was applied by dbmate or by an "
                                    "older converge); restore the file, or roll it back by hand");
        continue;
      }
      const auto& down = found->second;
      std::string key = down.name.empty() ? v : v + "_" + down.name;
      if (!down.transactional) {
        out.errors.push_back(what + "migration " + key + " is transaction:false (its up or its down marker), so its "
                                    "down block could not be undone all or nothing if it failed; roll it back by hand");
        continue;
      }
      if (is_blank_sql(down.sql)) {
        out.errors.push_back(what + "the migrate:down block of " + key + " is empty; roll it back by hand");
        continue;
      }
      out.changes.push_back(plan::Change{
          .action = plan::Action::remove, .kind = kRollbackKind, .key = key,
          .before = json{{"version", v}, {"name", down.name}, {"sql", down.sql}, {"transaction", true}},
          .after = nullptr});
    }
    if (!out.changes.empty())
      out.notes.push_back("rolling back to an older commit: the down blocks run newest first, each in its own "
                          "transaction with the removal of its schema_migrations row");
    return {};
  }

  // True when `sql` holds only blank lines and `--` comments.
  static bool is_blank_sql(std::string_view sql) {
    size_t pos = 0;
    while (pos < sql.size()) {
      size_t end = sql.find('\n', pos);
      if (end == std::string_view::npos) end = sql.size();
      std::string_view line = sql.substr(pos, end - pos);
      size_t first = line.find_first_not_of(" \t\r");
      if (first != std::string_view::npos && !line.substr(first).starts_with("--")) return false;
      pos = end + 1;
    }
    return true;
  }

  // Runs one planned down block and deletes its schema_migrations row and recorded
  // down in one transaction; returns why it failed, "" on success (nothing changed).
  std::string run_rollback(Database& db, const plan::Change& change, const std::set<std::string>& applied) {
    std::string version = change.before.value("version", "");
    std::string sql = change.before.value("sql", "");
    if (!applied.contains(version))
      return "version " + version + " is not applied: the database changed since the plan was computed; plan again";
    auto downs = db.recorded_downs();
    if (!downs) return downs.error().message;
    auto found = downs->find(version);
    if (found == downs->end() || found->second.sql != sql || !found->second.transactional)
      return "the plan's rollback of " + change.key + " does not match the down block recorded in the database; "
             "plan again";
    return run_in_transaction(db, sql, [&] { return db.delete_version(version); },
                              "the down block of " + change.key + " ended the transaction converge ran it in (a "
                              "COMMIT or ROLLBACK in it): what it committed stays applied and the version stays "
                              "recorded; fix the database by hand");
  }

  TargetSpec spec_;
  Options options_;
};

// The `pg_dump` (program path) and `privileges` (keep grants) settings.
Expected<void> read_dump_settings(const config::Settings& s, DumpSettings& dump) {
  auto pg_dump = s.string_or("pg_dump", "");
  if (!pg_dump) return fail(pg_dump.error());
  dump.pg_dump = *pg_dump;
  auto privileges = s.boolean_or("privileges", false);
  if (!privileges) return fail(privileges.error());
  dump.privileges = *privileges;
  return {};
}

}  // namespace

Expected<std::unique_ptr<Provider>> make_provider(const TargetSpec& spec) {
  const auto& s = spec.settings;
  if (auto ok = s.allow_only({"url", "migrations", "snapshot", "snapshot_format", "strict", "lint", "lock_timeout", "statement_timeout",
                               "pg_dump", "privileges"}); !ok)
    return fail(ok.error());
  Options options;
  auto url = s.string("url");
  if (!url) return fail(url.error());
  // An unresolved url (compile, its variable unset) is never opened: not checked.
  if (!s.unresolved("url") && !is_sqlite_url(*url) && !is_postgres_url(*url))
    return fail(Error::config("setting 'url' must be sqlite:///path or postgres://…, not '" + redact_url(*url) + "'",
                              s.find("url")->where));
  options.url = *url;
  auto migrations = s.string_or("migrations", "db/migrations");
  if (!migrations) return fail(migrations.error());
  options.migrations = *migrations;
  auto snapshot = s.string_or("snapshot", "db/schema.sql");
  if (!snapshot) return fail(snapshot.error());
  options.snapshot = *snapshot;
  auto snapshot_format = read_snapshot_format(s);
  if (!snapshot_format) return fail(snapshot_format.error());
  options.snapshot_format = *snapshot_format;
  auto strict = s.boolean_or("strict", true);
  if (!strict) return fail(strict.error());
  options.strict = *strict;
  auto lint = read_lint_config(s);
  if (!lint) return fail(lint.error());
  options.lint = std::move(*lint);
  auto timeouts = read_timeouts(s);
  if (!timeouts) return fail(timeouts.error());
  options.timeouts = *timeouts;
  if (auto ok = read_dump_settings(s, options.dump); !ok) return fail(ok.error());
  return std::make_unique<SqlProvider>(spec, std::move(options));
}

}  // namespace converge::providers::sql
