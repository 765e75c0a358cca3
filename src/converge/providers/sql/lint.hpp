// Migration lint: rules that read the pending migrations at plan time and report
// destructive changes, PostgreSQL lock-heavy changes and dbmate pitfalls as findings
// at file:line, each with a rule id (documented in docs/providers/sql.md) and a
// severity the target's `lint:` setting can change (internal to the sql provider).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "converge/config/settings.hpp"
#include "converge/providers/sql/migration.hpp"
#include "converge/util/error.hpp"

namespace converge::providers::sql {

enum class Severity { off, warning, error };

struct Finding {
  std::string rule;  // "destructive/drop-table"
  Severity severity = Severity::warning;
  std::string file;
  int line = 0;
  std::string message;

  bool destructive() const { return rule.starts_with("destructive/"); }
};

// Every rule id, in the order the docs list them.
const std::vector<std::string_view>& lint_rules();

// Severity per rule; a rule not named is a warning.
using LintConfig = std::map<std::string, Severity, std::less<>>;

// Reads the target's `lint:` setting ({rule id: error | warning | off}); absent is
// every rule at warning. Error (config) at the value for an unknown rule or severity.
Expected<LintConfig> read_lint_config(const config::Settings& settings);

// The findings on `pending` (in version order), none at severity off. `highest_applied`
// ("" for none) is the database's latest version: a pending one below it is out of order.
// Lock rules apply to PostgreSQL only.
std::vector<Finding> lint_migrations(const std::vector<Migration>& pending, Dialect dialect,
                                     std::string_view highest_applied, const LintConfig& config);

// "file:line: error|warning [rule] message" — one line, as plan notes and errors show it.
std::string format_finding(const Finding& finding);

}  // namespace converge::providers::sql
