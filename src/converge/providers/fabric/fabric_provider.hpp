// The `fabric` provider: a Microsoft Fabric workspace deployed from items kept in the
// layout of Fabric's Git integration (docs/providers/fabric.md).
#pragma once

#include <memory>

#include "converge/providers/provider.hpp"

namespace converge::providers::fabric {

Expected<std::unique_ptr<Provider>> make_provider(const TargetSpec& spec);

}  // namespace converge::providers::fabric
