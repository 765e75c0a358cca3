// deployment_rows and the apply journal (apply_journal.hpp). The journal writes
// through manifest::Store::record(), whose one update replaces an "interrupted" row
// of the same run; final rows are never changed.
#include "converge/steps/apply_journal.hpp"

#include <nlohmann/json.hpp>

#include "converge/steps/manifest_store.hpp"
#include "converge/util/join.hpp"

namespace converge::steps {
namespace {

std::string join(const std::vector<std::string>& items) { return util::join(items, ","); }

}  // namespace

std::vector<manifest::Deployment> deployment_rows(const ApplyResult& result, const github::RunContext& ctx,
                                                  const std::string& when) {
  // The apply id is the run id (and attempt) in a runner: a retried record-manifest
  // writes nothing new. Splitting "run-attempt" keeps both columns meaningful.
  auto dash = result.apply_id.rfind('-');
  const bool from_runner = !result.apply_id.starts_with("local-") && dash != std::string::npos;
  const std::string run_id = from_runner ? result.apply_id.substr(0, dash) : result.apply_id;
  const std::string attempt = from_runner ? result.apply_id.substr(dash + 1) : "1";

  std::vector<manifest::Deployment> rows;
  for (const auto& t : result.targets) {
    if (t.status == "skipped") continue;
    manifest::Deployment d;
    d.git_sha = result.git_sha;
    d.git_ref = result.git_ref;
    d.git_tag = join(result.git_tags);
    d.migration_version = t.version;
    d.bundle_hash = t.bundle_hash;
    d.plan_hash = result.plan_hash;
    d.environment = result.environment;
    d.target = t.target;
    d.status = t.status;
    d.deployed_at = when;
    d.deployed_by = ctx.actor.empty() ? "unknown" : ctx.actor;
    d.run_url = ctx.run_url();
    d.run_id = run_id;
    d.run_attempt = attempt;
    d.pr_number = result.pr_number;
    d.approvers = join(result.approvers);
    d.break_glass = result.break_glass;
    d.dirty = result.dirty;
    d.promoted_from = t.promoted_from;
    if (t.managed) d.managed = nlohmann::json(*t.managed).dump();
    d.applied = nlohmann::json(t.applied).dump();
    rows.push_back(std::move(d));
  }
  return rows;
}

ApplyJournal::ApplyJournal(const Session& session, StepIo io, std::string url, std::unique_ptr<manifest::Store> store)
    : session_(&session), io_(io), url_(std::move(url)), store_(std::move(store)),
      started_at_(utc_now()) {}

Expected<ApplyJournal> ApplyJournal::open(const Session& session, StepIo io) {
  auto url = manifest_url(session, io);
  if (!url) {
    // This job has no manifest (its URL names a variable the job was not given): the
    // targets needed none to plan and lock (those that do failed before), so the apply
    // goes on, saying loudly that nothing records it but the apply result.
    io.console.warning("this apply is not journaled in the manifest, and record-manifest will not record it there (" +
                       url.error().to_string() + ")");
    return ApplyJournal(session, io, "", nullptr);
  }
  auto store = open_manifest(*url, session.config.root, io);
  if (!store)
    return fail(Error::runtime("the manifest, where apply journals what it applies, cannot be opened (nothing was "
                               "applied): " + store.error().message));
  return ApplyJournal(session, io, std::move(*url), std::move(*store));
}

Expected<void> ApplyJournal::write(const ApplyResult& result, const TargetOutcome& target) {
  if (!store_) return {};
  ApplyResult one = result;
  one.targets = {target};
  one.targets.front().status = "interrupted";
  auto rows = deployment_rows(one, io_->ctx, started_at_);
  auto written = store_->record(rows);
  if (written) return {};
  // A dropped connection (a restarted server, a terminated backend): once more on a new one.
  auto store = open_manifest(url_, session_->config.root, *io_);
  if (!store) return fail(written.error());
  store_ = std::move(*store);
  if (auto again = store_->record(rows); !again) return fail(again.error());
  return {};
}

}  // namespace converge::steps
