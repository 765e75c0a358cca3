// The expression half of the template parser, after jinja2/parser.py: precedence
// from loosest to tightest is `a if b else c`, or, and, not, comparisons (==, !=,
// <, <=, >, >=, in, not in; chained as in Python), + and -, ~, *, /, // and %, **,
// unary - and +, then primaries with postfix `.name`, `[key]`, `(args)` and the
// filter/test chain `| f(args)`, `is [not] t(args)`. Adjacent string literals
// concatenate; a trailing comma makes a tuple.
#include "converge/template/parser.hpp"

#include <algorithm>

namespace converge::tmpl {

Parser::Nest::Nest(Parser& p, const Token& at) : p_(p) {
  if (++p_.nesting_ > kMaxExpressionNesting) {
    p_.fail(at, "expressions nested more than " + std::to_string(kMaxExpressionNesting) +
                    " deep (parentheses, brackets, operators): converge's limit");
  }
}

ExprPtr Parser::share(Expr e) const {
  for (const auto& a : e.args) {
    if (a) e.depth = std::max(e.depth, a->depth + 1);
  }
  for (const auto& [k, a] : e.kwargs) e.depth = std::max(e.depth, a->depth + 1);
  if (e.depth > kMaxExpressionNesting) {
    TemplateError err("an expression nested more than " + std::to_string(kMaxExpressionNesting) +
                      " deep (operators, filters, calls): converge's limit");
    err.line = e.line, err.column = e.column;
    throw err;
  }
  return std::make_shared<const Expr>(std::move(e));
}

ExprPtr Parser::parse_tuple(bool with_condexpr, std::initializer_list<std::string_view> extra_end,
                            bool explicit_parentheses) {
  const Token& start = cur();
  std::vector<ExprPtr> items;
  bool is_tuple = false;
  auto at_end = [&] {
    if (cur().type == Tok::var_end || cur().type == Tok::block_end || is_op(")")) return true;
    for (auto name : extra_end) {
      if (is_name(name)) return true;
    }
    return false;
  };
  while (true) {
    if (!items.empty()) expect_op(",");
    if (at_end()) break;
    items.push_back(parse_expression(with_condexpr));
    if (is_op(",")) is_tuple = true;
    else break;
  }
  if (!is_tuple) {
    if (!items.empty()) return items[0];
    if (!explicit_parentheses) fail(cur(), "Expected an expression, got " + describe(cur()));
  }
  Expr e = make(ExprKind::tuple, start);
  e.args = std::move(items);
  return share(std::move(e));
}

ExprPtr Parser::parse_expression(bool with_condexpr) { return with_condexpr ? parse_condexpr() : parse_or(); }

ExprPtr Parser::parse_condexpr() {
  Nest nest(*this, cur());
  ExprPtr then = parse_or();
  while (is_name("if")) {
    Expr e = make(ExprKind::cond, next());
    ExprPtr test = parse_or();
    ExprPtr otherwise = skip_name("else") ? parse_condexpr() : nullptr;
    e.args = {test, then, otherwise};
    then = share(std::move(e));
  }
  return then;
}

ExprPtr Parser::parse_or() {
  ExprPtr left = parse_and();
  while (is_name("or")) {
    Expr e = make(ExprKind::or_, next());
    e.args = {left, parse_and()};
    left = share(std::move(e));
  }
  return left;
}

ExprPtr Parser::parse_and() {
  ExprPtr left = parse_not();
  while (is_name("and")) {
    Expr e = make(ExprKind::and_, next());
    e.args = {left, parse_not()};
    left = share(std::move(e));
  }
  return left;
}

ExprPtr Parser::parse_not() {
  if (!is_name("not")) return parse_compare();
  Nest nest(*this, cur());
  Expr e = make(ExprKind::not_, next());
  e.args = {parse_not()};
  return share(std::move(e));
}

ExprPtr Parser::parse_compare() {
  const Token& start = cur();
  ExprPtr first = parse_math1();
  Expr e = make(ExprKind::compare, start);
  e.args.push_back(first);
  while (true) {
    if (cur().type == Tok::op && (cur().text == "==" || cur().text == "!=" || cur().text == "<" ||
                                  cur().text == "<=" || cur().text == ">" || cur().text == ">=")) {
      e.ops.push_back(next().text);
    } else if (skip_name("in")) {
      e.ops.push_back("in");
    } else if (is_name("not") && look().type == Tok::name && look().text == "in") {
      next(), next();
      e.ops.push_back("not in");
    } else {
      break;
    }
    e.args.push_back(parse_math1());
  }
  return e.ops.empty() ? first : share(std::move(e));
}

ExprPtr Parser::parse_math1() {
  ExprPtr left = parse_concat();
  while (is_op("+") || is_op("-")) {
    Expr e = make(ExprKind::binary, cur());
    e.name = next().text;
    e.args = {left, parse_concat()};
    left = share(std::move(e));
  }
  return left;
}

ExprPtr Parser::parse_concat() {
  const Token& start = cur();
  ExprPtr first = parse_math2();
  if (!is_op("~")) return first;
  Expr e = make(ExprKind::concat, start);
  e.args.push_back(first);
  while (skip_op("~")) e.args.push_back(parse_math2());
  return share(std::move(e));
}

ExprPtr Parser::parse_math2() {
  ExprPtr left = parse_pow();
  while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
    Expr e = make(ExprKind::binary, cur());
    e.name = next().text;
    e.args = {left, parse_pow()};
    left = share(std::move(e));
  }
  return left;
}

ExprPtr Parser::parse_pow() {
  ExprPtr left = parse_unary();
  while (is_op("**")) {
    Expr e = make(ExprKind::binary, cur());
    e.name = next().text;
    e.args = {left, parse_unary()};
    left = share(std::move(e));
  }
  return left;
}

ExprPtr Parser::parse_unary(bool with_filter) {
  ExprPtr node;
  if (is_op("-") || is_op("+")) {
    Nest nest(*this, cur());
    Expr e = make(is_op("-") ? ExprKind::neg : ExprKind::pos, cur());
    next();
    e.args = {parse_unary(false)};
    node = share(std::move(e));
  } else {
    node = parse_primary();
  }
  node = parse_postfix(node);
  return with_filter ? parse_filter_expr(node) : node;
}

ExprPtr Parser::parse_primary() {
  const Token& t = cur();
  Expr e = make(ExprKind::literal, t);
  if (t.type == Tok::name) {
    next();
    if (t.text == "true" || t.text == "True") e.value = Value::from(true);
    else if (t.text == "false" || t.text == "False") e.value = Value::from(false);
    else if (t.text == "none" || t.text == "None") e.value = Value::none();
    else e.kind = ExprKind::name, e.name = t.text;
  } else if (t.type == Tok::string) {
    std::string s;
    while (cur().type == Tok::string) s += next().text;
    e.value = Value::from(std::move(s));
  } else if (t.type == Tok::integer) {
    e.value = Value::from(next().integer);
  } else if (t.type == Tok::floating) {
    e.value = Value::from(next().floating);
  } else if (skip_op("(")) {
    ExprPtr inner = parse_tuple(true, {}, true);
    expect_op(")");
    return inner;
  } else if (skip_op("[") || skip_op("{")) {
    bool is_dict = t.text == "{";
    e.kind = is_dict ? ExprKind::dict : ExprKind::list;
    std::string_view close = is_dict ? "}" : "]";
    while (!is_op(close)) {
      if (!e.args.empty()) expect_op(",");
      if (is_op(close)) break;
      e.args.push_back(parse_expression());
      if (is_dict) expect_op(":"), e.args.push_back(parse_expression());
    }
    expect_op(close);
  } else {
    fail(t, "unexpected " + describe(t));
  }
  return share(std::move(e));
}

ExprPtr Parser::parse_postfix(ExprPtr node) {
  while (true) {
    if (is_op(".")) {
      next();
      const Token& attr = cur();
      Expr e = make(attr.type == Tok::name ? ExprKind::getattr : ExprKind::getitem, attr);
      e.line = node->line, e.column = node->column;  // errors point at the start of `a.b`
      if (attr.type == Tok::name) {
        e.name = attr.text;
      } else if (attr.type == Tok::integer) {
        Expr key = make(ExprKind::literal, attr);
        key.value = Value::from(attr.integer);
        e.args.push_back(nullptr);
        e.args.push_back(share(std::move(key)));
      } else {
        fail(attr, "expected name or number");
      }
      next();
      if (e.args.empty()) e.args.push_back(node);
      else e.args[0] = node;
      node = share(std::move(e));
    } else if (is_op("[")) {
      Expr e = make(ExprKind::getitem, next());
      e.line = node->line, e.column = node->column;
      std::vector<ExprPtr> keys;
      while (!is_op("]")) {
        if (!keys.empty()) expect_op(",");
        if (is_op(":")) fail(cur(), "unsupported: slices");
        keys.push_back(parse_expression());
        if (is_op(":")) fail(cur(), "unsupported: slices");
      }
      expect_op("]");
      if (keys.empty()) fail(cur(), "expected a subscript");
      if (keys.size() == 1) {
        e.args = {node, keys[0]};
      } else {
        Expr tuple = make(ExprKind::tuple, t_[i_ - 1]);
        tuple.args = std::move(keys);
        e.args = {node, share(std::move(tuple))};
      }
      node = share(std::move(e));
    } else if (is_op("(")) {
      node = parse_call(node);
    } else {
      return node;
    }
  }
}

ExprPtr Parser::parse_filter_expr(ExprPtr node) {
  while (true) {
    if (is_op("|")) node = parse_filter(node);
    else if (is_name("is")) node = parse_test(node);
    else if (is_op("(")) node = parse_call(node);
    else return node;
  }
}

}  // namespace converge::tmpl
