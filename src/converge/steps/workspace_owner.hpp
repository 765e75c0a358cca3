// Running as the workspace's owner. GitHub runs container actions as root (its
// documentation asks images not to set another USER), with the runner's workspace
// and file-command files mounted, owned by the runner's user. A step started as root
// in a runner becomes that user before it reads or writes anything, so git's owner
// check passes and what it writes belongs to the runner, whatever uid the runner
// has (1001 on GitHub-hosted runners, anything on self-hosted ones).
#pragma once

#include "converge/github/context.hpp"
#include "converge/util/error.hpp"

namespace converge::steps {

// When this process runs as root inside GitHub Actions and GITHUB_WORKSPACE belongs
// to another user: drops to that user's uid and gid (no supplementary groups).
// Otherwise does nothing. Error (runtime) when the switch fails: a step never goes
// on as root by accident.
Expected<void> become_workspace_owner(const github::RunContext& ctx);

}  // namespace converge::steps
