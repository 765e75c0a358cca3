// Finds the statements of a migration script that end or start a transaction
// (COMMIT, END, ROLLBACK, ABORT, BEGIN, START TRANSACTION, PREPARE TRANSACTION), so a
// transactional migration that would break its all-or-nothing promise is refused at
// plan time; and the statement splitter under it, which the migration lint reads
// (internal to the sql provider).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace converge::providers::sql {

// The SQL dialect decides which quotes exist: PostgreSQL has dollar quotes, E'…'
// strings and nested block comments; SQLite has [identifiers] and `identifiers`.
enum class Dialect { sqlite, postgres };

// One token of a statement. Words are upper-cased; a quoted identifier keeps its text
// without the quotes; a string (also E'…' and dollar-quoted) has no text; a number or
// one punctuation character ("(", ",", ".", …) is as written.
struct Token {
  enum class Kind { word, quoted, string, number, punct };
  Kind kind = Kind::word;
  std::string text;
  size_t begin = 0, end = 0;  // its bytes in the script, quotes included: script.substr(begin, end - begin)
};

// Whether token i of `t` exists and is the punctuation `p`.
inline bool is_punct(const std::vector<Token>& t, size_t i, std::string_view p) {
  return i < t.size() && t[i].kind == Token::Kind::punct && t[i].text == p;
}

struct Statement {
  int line = 0;               // 1-based line of its first token in the script
  std::vector<Token> tokens;  // comments and the ending ';' left out
};

// The top-level statements of `script`, split as find_transaction_control below
// describes (empty statements left out).
std::vector<Statement> split_statements(std::string_view script, Dialect dialect);

struct TransactionControl {
  int line = 0;           // 1-based line of the statement's first word in the script
  std::string statement;  // its leading words, upper-cased: "COMMIT", "START TRANSACTION"
};

// The first top-level transaction-control statement of `script`; nullopt when there is
// none. Only a statement's leading words count: text in string literals, quoted
// identifiers, comments and dollar-quoted bodies (function and DO bodies) is skipped,
// as are semicolons inside parentheses and inside the BEGIN … END body of a CREATE
// TRIGGER (SQLite) or a BEGIN ATOMIC function body (PostgreSQL). SAVEPOINT, RELEASE
// and ROLLBACK TO stay inside the transaction and are not reported.
std::optional<TransactionControl> find_transaction_control(std::string_view script, Dialect dialect);

}  // namespace converge::providers::sql
