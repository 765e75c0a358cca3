// The `sql` provider: dbmate-format migrations + a committed schema snapshot,
// against SQLite (sqlite:///path) or PostgreSQL (postgres://…). See docs/providers/sql.md.
#pragma once

#include "converge/providers/provider.hpp"

namespace converge::providers::sql {

// Settings: url (required), migrations (default db/migrations), snapshot (default
// db/schema.sql), strict (default true: out-of-order migration files are errors).
Expected<std::unique_ptr<Provider>> make_provider(const TargetSpec& spec);

}  // namespace converge::providers::sql
