// A small SQL lexer that splits a script into top-level statements (split_statements,
// shared by the migration lint) and looks at the leading words of each, to find
// transaction control in a migration.
//
// It skips what the server would not read as statement keywords: whitespace, `--`
// and `/* */` comments (nested on PostgreSQL), '…' strings (with '' escapes, and
// backslash escapes in PostgreSQL E'…'), "…" identifiers, SQLite's […] and `…`
// identifiers, and PostgreSQL dollar-quoted bodies ($$…$$, $tag$…$tag$). A `;` ends a
// statement only outside parentheses (CREATE RULE … DO (a; b)) and outside the BEGIN
// … END body of a CREATE TRIGGER / FUNCTION / PROCEDURE (SQLite trigger bodies,
// PostgreSQL BEGIN ATOMIC), where CASE … END pairs are counted so the body's own END
// is found. A statement's leading words are its words before any other token.
//
// Deliberately not scanned: function, procedure and DO bodies in quotes. PostgreSQL
// itself refuses COMMIT or ROLLBACK from a procedure or DO block that runs inside a
// transaction block ("invalid transaction termination"), so such a migration fails and
// rolls back as a whole instead of committing part of it.
#include "converge/providers/sql/transaction_control.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "converge/util/ascii.hpp"

namespace converge::providers::sql {
namespace {

using util::is_ascii_space;
bool word_start(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalpha(u) != 0 || c == '_' || u >= 0x80;
}
bool word_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || c == '_' || c == '$' || u >= 0x80;
}

std::string upper(std::string_view word) {
  std::string out(word);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The transaction-control statement named by a statement's leading words, "" for
// anything else.
std::string transaction_control(const std::vector<std::string>& lead) {
  auto word = [&lead](size_t i) { return i < lead.size() ? lead[i] : std::string(); };
  const std::string first = word(0);
  if (first == "COMMIT" || first == "END" || first == "ABORT" || first == "BEGIN") return first;
  if ((first == "START" || first == "PREPARE") && word(1) == "TRANSACTION") return first + " TRANSACTION";
  if (first == "ROLLBACK") {
    size_t next = (word(1) == "WORK" || word(1) == "TRANSACTION") ? 2 : 1;
    return word(next) == "TO" ? "" : first;  // ROLLBACK TO [SAVEPOINT] stays in the transaction
  }
  return "";
}

class Scanner {
 public:
  Scanner(std::string_view script, Dialect dialect) : s_(script), dialect_(dialect) {}

  std::vector<Statement> run() {
    size_t i = 0;
    while (i < s_.size()) {
      char c = s_[i];
      char next = i + 1 < s_.size() ? s_[i + 1] : '\0';
      if (is_ascii_space(c)) {
        ++i;
      } else if (c == '-' && next == '-') {
        i = s_.find('\n', i);
        if (i == std::string_view::npos) i = s_.size();
      } else if (c == '/' && next == '*') {
        i = skip_block_comment(i);
      } else if (c == '\'' || c == '"') {
        size_t end = skip_quoted(i, c, false);
        other_token(c == '"' ? Token::Kind::quoted : Token::Kind::string, i, end);
        i = end;
      } else if (dialect_ == Dialect::sqlite && (c == '[' || c == '`')) {
        size_t end = c == '[' ? skip_bracketed(i) : skip_quoted(i, '`', false);
        other_token(Token::Kind::quoted, i, end);
        i = end;
      } else if (auto body_end = c == '$' && dialect_ == Dialect::postgres ? dollar_quote_end(i) : std::nullopt) {
        other_token(Token::Kind::string, i, *body_end);
        i = *body_end;
      } else if (word_start(c)) {
        size_t end = i;
        while (end < s_.size() && word_char(s_[end])) ++end;
        std::string_view word = s_.substr(i, end - i);
        if (dialect_ == Dialect::postgres && (word == "E" || word == "e") && end < s_.size() && s_[end] == '\'') {
          size_t close = skip_quoted(end, '\'', true);
          other_token(Token::Kind::string, i, close);
          i = close;
        } else {
          on_word(word, i);
          i = end;
        }
      } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
        size_t start = i;
        while (i < s_.size() && (word_char(s_[i]) || s_[i] == '.')) ++i;
        other_token(Token::Kind::number, start, i);
      } else {
        if (c == ';' && parens_ == 0 && block_ == 0) {
          end_statement();
        } else {
          if (c == '(') ++parens_;
          if (c == ')') parens_ = std::max(0, parens_ - 1);
          other_token(Token::Kind::punct, i, i + 1);
          after_dot_ = c == '.';
        }
        ++i;
      }
    }
    end_statement();
    return std::move(out_);
  }

 private:
  // A token other than a word: a string, a quoted identifier (its text without the
  // quotes), a number or one punctuation character, from s_[from, to).
  void other_token(Token::Kind kind, size_t from, size_t to) {
    lead_open_ = false;
    after_dot_ = false;
    std::string text;
    if (kind == Token::Kind::quoted) text = std::string(s_.substr(from + 1, to > from + 1 ? to - from - 2 : 0));
    else if (kind != Token::Kind::string) text = std::string(s_.substr(from, to - from));
    add(Token{.kind = kind, .text = std::move(text), .begin = from, .end = to}, from);
  }

  void add(Token token, size_t at) {
    if (current_.tokens.empty()) current_.line = line_at(at);
    current_.tokens.push_back(std::move(token));
  }

  int line_at(size_t at) {
    line_ += static_cast<int>(std::count(s_.begin() + static_cast<std::ptrdiff_t>(line_offset_),
                                         s_.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    line_offset_ = at;
    return line_;
  }

  void on_word(std::string_view text, size_t at) {
    std::string word = upper(text);
    bool dotted = after_dot_;
    after_dot_ = false;
    add(Token{.kind = Token::Kind::word, .text = word, .begin = at, .end = at + text.size()}, at);
    if (lead_open_ && lead_.size() < 3) lead_.push_back(word);
    if (dotted || parens_ > 0) return;
    if (block_ > 0) {
      if (word == "CASE") ++block_;
      if (word == "END") --block_;
      return;
    }
    if (lead_.empty() || lead_.front() != "CREATE") return;
    if (word == "TRIGGER" || word == "FUNCTION" || word == "PROCEDURE") routine_ = true;
    else if (word == "BEGIN" && routine_) block_ = 1;
  }

  // Ends the statement being read (kept when it has tokens), then a fresh state.
  void end_statement() {
    if (!current_.tokens.empty()) out_.push_back(std::move(current_));
    current_ = Statement{};
    lead_.clear();
    lead_open_ = true;
    routine_ = false;
    after_dot_ = false;
    parens_ = block_ = 0;
  }

  // From the opening quote at `i`, past the closing one; a doubled quote is an escaped
  // one, and so is a backslash-escaped character when `backslash`. Unterminated: the end.
  size_t skip_quoted(size_t i, char quote, bool backslash) const {
    for (size_t j = i + 1; j < s_.size(); ++j) {
      if (backslash && s_[j] == '\\') {
        ++j;
      } else if (s_[j] == quote) {
        if (j + 1 < s_.size() && s_[j + 1] == quote) {
          ++j;
        } else {
          return j + 1;
        }
      }
    }
    return s_.size();
  }

  // SQLite's [identifier]: up to the first ']' (it has no escape).
  size_t skip_bracketed(size_t i) const {
    size_t close = s_.find(']', i + 1);
    return close == std::string_view::npos ? s_.size() : close + 1;
  }

  size_t skip_block_comment(size_t i) const {
    int depth = 0;
    while (i < s_.size()) {
      if (s_.compare(i, 2, "/*") == 0) {
        ++depth;
        i += 2;
        if (dialect_ == Dialect::sqlite && depth > 1) depth = 1;  // SQLite does not nest them
      } else if (s_.compare(i, 2, "*/") == 0) {
        i += 2;
        if (--depth == 0) return i;
      } else {
        ++i;
      }
    }
    return s_.size();
  }

  // When a dollar quote opens at `i` ($$ or $tag$; not $1), the offset past its
  // closing delimiter (the end of the script when it is unterminated).
  std::optional<size_t> dollar_quote_end(size_t i) const {
    size_t tag_end = i + 1;
    if (tag_end < s_.size() && word_start(s_[tag_end]))
      while (tag_end < s_.size() && word_char(s_[tag_end]) && s_[tag_end] != '$') ++tag_end;
    if (tag_end >= s_.size() || s_[tag_end] != '$') return std::nullopt;
    std::string_view delimiter = s_.substr(i, tag_end + 1 - i);
    size_t close = s_.find(delimiter, tag_end + 1);
    return close == std::string_view::npos ? s_.size() : close + delimiter.size();
  }

  std::string_view s_;
  Dialect dialect_;
  std::vector<Statement> out_;     // the statements read so far
  Statement current_;              // the statement being read
  int line_ = 1;                   // line of s_[line_offset_]
  size_t line_offset_ = 0;
  std::vector<std::string> lead_;  // the statement's leading words (up to 3), upper-cased
  bool lead_open_ = true;          // no other token seen in this statement yet
  bool routine_ = false;           // CREATE … TRIGGER / FUNCTION / PROCEDURE seen
  bool after_dot_ = false;         // the previous token was '.' (x.begin is a name)
  int parens_ = 0;
  int block_ = 0;                  // depth inside a BEGIN … END body (CASE … END counted)
};

}  // namespace

std::vector<Statement> split_statements(std::string_view script, Dialect dialect) {
  return Scanner(script, dialect).run();
}

std::optional<TransactionControl> find_transaction_control(std::string_view script, Dialect dialect) {
  for (const auto& statement : split_statements(script, dialect)) {
    std::vector<std::string> lead;
    for (const auto& token : statement.tokens) {
      if (token.kind != Token::Kind::word || lead.size() == 3) break;
      lead.push_back(token.text);
    }
    if (std::string what = transaction_control(lead); !what.empty())
      return TransactionControl{.line = statement.line, .statement = what};
  }
  return std::nullopt;
}

}  // namespace converge::providers::sql
