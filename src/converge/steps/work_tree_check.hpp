// Before a deploy: the sources apply reads must be the commit it records. Apply reads
// the work tree, so an untracked migration or an edited asset would be deployed and
// recorded at a commit that does not contain it.
#pragma once

#include <filesystem>

#include "converge/steps/session.hpp"

namespace converge::steps {

// Lists the untracked (not ignored), modified, deleted or staged files under the
// targets' source paths (Provider::source_paths) and `config_file`. None: nothing
// happens. In a runner: Error (refused) naming them; nothing is applied. Locally: a
// loud warning, and session.git.dirty is set, so the deployment is recorded as made
// from a dirty tree. Outside a git repository nothing is checked (git facts warned).
Expected<void> check_work_tree(Session& session, const std::filesystem::path& config_file, StepIo io);

}  // namespace converge::steps
