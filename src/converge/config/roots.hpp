// `roots:` in a terraform target's settings: one target per root module folder that a
// pattern matches, so a monorepo's roots need not be written out one by one.
#pragma once

#include "converge/config/config.hpp"

namespace converge::config {

// Replaces every target whose settings have `roots: "<pattern>"` by one target per
// folder the pattern matches under config.root, in name order: named
// "<target>-<folder name>", its settings those of the target with `root: <folder>` in
// place of `roots`. A pattern is a relative folder path whose components may hold
// `*`, `?` and `[…]` (fnmatch, never crossing a '/'); a trailing '/' is allowed.
// Error (config) at the setting: a pattern that matches nothing or leaves the
// repository, `roots` with `root`, `roots` in overrides, more than 1000 matches, or
// two expanded names that collide with a target.
Expected<void> expand_roots(Config& config);

}  // namespace converge::config
