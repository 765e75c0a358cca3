// Splits a template into Jinja2's token stream (default Environment delimiters).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace converge::tmpl {

enum class Tok { data, var_begin, var_end, block_begin, block_end, name, string, integer, floating, op, eof };

struct Token {
  Tok type = Tok::eof;
  std::string text;  // data, name, operator, or the unescaped string literal
  std::int64_t integer = 0;
  double floating = 0;
  int line = 1;
  int column = 1;
};

// A literal scanned from a tag (lexer_literals.cpp): its token type, where it ends,
// its value. scan_number expects a digit at `at`; scan_string a quote, and gives
// nothing when the string is not closed. Both throw TemplateError (no location)
// for malformed escapes or integers beyond 64 bits.
struct Literal {
  Tok type = Tok::eof;
  std::size_t end = 0;
  std::int64_t integer = 0;
  double floating = 0;
  std::string text;
};
Literal scan_number(std::string_view s, std::size_t at);
std::optional<Literal> scan_string(std::string_view s, std::size_t at);

// The tokens of `source`; throws TemplateError (with line/column) where Jinja2's
// lexer raises TemplateSyntaxError. Raw blocks come out as data tokens.
std::vector<Token> lex(std::string_view source);

}  // namespace converge::tmpl
