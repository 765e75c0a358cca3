// Migration lint: rules that read the pending migrations at plan time and report
// destructive changes, PostgreSQL lock-heavy changes and dbmate pitfalls as findings
// at file:line (plan::Finding), each with a rule id documented in
// docs/providers/sql.md ("Migration lint", one anchor per rule) and a severity the
// target's `lint:` setting can change (internal to the sql provider).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "converge/config/settings.hpp"
#include "converge/plan/plan.hpp"
#include "converge/providers/sql/migration.hpp"
#include "converge/util/error.hpp"

namespace converge::providers::sql {

// A rule's severity as the `lint:` setting names it; off silences the rule.
enum class Severity { off, notice, warning, error };

struct LintRule {
  std::string_view id;  // "destructive/drop-table"
  Severity severity;    // its default
  bool destructive;     // a finding marks the plan destructive
};

// Every rule, in the order the docs list them.
const std::vector<LintRule>& lint_rules();

// The docs anchor of a rule: its id with '/' as '-' ("destructive-drop-table").
std::string lint_anchor(std::string_view rule);

// Severity per rule named in the setting; a rule not named has its default.
using LintConfig = std::map<std::string, Severity, std::less<>>;

// Reads the target's `lint:` setting ({rule id: error | warning | notice | off});
// absent is every rule at its default. Error (config) at the value for an unknown rule
// or severity.
Expected<LintConfig> read_lint_config(const config::Settings& settings);

// The findings on `pending` (in version order), none at severity off, in order of file
// and line. `highest_applied` ("" for none) is the database's latest version: a pending
// one below it is out of order. `history` (the applied migrations, in version order) is
// read only to learn the columns' types, which the type rules compare with. Lock and
// type rules apply to PostgreSQL only.
std::vector<plan::Finding> lint_migrations(const std::vector<Migration>& pending, Dialect dialect,
                                           std::string_view highest_applied, const LintConfig& config,
                                           const std::vector<Migration>& history = {});

}  // namespace converge::providers::sql
