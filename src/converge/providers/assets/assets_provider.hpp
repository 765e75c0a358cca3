// The `assets` provider: asset items (Superset-style YAML, optionally Jinja2
// templates) kept equal to a REST item API. See docs/providers/assets.md.
#pragma once

#include "converge/providers/provider.hpp"

namespace converge::providers::assets {

// Settings: url (required), sources, vars, kinds, order, prune, update_method,
// auth_header, secrets, paging, page_size (options.hpp; docs/providers/assets.md).
// Error::config at the setting's file:line for a bad value.
Expected<std::unique_ptr<Provider>> make_provider(const TargetSpec& spec);

}  // namespace converge::providers::assets
