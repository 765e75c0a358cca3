// The recursive-descent parser behind parse() (ast.hpp), split over parser.cpp
// (statements) and expression_parser.cpp (expressions, after jinja2/parser.py).
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "converge/template/ast.hpp"
#include "converge/template/lexer.hpp"

namespace converge::tmpl {

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}
  std::vector<Node> parse_template();

 private:
  // statements
  std::vector<Node> subparse(std::initializer_list<std::string_view> end_tags, std::string_view block,
                             const Token& opened);
  Node parse_statement();
  Node parse_if(const Token& tag);
  Node parse_for(const Token& tag);
  Node parse_set(const Token& tag);
  std::vector<std::string> parse_targets(bool allow_tuple);

  // expressions
  ExprPtr parse_tuple(bool with_condexpr, std::initializer_list<std::string_view> extra_end = {},
                      bool explicit_parentheses = false);
  ExprPtr parse_expression(bool with_condexpr = true);
  ExprPtr parse_condexpr();
  ExprPtr parse_or();
  ExprPtr parse_and();
  ExprPtr parse_not();
  ExprPtr parse_compare();
  ExprPtr parse_math1();
  ExprPtr parse_concat();
  ExprPtr parse_math2();
  ExprPtr parse_pow();
  ExprPtr parse_unary(bool with_filter = true);
  ExprPtr parse_primary();
  ExprPtr parse_postfix(ExprPtr node);
  ExprPtr parse_filter_expr(ExprPtr node);
  ExprPtr parse_filter(ExprPtr node);
  ExprPtr parse_test(ExprPtr node);
  ExprPtr parse_call(ExprPtr node);
  void parse_call_args(Expr& into);
  std::string parse_dotted_name();

  // token stream
  const Token& cur() const { return t_[i_]; }
  const Token& look() const { return t_[i_ + 1 < t_.size() ? i_ + 1 : i_]; }
  const Token& next() { const Token& t = t_[i_]; if (i_ + 1 < t_.size()) ++i_; return t; }
  bool is_op(std::string_view op) const { return cur().type == Tok::op && cur().text == op; }
  bool is_name(std::string_view name) const { return cur().type == Tok::name && cur().text == name; }
  bool skip_op(std::string_view op) { if (!is_op(op)) return false; next(); return true; }
  bool skip_name(std::string_view name) { if (!is_name(name)) return false; next(); return true; }
  const Token& expect(Tok type, std::string_view what);
  void expect_op(std::string_view op);
  [[noreturn]] void fail(const Token& at, const std::string& message) const;
  static std::string describe(const Token& t);
  Expr make(ExprKind kind, const Token& at) const;
  // The finished node, shared; fails at it when its tree is deeper than kMaxExpressionNesting.
  ExprPtr share(Expr e) const;

  // One level of the parser's recursion into an expression while alive; fails at
  // `at` past kMaxExpressionNesting.
  class Nest {
   public:
    Nest(Parser& p, const Token& at);
    ~Nest() { --p_.nesting_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;

   private:
    Parser& p_;
  };
  int nesting_ = 0;

  struct OpenBlock {
    std::string name;  // "if", "for"
    int line;
    std::string ends;  // "'endfor' or 'else'"
  };
  std::vector<OpenBlock> open_;  // innermost last
  std::vector<Token> t_;
  std::size_t i_ = 0;
};

}  // namespace converge::tmpl
