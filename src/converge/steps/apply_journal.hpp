// The manifest rows of an apply: the final ones record-manifest writes from the
// sealed apply result, and the journal apply writes itself while it runs, so a run
// killed part way leaves a truthful "interrupted" row naming what it applied.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "converge/manifest/store.hpp"
#include "converge/steps/session.hpp"

namespace converge::steps {

// One manifest row per target of `result` that was not skipped, stamped `when`.
// The run id and attempt come from the apply id ("<run>-<attempt>" in a runner; a
// local id is the run id with attempt "1"), so the journal's rows and
// record-manifest's rows of one apply are the same rows.
std::vector<manifest::Deployment> deployment_rows(const ApplyResult& result, const github::RunContext& ctx,
                                                  const std::string& when);

// The apply's own rows in the manifest while it runs. Each write records one
// target's row with status "interrupted" and what it applied so far (the store
// replaces an interrupted row of the same run; record-manifest's final row replaces
// it in the end). A row still "interrupted" later means the apply was killed, or its
// result was never recorded.
class ApplyJournal {
 public:
  // Opens the session's manifest store. Error (runtime) when it cannot be opened:
  // the caller applies nothing. When the job has no manifest (the URL names a variable
  // it was not given), a warning and a journal that writes nothing.
  static Expected<ApplyJournal> open(const Session& session, StepIo io);

  // Writes `target`'s row as `result` and `target` say (status "interrupted"). On a
  // failed write the store is opened again and the write tried once more; Error
  // (runtime) when that fails too.
  Expected<void> write(const ApplyResult& result, const TargetOutcome& target);

 private:
  ApplyJournal(const Session& session, StepIo io, std::string url, std::unique_ptr<manifest::Store> store);
  const Session* session_;
  std::optional<StepIo> io_;  // always set: optional only to keep the journal movable
  std::string url_;
  std::unique_ptr<manifest::Store> store_;  // nullptr: no manifest in this job
  std::string started_at_;
};

}  // namespace converge::steps
