// converge destroy: deletes a feature environment's runtimes of one branch (run when
// the branch's pull request closes) and records each target as "destroyed" in the
// manifest under the runtime's name (<environment>/<branch slug>). Refuses every
// environment the trusted converge.yaml does not mark `feature: true`, so a pull
// request cannot make it delete a shared runtime; each provider also deletes only what
// it made for that branch (fabric: the workspace's description carries its mark).
#include "converge/manifest/store.hpp"
#include "converge/steps/apply_journal.hpp"
#include "converge/steps/manifest_store.hpp"
#include "converge/steps/session.hpp"
#include "converge/steps/steps.hpp"
#include "converge/util/hex.hpp"

namespace converge::steps {

int run_destroy(const DestroyOptions& options, StepIo io) {
  CommonOptions common = options.common;
  common.deploys = true;  // the trusted copy's rules, as for apply
  auto session = open_session(common, io);
  if (!session) return report_error(session.error(), io);
  const auto& env = session->environment();
  if (!env.feature)
    return report_error(Error::refused("environment " + env.name + " is not a feature environment (`feature: true` " +
                                       "in the trusted converge.yaml): converge destroy deletes only the per-branch " +
                                       "runtimes of one; nothing was deleted"),
                        io);
  if (auto locked = lock_targets(*session, io); !locked) return report_error(locked.error(), io);
  io.console.info("Destroying " + session->runtime + " (branch " + session->branch + ")");

  ApplyResult result;
  result.apply_id = io.ctx.run_id.empty() ? "local-" + util::random_hex(16)
                                          : io.ctx.run_id + "-" + (io.ctx.run_attempt.empty() ? "1" : io.ctx.run_attempt);
  result.environment = session->runtime;
  result.git_sha = session->git.sha;
  result.git_ref = "refs/heads/" + session->branch;
  std::optional<Error> first_failure;  // the other targets are still destroyed and recorded
  for (auto& target : session->targets) {
    auto done = target.impl->destroy();
    if (!done) {
      if (first_failure) io.console.error(done.error().with_context("target " + target.name));
      else first_failure = done.error().with_context("target " + target.name);
      continue;
    }
    io.console.info(target.name + ": " + (done->empty() ? "nothing to delete (already gone)" : *done));
    result.targets.push_back({target.name, "destroyed", "", "", {}, "", std::vector<std::string>{}});
  }
  io.console.set_output("destroyed", std::to_string(result.targets.size()));
  if (!result.targets.empty()) {
    auto store = open_manifest(*session, io);
    if (!store) return report_error(store.error(), io);
    auto written = (*store)->record(deployment_rows(result, io.ctx, utc_now()));
    if (!written) return report_error(written.error().with_context("the deletion is done; recording it"), io);
  }
  if (first_failure) return report_error(*first_failure, io);
  return 0;
}

}  // namespace converge::steps
