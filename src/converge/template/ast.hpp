// The syntax tree of a template: statements (Node) holding expressions (Expr),
// shaped like jinja2/nodes.py for the subset converge supports.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "converge/template/value.hpp"

namespace converge::tmpl {

enum class ExprKind {
  literal, name, getattr, getitem, filter, test, neg, pos, binary, concat, compare, and_, or_, not_,
  cond, list, tuple, dict, call
};

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
  ExprKind kind = ExprKind::literal;
  int line = 0;
  int column = 0;
  Value value;                  // literal
  std::string name;             // name; getattr attribute; filter/test name; binary operator
  std::vector<ExprPtr> args;    // operands: subject first (getattr, getitem, filter, test, call), then arguments
  std::vector<std::pair<std::string, ExprPtr>> kwargs;  // keyword arguments of filters, tests, calls
  std::vector<std::string> ops;  // compare: the operator before each args[i + 1]
  int depth = 1;                 // of the tree under this node (a leaf is 1)
};

enum class NodeKind { text, output, if_, for_, set };

struct Node {
  NodeKind kind = NodeKind::text;
  int line = 0;
  int column = 0;
  std::string text;                  // text
  ExprPtr expr;                      // output; set value; for iterable
  std::vector<std::string> targets;  // for: loop variables; set: the name
  std::vector<std::pair<ExprPtr, std::vector<Node>>> branches;  // if / elif
  std::vector<Node> body;            // for body
  std::vector<Node> else_body;       // if / for else
};

// How deeply a template may nest: an expression's tree, and the parentheses,
// brackets, unary operators and `not`s the parser recurses into; and blocks
// ({% if %}, {% for %}) inside blocks. Jinja2 itself fails at about 60 nested
// parentheses, 300 levels of operators, 100 nested ifs and 20 nested fors; these
// keep the parser's and the evaluator's recursion far from the end of the stack.
inline constexpr int kMaxExpressionNesting = 256;
inline constexpr int kMaxBlockNesting = 100;

// The tree of `source`; throws TemplateError at the offending token for syntax
// errors, unsupported tags, unclosed blocks, nesting beyond the limits above and
// unknown filters or tests (the last only outside if-statements and conditional
// expressions, as Jinja2 does).
std::vector<Node> parse(std::string_view source);

// Whether the filter or test `name` exists (filters.cpp).
bool known_filter(std::string_view name);
bool known_test(std::string_view name);

}  // namespace converge::tmpl
