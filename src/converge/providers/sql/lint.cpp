// The migration lint rules (see lint.hpp). Each rule reads the tokens of one statement
// of a pending migration's up block, as split_statements gives them, so text in
// strings, comments and dollar-quoted bodies never fires a rule. An ALTER TABLE is
// read action by action (its top-level commas). The type rules compare with the
// column's type as the earlier migrations (applied ones included) declared it.
#include "converge/providers/sql/lint.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <set>

#include "converge/providers/sql/column_type.hpp"
#include "converge/util/ascii.hpp"

namespace converge::providers::sql {
namespace {

constexpr Severity kWarning = Severity::warning;

const std::vector<LintRule> kRules = {
    {"destructive/drop-table", kWarning, true},
    {"destructive/drop-column", kWarning, true},
    {"destructive/drop-schema", kWarning, true},
    {"destructive/truncate", kWarning, true},
    {"destructive/delete-without-where", kWarning, true},
    {"destructive/update-without-where", kWarning, true},
    {"destructive/narrow-type", kWarning, true},
    {"destructive/set-not-null", kWarning, true},
    {"destructive/add-not-null-without-default", kWarning, true},
    {"locks/index-not-concurrent", kWarning, false},
    // PostgreSQL refuses it: the migration would fail at apply.
    {"locks/concurrently-in-transaction", Severity::error, false},
    {"locks/constraint-not-valid", kWarning, false},
    {"locks/alter-column-type", kWarning, false},
    {"locks/volatile-default", kWarning, false},
    {"dbmate/empty-down", kWarning, false},
    {"dbmate/out-of-order", kWarning, false},
};

const LintRule& rule_named(std::string_view id) {
  auto it = std::find_if(kRules.begin(), kRules.end(), [&](const LintRule& r) { return r.id == id; });
  if (it == kRules.end()) throw Failure("lint rule '" + std::string(id) + "' is not in the rule table");
  return *it;
}

using Tokens = std::vector<Token>;

// A range [begin, end) of a statement's tokens.
struct Span {
  size_t begin, end;
};

bool is_word(const Tokens& t, size_t i, std::string_view word) {
  return i < t.size() && t[i].kind == Token::Kind::word && t[i].text == word;
}

bool has_word(const Tokens& t, Span s, std::string_view word) {
  for (size_t i = s.begin; i < s.end; ++i)
    if (is_word(t, i, word)) return true;
  return false;
}

bool has_sequence(const Tokens& t, Span s, std::initializer_list<std::string_view> words) {
  for (size_t i = s.begin; i < s.end; ++i) {
    size_t j = 0;
    for (auto w : words) {
      if (i + j >= s.end || !is_word(t, i + j, w)) break;
      ++j;
    }
    if (j == words.size()) return true;
  }
  return false;
}

using util::ascii_lower;

// The (possibly schema-qualified) name starting at token i, lower-cased; i moves past it.
std::string name_at(const Tokens& t, size_t& i) {
  std::string name;
  while (i < t.size() && (t[i].kind == Token::Kind::word || t[i].kind == Token::Kind::quoted)) {
    name += ascii_lower(t[i].text);
    ++i;
    if (!is_punct(t, i, ".")) break;
    name += ".";
    ++i;
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

// The comma-separated items of `s` (commas inside parentheses do not split).
std::vector<Span> items(const Tokens& t, Span s) {
  std::vector<Span> out;
  int depth = 0;
  size_t start = s.begin;
  for (size_t i = s.begin; i < s.end; ++i) {
    if (is_punct(t, i, "(")) ++depth;
    else if (is_punct(t, i, ")")) --depth;
    else if (depth == 0 && is_punct(t, i, ",")) {
      out.push_back({start, i});
      start = i + 1;
    }
  }
  if (start < s.end) out.push_back({start, s.end});
  return out;
}

// Functions whose value differs row by row: a column added with one as its default
// is filled by rewriting the table (PostgreSQL 11+ stores a non-volatile default once).
bool calls_volatile(const Tokens& t, Span s) {
  static const std::set<std::string, std::less<>> kVolatile = {
      "RANDOM",          "RANDOM_NORMAL",     "GEN_RANDOM_UUID", "GEN_RANDOM_BYTES", "UUIDV4",   "UUIDV7",
      "UUID_GENERATE_V1", "UUID_GENERATE_V1MC", "UUID_GENERATE_V4", "CLOCK_TIMESTAMP", "TIMEOFDAY", "NEXTVAL"};
  for (size_t i = s.begin; i + 1 < s.end; ++i)
    if (t[i].kind == Token::Kind::word && kVolatile.contains(t[i].text) && is_punct(t, i + 1, "(")) return true;
  return false;
}

bool is_serial(const ColumnType& type) {
  return type.name.find("SERIAL") != std::string::npos && type.family == ColumnType::Family::integer;
}

class Linter {
 public:
  Linter(Dialect dialect, const LintConfig& config) : dialect_(dialect), config_(config) {}

  // With `report` false the migration is only read for its column types.
  void migration(const Migration& m, std::string_view highest_applied, bool report) {
    report_ = report;
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

  std::vector<plan::Finding> take() { return std::move(findings_); }

 private:
  using At = std::function<void(std::string_view, std::string)>;

  void statement(const Migration& m, const Statement& s, std::set<std::string>& created) {
    const Tokens& t = s.tokens;
    const Span all{0, t.size()};
    int line = m.up_line + s.line;
    At at = [&](std::string_view rule, std::string message) { add(rule, m.file, line, std::move(message)); };
    bool postgres = dialect_ == Dialect::postgres;

    if (postgres && m.transaction && has_word(t, all, "CONCURRENTLY"))
      at("locks/concurrently-in-transaction",
         "CONCURRENTLY cannot run inside a transaction block and this migration runs in one; put "
         "`-- migrate:up transaction:false` on its up marker (and keep the statement alone in the migration)");

    if (is_word(t, 0, "CREATE")) {
      size_t i = 1;
      if (is_word(t, i, "UNLOGGED") || is_word(t, i, "TEMP") || is_word(t, i, "TEMPORARY")) ++i;
      if (is_word(t, i, "TABLE")) {
        i = skip_modifiers(t, i + 1);
        std::string table = base_name(name_at(t, i));
        created.insert(table);
        if (is_punct(t, i, "(")) learn_columns(t, table, i + 1);
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
    if (is_word(t, 0, "DELETE") && !has_word(t, all, "WHERE")) {
      at("destructive/delete-without-where", "DELETE without WHERE deletes every row of the table");
      return;
    }
    if (is_word(t, 0, "UPDATE") && !has_word(t, all, "WHERE")) {
      at("destructive/update-without-where", "UPDATE without WHERE rewrites every row of the table");
      return;
    }
    if (is_word(t, 0, "ALTER") && is_word(t, 1, "TABLE")) alter_table(t, at, created, postgres);
  }

  // The column definitions of CREATE TABLE t (…), from the token after '('.
  void learn_columns(const Tokens& t, const std::string& table, size_t begin) {
    static const std::set<std::string, std::less<>> kNotColumn = {"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK",
                                                                 "FOREIGN",    "EXCLUDE", "LIKE"};
    size_t end = begin;
    for (int depth = 1; end < t.size(); ++end) {
      if (is_punct(t, end, "(")) ++depth;
      else if (is_punct(t, end, ")") && --depth == 0) break;
    }
    for (Span item : items(t, {begin, end})) {
      if (t[item.begin].kind == Token::Kind::word && kNotColumn.contains(t[item.begin].text)) continue;
      size_t i = item.begin;
      std::string column = name_at(t, i);
      if (auto type = read_column_type(t, i)) columns_[table + "." + column] = *type;
    }
  }

  void alter_table(const Tokens& t, const At& at, const std::set<std::string>& created, bool postgres) {
    size_t i = skip_modifiers(t, 2);
    std::string table = name_at(t, i);
    const std::string base = base_name(table);
    const bool is_new = created.contains(base);
    for (Span action : items(t, {i, t.size()})) {
      size_t k = action.begin;
      if (is_word(t, k, "DROP")) {
        static const std::set<std::string, std::less<>> kNotColumn = {"CONSTRAINT", "DEFAULT", "NOT", "IDENTITY",
                                                                     "EXPRESSION"};
        if (k + 1 < action.end && !(t[k + 1].kind == Token::Kind::word && kNotColumn.contains(t[k + 1].text)))
          at("destructive/drop-column", "ALTER TABLE " + table + " DROP COLUMN deletes the column and its data");
      } else if (is_word(t, k, "ALTER")) {
        k += is_word(t, k + 1, "COLUMN") ? 2 : 1;
        std::string column = name_at(t, k);
        if (is_word(t, k, "SET") && is_word(t, k + 1, "DATA")) k += 2;
        if (is_word(t, k, "TYPE")) {
          ++k;
          if (auto type = read_column_type(t, k)) change_type(at, table, base + "." + column, *type, is_new, postgres);
        } else if (!is_new && has_sequence(t, action, {"SET", "NOT", "NULL"})) {
          at("destructive/set-not-null",
             "SET NOT NULL on an existing column fails if any row holds NULL, and scans the whole table under an "
             "ACCESS EXCLUSIVE lock; backfill first, then add a CHECK (col IS NOT NULL) NOT VALID constraint and "
             "validate it");
        }
      } else if (is_word(t, k, "ADD")) {
        add_column(t, action, at, table, base, is_new, postgres);
      }
    }
    if (postgres && !is_new && has_word(t, {i, t.size()}, "ADD") &&
        (has_sequence(t, {i, t.size()}, {"FOREIGN", "KEY"}) || has_word(t, {i, t.size()}, "REFERENCES") ||
         has_word(t, {i, t.size()}, "CHECK")) &&
        !has_sequence(t, {i, t.size()}, {"NOT", "VALID"}))
      at("locks/constraint-not-valid",
         "adding a foreign key or check constraint to " + table + " without NOT VALID checks every row while it "
         "holds a lock; add it NOT VALID, then VALIDATE CONSTRAINT in a later statement");
  }

  // ALTER COLUMN c [SET DATA] TYPE t on `column` ("table.column").
  void change_type(const At& at, const std::string& table, const std::string& column, const ColumnType& to,
                   bool is_new, bool postgres) {
    auto known = columns_.find(column);
    std::optional<ColumnType> from;
    if (known != columns_.end()) from = known->second;
    columns_[column] = to;
    if (is_new || !postgres) return;
    const std::string name = column.substr(column.find('.') + 1);
    if (from && narrows(*from, to))
      at("destructive/narrow-type", "changing " + table + "." + name + " from " + from->name + " to " + to.name +
                                        " narrows it: a value that does not fit fails the migration or is cut; "
                                        "add a new column, backfill and check it, then switch over");
    if (!from || rewrites(*from, to))
      at("locks/alter-column-type",
         "ALTER COLUMN " + name + " TYPE " + to.name + " rewrites " + table +
             " and its indexes under an ACCESS EXCLUSIVE lock (only widening a varchar or a numeric does not); "
             "add a new column and backfill it in batches instead");
  }

  // ADD [COLUMN] [IF NOT EXISTS] c type [constraints]; constraints added alone are
  // left to the constraint rule.
  void add_column(const Tokens& t, Span action, const At& at, const std::string& table, const std::string& base,
                  bool is_new, bool postgres) {
    static const std::set<std::string, std::less<>> kConstraint = {"CONSTRAINT", "CHECK",  "FOREIGN",
                                                                  "PRIMARY",    "UNIQUE", "EXCLUDE"};
    size_t k = action.begin + 1;
    if (k < action.end && t[k].kind == Token::Kind::word && kConstraint.contains(t[k].text)) return;
    if (is_word(t, k, "COLUMN")) ++k;
    k = skip_modifiers(t, k);
    std::string column = name_at(t, k);
    auto type = read_column_type(t, k);
    if (!type) return;
    columns_[base + "." + column] = *type;
    if (is_new) return;
    const Span rest{k, action.end};
    const bool has_default = has_word(t, rest, "DEFAULT") || has_word(t, rest, "GENERATED") || is_serial(*type);
    if (!has_default && (has_sequence(t, rest, {"NOT", "NULL"}) || has_sequence(t, rest, {"PRIMARY", "KEY"})))
      at("destructive/add-not-null-without-default",
         "adding NOT NULL column " + column + " without a DEFAULT to " + table + " fails as soon as the table has a "
         "row" + (postgres ? "" : " (SQLite refuses it even on an empty table)") +
             "; add it with a DEFAULT, or nullable, backfill, then set NOT NULL");
    if (postgres && (is_serial(*type) || (has_word(t, rest, "DEFAULT") && calls_volatile(t, rest))))
      at("locks/volatile-default",
         "adding column " + column + " with a volatile default (" + (is_serial(*type) ? type->name : "a function "
         "whose value differs row by row") + ") rewrites " + table + " under an ACCESS EXCLUSIVE lock; add it "
         "without the default, set the default, then backfill in batches");
  }

  void add(std::string_view id, const std::string& file, int line, std::string message) {
    if (!report_) return;
    const LintRule& rule = rule_named(id);
    auto it = config_.find(id);
    Severity severity = it == config_.end() ? rule.severity : it->second;
    if (severity == Severity::off) return;
    findings_.push_back(plan::Finding{
        .rule = std::string(id),
        .severity = severity == Severity::error     ? plan::Severity::error
                    : severity == Severity::warning ? plan::Severity::warning
                                                    : plan::Severity::notice,
        .file = file,
        .line = line,
        .message = std::move(message),
        .destructive = rule.destructive,
        .doc = "docs/providers/sql.md#" + lint_anchor(id)});
  }

  Dialect dialect_;
  const LintConfig& config_;
  bool report_ = true;
  std::map<std::string, ColumnType> columns_;  // "table.column" → its type, as declared so far
  std::vector<plan::Finding> findings_;
};

}  // namespace

const std::vector<LintRule>& lint_rules() { return kRules; }

std::string lint_anchor(std::string_view rule) {
  std::string out(rule);
  std::replace(out.begin(), out.end(), '/', '-');
  return out;
}

Expected<LintConfig> read_lint_config(const config::Settings& settings) {
  LintConfig out;
  const config::Setting* lint = settings.find("lint");
  if (lint == nullptr) return out;
  if (!lint->value.is_object())
    return fail(Error::config("setting 'lint' must be a map of rule id to error, warning, notice or off", lint->where));
  for (const auto& [rule, value] : lint->value.items()) {
    if (std::none_of(kRules.begin(), kRules.end(), [&](const LintRule& r) { return r.id == rule; }))
      return fail(Error::config("unknown lint rule '" + rule + "' (see docs/providers/sql.md for the rules)", lint->where));
    std::string word = value.is_string() ? value.get<std::string>() : "";
    if (word == "error") out[rule] = Severity::error;
    else if (word == "warning") out[rule] = Severity::warning;
    else if (word == "notice") out[rule] = Severity::notice;
    else if (word == "off") out[rule] = Severity::off;
    else return fail(Error::config("lint rule '" + rule + "' must be error, warning, notice or off", lint->where));
  }
  return out;
}

std::vector<plan::Finding> lint_migrations(const std::vector<Migration>& pending, Dialect dialect,
                                           std::string_view highest_applied, const LintConfig& config,
                                           const std::vector<Migration>& history) {
  Linter linter(dialect, config);
  for (const auto& m : history) linter.migration(m, "", false);
  for (const auto& m : pending) linter.migration(m, highest_applied, true);
  return linter.take();
}

}  // namespace converge::providers::sql
