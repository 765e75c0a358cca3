// The migration lint rules (see lint.hpp). Each rule reads the tokens of one statement
// of a pending migration's up block, as split_statements gives them, so text in
// strings, comments and dollar-quoted bodies never fires a rule.
#include "converge/providers/sql/lint.hpp"

#include <algorithm>
#include <set>

namespace converge::providers::sql {
namespace {

const std::vector<std::string_view> kRules = {
    "destructive/drop-table",  "destructive/drop-column",   "destructive/drop-schema",
    "destructive/truncate",    "destructive/delete-without-where", "destructive/update-without-where",
    "destructive/set-not-null", "locks/index-not-concurrent", "locks/concurrently-in-transaction",
    "locks/constraint-not-valid", "dbmate/empty-down",       "dbmate/out-of-order"};

using Tokens = std::vector<Token>;

bool is_word(const Tokens& t, size_t i, std::string_view word) {
  return i < t.size() && t[i].kind == Token::Kind::word && t[i].text == word;
}

bool has_word(const Tokens& t, std::string_view word) {
  return std::any_of(t.begin(), t.end(), [&](const Token& k) { return k.kind == Token::Kind::word && k.text == word; });
}

bool has_sequence(const Tokens& t, std::initializer_list<std::string_view> words) {
  for (size_t i = 0; i < t.size(); ++i) {
    size_t j = 0;
    for (auto w : words) {
      if (!is_word(t, i + j, w)) break;
      ++j;
    }
    if (j == words.size()) return true;
  }
  return false;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The (possibly schema-qualified) name starting at token i, lower-cased; i moves past it.
std::string name_at(const Tokens& t, size_t& i) {
  std::string name;
  while (i < t.size() && (t[i].kind == Token::Kind::word || t[i].kind == Token::Kind::quoted)) {
    name += lower(t[i].text);
    ++i;
    if (i < t.size() && t[i].kind == Token::Kind::punct && t[i].text == ".") {
      name += ".";
      ++i;
    } else {
      break;
    }
  }
  return name;
}

// Skips IF [NOT] EXISTS and ONLY before a name.
size_t skip_modifiers(const Tokens& t, size_t i) {
  if (is_word(t, i, "IF")) i += is_word(t, i + 1, "NOT") ? 3 : 2;
  if (is_word(t, i, "ONLY")) ++i;
  return i;
}

// The last part of a qualified name ("public.users" → "users"), to match a table
// created unqualified in the same migration.
std::string base_name(const std::string& name) {
  auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

class Linter {
 public:
  Linter(Dialect dialect, const LintConfig& config) : dialect_(dialect), config_(config) {}

  void migration(const Migration& m, std::string_view highest_applied) {
    std::set<std::string> created;  // tables created earlier in this migration
    if (!highest_applied.empty() && version_less(m.version, highest_applied))
      add("dbmate/out-of-order", m.file, m.up_line,
          "version " + m.version + " is older than the latest applied version " + std::string(highest_applied) +
              ": it runs after newer migrations, against a schema its author did not see");
    for (const auto& s : split_statements(m.up, dialect_)) statement(m, s, created);
    if (split_statements(m.down, dialect_).empty())
      add("dbmate/empty-down", m.file, m.down_line,
          "the migrate:down block is empty: this migration cannot be rolled back; write the statements that undo it");
  }

  std::vector<Finding> take() { return std::move(findings_); }

 private:
  void statement(const Migration& m, const Statement& s, std::set<std::string>& created) {
    const Tokens& t = s.tokens;
    int line = m.up_line + s.line;
    auto at = [&](std::string_view rule, std::string message) { add(rule, m.file, line, std::move(message)); };
    bool postgres = dialect_ == Dialect::postgres;

    if (postgres && m.transaction && has_word(t, "CONCURRENTLY"))
      at("locks/concurrently-in-transaction",
         "CONCURRENTLY cannot run inside a transaction block and this migration runs in one; put "
         "`-- migrate:up transaction:false` on its up marker (and keep the statement alone in the migration)");

    if (is_word(t, 0, "CREATE")) {
      size_t i = 1;
      if (is_word(t, i, "UNLOGGED") || is_word(t, i, "TEMP") || is_word(t, i, "TEMPORARY")) ++i;
      if (is_word(t, i, "TABLE")) {
        i = skip_modifiers(t, i + 1);
        created.insert(base_name(name_at(t, i)));
        return;
      }
      i = is_word(t, 1, "UNIQUE") ? 2 : 1;
      if (!is_word(t, i, "INDEX") || !postgres) return;
      if (is_word(t, i + 1, "CONCURRENTLY")) return;
      auto on = std::find_if(t.begin(), t.end(), [](const Token& k) { return k.kind == Token::Kind::word && k.text == "ON"; });
      if (on == t.end()) return;
      size_t n = skip_modifiers(t, static_cast<size_t>(on - t.begin()) + 1);
      std::string table = name_at(t, n);
      if (created.contains(base_name(table))) return;
      at("locks/index-not-concurrent",
         "CREATE INDEX on " + table + " without CONCURRENTLY blocks writes to the table while the index builds; use "
         "CREATE INDEX CONCURRENTLY in a `transaction:false` migration");
      return;
    }
    if (is_word(t, 0, "DROP")) {
      if (is_word(t, 1, "TABLE")) at("destructive/drop-table", "DROP TABLE deletes the table and all its rows");
      if (is_word(t, 1, "SCHEMA")) at("destructive/drop-schema", "DROP SCHEMA deletes the schema (and with CASCADE everything in it)");
      return;
    }
    if (is_word(t, 0, "TRUNCATE")) {
      at("destructive/truncate", "TRUNCATE deletes every row of the table");
      return;
    }
    if (is_word(t, 0, "DELETE") && !has_word(t, "WHERE")) {
      at("destructive/delete-without-where", "DELETE without WHERE deletes every row of the table");
      return;
    }
    if (is_word(t, 0, "UPDATE") && !has_word(t, "WHERE")) {
      at("destructive/update-without-where", "UPDATE without WHERE rewrites every row of the table");
      return;
    }
    if (is_word(t, 0, "ALTER") && is_word(t, 1, "TABLE")) alter_table(t, at, created, postgres);
  }

  template <typename At>
  void alter_table(const Tokens& t, At& at, const std::set<std::string>& created, bool postgres) {
    size_t i = skip_modifiers(t, 2);
    std::string table = name_at(t, i);
    bool is_new = created.contains(base_name(table));
    for (size_t k = i; k < t.size(); ++k) {
      if (!is_word(t, k, "DROP")) continue;
      if (is_word(t, k + 1, "COLUMN")) {
        at("destructive/drop-column", "ALTER TABLE " + table + " DROP COLUMN deletes the column and its data");
        break;
      }
      static const std::set<std::string, std::less<>> kNotColumn = {"CONSTRAINT", "DEFAULT", "NOT", "IDENTITY",
                                                                   "EXPRESSION"};
      bool previous_is_action = k == i || (t[k - 1].kind == Token::Kind::punct && t[k - 1].text == ",");
      if (previous_is_action && k + 1 < t.size() && !(t[k + 1].kind == Token::Kind::word && kNotColumn.contains(t[k + 1].text))) {
        at("destructive/drop-column", "ALTER TABLE " + table + " DROP deletes the column and its data");
        break;
      }
    }
    if (!is_new && has_sequence(t, {"SET", "NOT", "NULL"}))
      at("destructive/set-not-null",
         "SET NOT NULL on an existing column fails if any row holds NULL, and scans the whole table under an ACCESS "
         "EXCLUSIVE lock; backfill first, then add a CHECK (col IS NOT NULL) NOT VALID constraint and validate it");
    if (postgres && !is_new && has_word(t, "ADD") &&
        (has_sequence(t, {"FOREIGN", "KEY"}) || has_word(t, "REFERENCES") || has_word(t, "CHECK")) &&
        !has_sequence(t, {"NOT", "VALID"}))
      at("locks/constraint-not-valid",
         "adding a foreign key or check constraint to " + table + " without NOT VALID checks every row while it "
         "holds a lock; add it NOT VALID, then VALIDATE CONSTRAINT in a later statement");
  }

  void add(std::string_view rule, const std::string& file, int line, std::string message) {
    auto it = config_.find(rule);
    Severity severity = it == config_.end() ? Severity::warning : it->second;
    if (severity == Severity::off) return;
    findings_.push_back(Finding{.rule = std::string(rule), .severity = severity, .file = file, .line = line,
                                .message = std::move(message)});
  }

  Dialect dialect_;
  const LintConfig& config_;
  std::vector<Finding> findings_;
};

}  // namespace

const std::vector<std::string_view>& lint_rules() { return kRules; }

Expected<LintConfig> read_lint_config(const config::Settings& settings) {
  LintConfig out;
  const config::Setting* lint = settings.find("lint");
  if (lint == nullptr) return out;
  if (!lint->value.is_object())
    return fail(Error::config("setting 'lint' must be a map of rule id to error, warning or off", lint->where));
  for (const auto& [rule, value] : lint->value.items()) {
    if (std::find(kRules.begin(), kRules.end(), rule) == kRules.end())
      return fail(Error::config("unknown lint rule '" + rule + "' (see docs/providers/sql.md for the rules)", lint->where));
    std::string word = value.is_string() ? value.get<std::string>() : "";
    if (word == "error") out[rule] = Severity::error;
    else if (word == "warning") out[rule] = Severity::warning;
    else if (word == "off") out[rule] = Severity::off;
    else return fail(Error::config("lint rule '" + rule + "' must be error, warning or off", lint->where));
  }
  return out;
}

std::vector<Finding> lint_migrations(const std::vector<Migration>& pending, Dialect dialect,
                                     std::string_view highest_applied, const LintConfig& config) {
  Linter linter(dialect, config);
  for (const auto& m : pending) linter.migration(m, highest_applied);
  return linter.take();
}

std::string format_finding(const Finding& f) {
  return f.file + ":" + std::to_string(f.line) + ": " + (f.severity == Severity::error ? "error" : "warning") + " [" +
         f.rule + "] " + f.message;
}

}  // namespace converge::providers::sql
