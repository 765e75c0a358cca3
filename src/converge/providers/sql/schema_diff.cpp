// The PR schema diff (schema_diff.hpp). A dump is split into statements by the same
// lexer the migration checks use (transaction_control.hpp: strings, quoted names,
// comments and dollar-quoted bodies are never read as structure), and each statement
// is read into a small model:
//
//   - CREATE TABLE name (columns and table constraints, split at top-level commas)
//     [options] — the form of both the SQLite (sqlite_master) and the PostgreSQL dumps;
//   - statements on a table: CREATE INDEX … ON t, CREATE TRIGGER … ON t, CREATE POLICY
//     … ON t, ALTER TABLE [ONLY] t ADD CONSTRAINT n …, ALTER TABLE t ALTER COLUMN c
//     SET DEFAULT … / ADD GENERATED … (pg_dump's serial and identity columns), COMMENT
//     ON TABLE / COLUMN, any other ALTER TABLE t …;
//   - every other CREATE as an object of its kind (the words up to the kind's noun:
//     "view", "materialized view", "function", "type", …) and name (with the argument
//     list for functions), and ALTER <kind> name … added to that object;
//   - anything else as a "statement" object named by its text.
//
// Names are compared unquoted and, when they were not quoted, lower-cased (both
// servers fold unquoted names). Texts are compared token by token (whitespace between
// tokens does not count, the inside of a string does). Then the two models are
// compared: objects only in `after` are added, only in `before` dropped, in both with
// different text changed; a changed table lists what changed inside it.
#include "converge/providers/sql/schema_diff.hpp"
#include "converge/util/ascii.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <tuple>

namespace converge::providers::sql {
namespace {

using plan::Action;
using plan::SchemaChange;

struct Column {
  std::string type;
  std::string default_value;
  std::string identity;  // pg_dump's ALTER COLUMN … ADD GENERATED … AS IDENTITY (…)
  bool not_null = false;
  std::string other;     // PRIMARY KEY, REFERENCES, CHECK, COLLATE, GENERATED …

  std::string shown() const {
    std::string out = type;
    auto add = [&](const std::string& part) {
      if (!part.empty()) out += (out.empty() ? "" : " ") + part;
    };
    add(other);
    if (!default_value.empty()) add("DEFAULT " + default_value);
    add(identity);
    if (not_null) add("NOT NULL");
    return out;
  }
  bool operator==(const Column&) const = default;
};

using PartKey = std::pair<std::string, std::string>;  // kind, name

struct Table {
  std::vector<std::string> order;  // column names as declared
  std::map<std::string, Column> columns;
  std::map<PartKey, std::string> parts;  // indexes, constraints, triggers, …: their text
  std::string options;                   // text after the column list
};

struct Model {
  std::map<std::string, Table> tables;
  std::map<PartKey, std::string> objects;  // (kind, name) → text
};

// Clause keywords that end a column's type or default.
const std::set<std::string>& column_keywords() {
  static const std::set<std::string> words = {"CONSTRAINT", "NOT",     "NULL",     "DEFAULT",   "PRIMARY",
                                              "UNIQUE",     "CHECK",   "REFERENCES", "COLLATE", "GENERATED",
                                              "AS",         "ON"};
  return words;
}

// Nouns that end the kind words of CREATE / ALTER / COMMENT ON.
const std::set<std::string>& kind_nouns() {
  static const std::set<std::string> words = {
      "TABLE",   "INDEX",     "VIEW",        "FUNCTION",  "PROCEDURE",     "TYPE",      "DOMAIN",
      "SEQUENCE", "SCHEMA",   "EXTENSION",   "TRIGGER",   "POLICY",        "RULE",      "AGGREGATE",
      "COLLATION", "PUBLICATION", "OPERATOR", "CAST",     "CONFIGURATION", "DICTIONARY", "PARSER",
      "TEMPLATE", "STATISTICS", "SERVER",    "WRAPPER",   "CONVERSION",    "LANGUAGE",  "SUBSCRIPTION",
      "TRANSFORM", "METHOD",   "FAMILY",      "CLASS",     "MAPPING",       "COLUMN",    "CONSTRAINT",
      "ROUTINE",  "DATABASE"};
  return words;
}

using util::ascii_lower;

class Reader {
 public:
  Reader(std::string_view dump, Dialect dialect) : dump_(dump), dialect_(dialect) {}

  Model run() {
    for (auto& statement : split_statements(dump_, dialect_)) {
      t_ = &statement.tokens;
      read_statement();
    }
    return std::move(model_);
  }

 private:
  const Token& at(size_t i) const {
    static const Token none;
    return i < t_->size() ? (*t_)[i] : none;
  }
  bool word(size_t i, std::string_view w) const { return at(i).kind == Token::Kind::word && at(i).text == w; }
  bool punct(size_t i, char c) const { return at(i).kind == Token::Kind::punct && at(i).text.size() == 1 && at(i).text[0] == c; }
  std::string_view raw(size_t i) const { return dump_.substr(at(i).begin, at(i).end - at(i).begin); }

  // Tokens [from, to) as one line: tokens that touch in the dump touch here, any
  // whitespace or comment between two others is one space.
  std::string text(size_t from, size_t to) const {
    std::string out;
    to = std::min(to, t_->size());
    for (size_t i = from; i < to; ++i) {
      if (i > from && at(i - 1).end != at(i).begin) out += ' ';
      out += raw(i);
    }
    return out;
  }

  // One part of a name, unquoted; an unquoted one lower-cased.
  std::string name_part(size_t i) const {
    if (at(i).kind == Token::Kind::quoted) return at(i).text;
    return ascii_lower(std::string(raw(i)));
  }
  static bool name_token(const Token& t) {
    return t.kind == Token::Kind::word || t.kind == Token::Kind::quoted;
  }

  // The dotted name at `i` ("public.users"); `i` moves past it. "" when none is there.
  std::string name(size_t& i) const {
    if (!name_token(at(i))) return "";
    std::string out = name_part(i++);
    while (punct(i, '.') && name_token(at(i + 1))) {
      out += "." + name_part(i + 1);
      i += 2;
    }
    return out;
  }

  // The index past the ')' matching the '(' at `i`.
  size_t close_of(size_t i) const {
    int depth = 0;
    for (; i < t_->size(); ++i) {
      if (punct(i, '(')) ++depth;
      if (punct(i, ')') && --depth == 0) return i + 1;
    }
    return t_->size();
  }

  void skip_if_exists(size_t& i) const {
    if (word(i, "IF") && word(i + 1, "NOT") && word(i + 2, "EXISTS")) i += 3;
    if (word(i, "IF") && word(i + 1, "EXISTS")) i += 2;
  }

  // The kind words from `i` up to and including a kind noun ("MATERIALIZED VIEW"),
  // lower-cased; "" when no noun comes within a few words.
  std::string kind_words(size_t& i) const {
    for (size_t k = i; k < i + 4 && at(k).kind == Token::Kind::word; ++k) {
      if (!kind_nouns().contains(at(k).text)) continue;
      std::string kind = ascii_lower(text(i, k + 1));
      i = k + 1;
      return kind;
    }
    return "";
  }

  void add_object(const std::string& kind, const std::string& name, const std::string& body) {
    auto& text = model_.objects[{kind, name}];
    text += (text.empty() ? "" : "\n") + body;
  }

  void read_statement() {
    const std::string whole = text(0, t_->size());
    bool done = false;
    if (word(0, "CREATE")) done = read_create();
    else if (word(0, "ALTER")) done = read_alter();
    else if (word(0, "COMMENT") && word(1, "ON")) done = read_comment();
    else if (word(0, "GRANT") || word(0, "REVOKE")) done = read_privileges();
    if (!done) add_object("statement", whole.size() > 120 ? whole.substr(0, 117) + "..." : whole, whole);
  }

  bool read_create() {
    size_t i = 1;
    if (word(i, "OR") && word(i + 1, "REPLACE")) i += 2;
    bool unique = false;
    while (word(i, "UNIQUE") || word(i, "TEMP") || word(i, "TEMPORARY") || word(i, "UNLOGGED") ||
           word(i, "TRUSTED") || word(i, "PROCEDURAL") || word(i, "DEFAULT") || word(i, "RECURSIVE")) {
      unique = unique || word(i, "UNIQUE");
      ++i;
    }
    std::string kind = kind_words(i);
    if (kind.empty()) return false;
    if (word(i, "CONCURRENTLY")) ++i;
    skip_if_exists(i);
    std::string object = name(i);
    if (object.empty() && !(kind == "cast" && punct(i, '('))) return false;
    const std::string whole = text(0, t_->size());
    if (kind == "table" || kind == "foreign table") return read_table(object, i);
    if (kind == "index" || kind == "trigger" || kind == "constraint trigger" || kind == "policy" || kind == "rule")
      return read_on_table(kind == "constraint trigger" ? "trigger" : kind, object, i, unique);
    if ((kind == "function" || kind == "procedure" || kind == "aggregate" || kind == "cast") && punct(i, '('))
      object += text(i, close_of(i));
    add_object(kind, object, whole);
    return true;
  }

  // CREATE TABLE name (…) [options]
  bool read_table(const std::string& table_name, size_t i) {
    Table& table = model_.tables[table_name];
    if (!punct(i, '(')) {
      table.options = text(i, t_->size());
      return true;
    }
    size_t end = close_of(i) - 1;  // the ')'
    size_t start = i + 1;
    int depth = 0;
    for (size_t k = start; k <= end; ++k) {
      if (punct(k, '(')) ++depth;
      if (punct(k, ')') && k != end) --depth;
      if ((punct(k, ',') && depth == 0) || k == end) {
        if (k > start) read_element(table, start, k);
        start = k + 1;
      }
    }
    table.options = text(end + 1, t_->size());
    return true;
  }

  // One column or table constraint of a CREATE TABLE, tokens [from, to).
  void read_element(Table& table, size_t from, size_t to) {
    if (word(from, "CONSTRAINT")) {
      size_t i = from + 1;
      std::string constraint = name(i);
      table.parts[{"constraint", constraint}] = text(i, to);
      return;
    }
    for (const char* w : {"PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE", "LIKE"}) {
      if (!word(from, w)) continue;
      std::string def = text(from, to);
      table.parts[{"constraint", def}] = def;
      return;
    }
    size_t i = from;
    std::string column = name_part(i++);
    Column c;
    size_t k = i;
    while (k < to && !(at(k).kind == Token::Kind::word && column_keywords().contains(at(k).text))) k = next(k);
    c.type = text(i, k);
    std::vector<std::string> other;
    while (k < to) {
      if (word(k, "NOT") && word(k + 1, "NULL")) {
        c.not_null = true;
        k += 2;
      } else if (word(k, "NULL")) {
        ++k;
      } else {
        bool is_default = word(k, "DEFAULT");
        size_t clause = k;
        k = next(k);  // a clause has at least its keyword (DEFAULT NULL is a default)
        if (is_default && k < to) k = next(k);
        while (k < to && !(at(k).kind == Token::Kind::word && column_keywords().contains(at(k).text) &&
                           !word(k, "AS") && !word(k, "ON")))
          k = next(k);
        if (is_default) c.default_value = text(clause + 1, k);
        else other.push_back(text(clause, k));
      }
    }
    for (const auto& o : other) c.other += (c.other.empty() ? "" : " ") + o;
    if (!table.columns.contains(column)) table.order.push_back(column);
    table.columns[column] = c;
  }

  // The token after the one at `i`, past a parenthesised group as a whole.
  size_t next(size_t i) const { return punct(i, '(') ? close_of(i) : i + 1; }

  // CREATE INDEX / TRIGGER / POLICY / RULE name … ON [ONLY] table …: a part of that
  // table when it is one, else an object of its own.
  bool read_on_table(const std::string& kind, const std::string& object, size_t i, bool unique) {
    const std::string whole = text(0, t_->size());
    size_t on = i;
    while (on < t_->size() && !word(on, "ON")) on = next(on);
    size_t k = on + 1;
    if (word(k, "ONLY")) ++k;
    std::string table_name = name(k);
    // A rule names its table after TO (CREATE RULE r AS ON INSERT TO t).
    if (kind == "rule" && word(k, "TO")) {
      ++k;
      table_name = name(k);
    }
    auto found = model_.tables.find(table_name);
    if (found == model_.tables.end()) {
      add_object(kind, object, whole);
      return true;
    }
    std::string detail = kind == "index" ? (unique ? "UNIQUE " : "") + text(k, t_->size()) : whole;
    found->second.parts[{kind, object}] = kind == "index" ? detail : whole;
    return true;
  }

  bool read_alter() {
    size_t i = 1;
    std::string kind = kind_words(i);
    if (kind.empty()) return false;
    skip_if_exists(i);
    if (word(i, "ONLY")) ++i;
    std::string object = name(i);
    if (object.empty()) return false;
    if (kind == "table" || kind == "foreign table") {
      auto found = model_.tables.find(object);
      if (found != model_.tables.end()) return read_alter_table(found->second, i);
    }
    add_object(kind, object, text(0, t_->size()));
    return true;
  }

  bool read_alter_table(Table& table, size_t i) {
    if (word(i, "ADD") && word(i + 1, "CONSTRAINT")) {
      size_t k = i + 2;
      std::string constraint = name(k);
      table.parts[{"constraint", constraint}] = text(k, t_->size());
      return true;
    }
    if (word(i, "ALTER")) {
      size_t k = i + 1;
      if (word(k, "COLUMN")) ++k;
      std::string column = name_part(k++);
      auto found = table.columns.find(column);
      if (found != table.columns.end() && word(k, "SET") && word(k + 1, "DEFAULT")) {
        found->second.default_value = text(k + 2, t_->size());
        return true;
      }
      if (found != table.columns.end() && word(k, "ADD") && word(k + 1, "GENERATED")) {
        found->second.identity = text(k + 1, t_->size());
        return true;
      }
    }
    std::string rest = text(i, t_->size());
    table.parts[{"statement", rest}] = rest;
    return true;
  }

  // COMMENT ON COLUMN t.c / TABLE t: a part of the table; other comments are objects.
  bool read_comment() {
    size_t i = 2;
    std::string kind = kind_words(i);
    size_t name_at = i;
    std::string object = name(i);
    if (kind == "column") {
      auto dot = object.rfind('.');
      auto found = dot == std::string::npos ? model_.tables.end() : model_.tables.find(object.substr(0, dot));
      if (found != model_.tables.end()) {
        found->second.parts[{"comment", "on column " + object.substr(dot + 1)}] = text(0, t_->size());
        return true;
      }
    } else if (kind == "table") {
      auto found = model_.tables.find(object);
      if (found != model_.tables.end()) {
        found->second.parts[{"comment", "on table"}] = text(0, t_->size());
        return true;
      }
    }
    size_t is = name_at;
    while (is < t_->size() && !word(is, "IS")) ++is;
    add_object("comment", "on " + (kind.empty() ? "" : kind + " ") + text(name_at, is), text(0, t_->size()));
    return true;
  }

  // GRANT / REVOKE … ON [kind] name TO|FROM …: privileges of that object.
  bool read_privileges() {
    size_t on = 1;
    while (on < t_->size() && !word(on, "ON")) ++on;
    if (on >= t_->size()) return false;
    size_t end = on + 1;
    while (end < t_->size() && !word(end, "TO") && !word(end, "FROM")) ++end;
    add_object("privileges", "on " + ascii_lower(text(on + 1, end)), text(0, t_->size()));
    return true;
  }

  std::string_view dump_;
  Dialect dialect_;
  const std::vector<Token>* t_ = nullptr;
  Model model_;
};

// "type integer → bigint, NOT NULL added"
std::string column_change(const Column& was, const Column& now) {
  std::vector<std::string> what;
  auto changed = [&](const char* label, const std::string& a, const std::string& b) {
    if (a == b) return;
    if (a.empty()) what.push_back(std::string(label) + " " + b + " added");
    else if (b.empty()) what.push_back(std::string(label) + " " + a + " dropped");
    else what.push_back(std::string(label) + " " + a + " → " + b);
  };
  changed("type", was.type, now.type);
  changed("default", was.default_value, now.default_value);
  changed("identity", was.identity, now.identity);
  if (was.not_null != now.not_null) what.push_back(now.not_null ? "NOT NULL added" : "NOT NULL dropped");
  changed("clause", was.other, now.other);
  std::string out;
  for (const auto& w : what) out += (out.empty() ? "" : ", ") + w;
  return out;
}

SchemaChange item(Action action, std::string kind, std::string name, std::string detail = {}) {
  return SchemaChange{.action = action, .kind = std::move(kind), .name = std::move(name),
                      .detail = std::move(detail), .parts = {}};
}

// Parts in both maps: added, changed, dropped, in key order.
void diff_parts(const std::map<PartKey, std::string>& was, const std::map<PartKey, std::string>& now,
                std::vector<SchemaChange>& out) {
  for (const auto& [key, text] : now) {
    auto found = was.find(key);
    if (found == was.end()) out.push_back(item(Action::create, key.first, key.second, key.first == "index" ? text : ""));
    else if (found->second != text) out.push_back(item(Action::update, key.first, key.second, "definition changed"));
  }
  for (const auto& [key, text] : was)
    if (!now.contains(key)) out.push_back(item(Action::remove, key.first, key.second));
}

std::vector<SchemaChange> table_parts(const Table& was, const Table& now) {
  std::vector<SchemaChange> parts;
  for (const auto& column : now.order) {
    const Column& c = now.columns.at(column);
    auto found = was.columns.find(column);
    if (found == was.columns.end()) parts.push_back(item(Action::create, "column", column, c.shown()));
    else if (!(found->second == c)) parts.push_back(item(Action::update, "column", column, column_change(found->second, c)));
  }
  for (const auto& column : was.order)
    if (!now.columns.contains(column)) parts.push_back(item(Action::remove, "column", column));
  diff_parts(was.parts, now.parts, parts);
  if (was.options != now.options)
    parts.push_back(item(Action::update, "table options", now.options.empty() ? "(none)" : now.options,
                         was.options.empty() ? "added" : "was " + was.options));
  return parts;
}

}  // namespace

std::vector<SchemaChange> diff_schemas(std::string_view before, std::string_view after, Dialect dialect) {
  const Model was = Reader(before, dialect).run();
  const Model now = Reader(after, dialect).run();
  std::vector<SchemaChange> out;
  static const Table kEmpty;
  for (const auto& [name, table] : now.tables) {
    auto found = was.tables.find(name);
    if (found == was.tables.end()) {
      auto added = item(Action::create, "table", name,
                        std::to_string(table.order.size()) + (table.order.size() == 1 ? " column" : " columns"));
      added.parts = table_parts(kEmpty, table);
      out.push_back(std::move(added));
      continue;
    }
    auto parts = table_parts(found->second, table);
    if (parts.empty()) continue;
    auto changed = item(Action::update, "table", name);
    changed.parts = std::move(parts);
    out.push_back(std::move(changed));
  }
  for (const auto& [name, table] : was.tables)
    if (!now.tables.contains(name)) out.push_back(item(Action::remove, "table", name));
  std::vector<SchemaChange> objects;
  diff_parts(was.objects, now.objects, objects);
  std::stable_sort(objects.begin(), objects.end(), [](const SchemaChange& a, const SchemaChange& b) {
    return std::tie(a.kind, a.name) < std::tie(b.kind, b.name);
  });
  for (auto& o : objects) out.push_back(std::move(o));
  return out;
}

}  // namespace converge::providers::sql
