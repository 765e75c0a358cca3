// The statement half of the template parser: text, `{{ … }}` output and the tags
// if/elif/else/endif, for/else/endfor (with `a, b` unpacking) and `set x = …`,
// mirroring jinja2/parser.py, plus the filter/test/call chains of expressions
// (expression_parser.cpp has the rest). Other Jinja2 tags are refused by name. A last pass
// rejects unknown filters and tests outside if-statements and conditional
// expressions, where Jinja2's compiler rejects them too (inside them Jinja2 only
// fails when the branch runs, and so does the evaluator).
#include "converge/template/parser.hpp"

#include <algorithm>

namespace converge::tmpl {

namespace {

constexpr std::string_view unsupported_tags[] = {
    "macro", "call", "filter", "block", "extends", "include", "import", "from", "with",
    "autoescape", "print", "do", "break", "continue", "trans", "endmacro", "endcall", "endfilter",
    "endblock", "endwith", "endautoescape", "endset", "pluralize", "endtrans"};

void check_expr(const ExprPtr& e, bool soft) {
  if (!e) return;
  if (e->kind == ExprKind::cond) soft = true;
  if (!soft && e->kind == ExprKind::filter && !known_filter(e->name)) {
    TemplateError err("No filter named '" + e->name + "'.");
    err.line = e->line, err.column = e->column;
    throw err;
  }
  if (!soft && e->kind == ExprKind::test && !known_test(e->name)) {
    TemplateError err("No test named '" + e->name + "'.");
    err.line = e->line, err.column = e->column;
    throw err;
  }
  for (const auto& a : e->args) check_expr(a, soft);
  for (const auto& [k, a] : e->kwargs) check_expr(a, soft);
}

void check_nodes(const std::vector<Node>& nodes, bool soft) {
  for (const Node& n : nodes) {
    check_expr(n.expr, soft);
    for (const auto& [cond, body] : n.branches) {
      check_expr(cond, true);
      check_nodes(body, true);
    }
    check_nodes(n.body, false);
    check_nodes(n.else_body, n.kind == NodeKind::if_ ? true : false);
  }
}

}  // namespace

std::vector<Node> parse(std::string_view source) { return Parser(lex(source)).parse_template(); }

std::vector<Node> Parser::parse_template() {
  std::vector<Node> nodes = subparse({}, "", cur());
  check_nodes(nodes, false);
  return nodes;
}

// Nodes up to a `{% <end tag> %}` (left current, its name not consumed) or the end.
std::vector<Node> Parser::subparse(std::initializer_list<std::string_view> end_tags, std::string_view block,
                                   const Token& opened) {
  std::vector<Node> nodes;
  std::string expected;
  for (auto tag : end_tags) expected += (expected.empty() ? "'" : " or '") + std::string(tag) + "'";
  if (end_tags.size() > 0) {
    if (open_.size() >= kMaxBlockNesting) {
      fail(opened, "blocks ({% if %}, {% for %}) nested more than " + std::to_string(kMaxBlockNesting) +
                       " deep: converge's limit");
    }
    open_.push_back({std::string(block), opened.line, expected});
  }
  while (cur().type != Tok::eof) {
    const Token& t = cur();
    if (t.type == Tok::data) {
      Node n;
      n.kind = NodeKind::text, n.line = t.line, n.column = t.column, n.text = t.text;
      nodes.push_back(std::move(n));
      next();
    } else if (t.type == Tok::var_begin) {
      next();
      Node n;
      n.kind = NodeKind::output, n.line = t.line, n.column = t.column;
      n.expr = parse_tuple(true);
      expect(Tok::var_end, "end of print statement");
      nodes.push_back(std::move(n));
    } else if (t.type == Tok::block_begin) {
      next();
      if (cur().type == Tok::name &&
          std::find(end_tags.begin(), end_tags.end(), cur().text) != end_tags.end()) {
        open_.pop_back();
        return nodes;
      }
      nodes.push_back(parse_statement());
      expect(Tok::block_end, "end of statement block");
    } else {
      fail(t, "unexpected " + describe(t));
    }
  }
  if (end_tags.size() > 0) {
    fail(cur(), "unclosed '" + std::string(block) + "' block opened at line " + std::to_string(opened.line) +
                    ": reached the end of the template looking for " + expected);
  }
  return nodes;
}

Node Parser::parse_statement() {
  const Token& tag = cur();
  if (tag.type != Tok::name) fail(tag, "tag name expected");
  if (tag.text == "if") return next(), parse_if(tag);
  if (tag.text == "for") return next(), parse_for(tag);
  if (tag.text == "set") return next(), parse_set(tag);
  if (std::find(std::begin(unsupported_tags), std::end(unsupported_tags), tag.text) != std::end(unsupported_tags)) {
    fail(tag, "unsupported tag '" + tag.text + "' (converge renders a subset of Jinja2)");
  }
  if (tag.text == "elif" || tag.text == "else" || tag.text == "endif" || tag.text == "endfor" ||
      tag.text == "endraw") {
    if (open_.empty()) fail(tag, "unexpected tag '" + tag.text + "' outside the block it belongs to");
    const OpenBlock& b = open_.back();
    fail(tag, "unclosed '" + b.name + "' block opened at line " + std::to_string(b.line) + ": found '" + tag.text +
                  "' where " + b.ends + " was expected");
  }
  fail(tag, "Encountered unknown tag '" + tag.text + "'.");
}

Node Parser::parse_if(const Token& tag) {
  Node n;
  n.kind = NodeKind::if_, n.line = tag.line, n.column = tag.column;
  while (true) {
    ExprPtr test = parse_tuple(false);
    expect(Tok::block_end, "end of statement block");
    n.branches.emplace_back(test, subparse({"elif", "else", "endif"}, "if", tag));
    const Token& end = next();
    if (end.text == "elif") continue;
    if (end.text == "else") {
      expect(Tok::block_end, "end of statement block");
      n.else_body = subparse({"endif"}, "if", tag);
      next();
    }
    return n;
  }
}

Node Parser::parse_for(const Token& tag) {
  Node n;
  n.kind = NodeKind::for_, n.line = tag.line, n.column = tag.column;
  n.targets = parse_targets(true);
  if (!skip_name("in")) fail(cur(), "expected 'in', got " + describe(cur()));
  n.expr = parse_tuple(false, {"recursive"});
  if (is_name("if")) fail(cur(), "unsupported: loop filters ('for … if …')");
  if (is_name("recursive")) fail(cur(), "unsupported: recursive loops");
  expect(Tok::block_end, "end of statement block");
  n.body = subparse({"endfor", "else"}, "for", tag);
  if (next().text == "else") {
    expect(Tok::block_end, "end of statement block");
    n.else_body = subparse({"endfor"}, "for", tag);
    next();
  }
  return n;
}

Node Parser::parse_set(const Token& tag) {
  Node n;
  n.kind = NodeKind::set, n.line = tag.line, n.column = tag.column;
  n.targets = parse_targets(false);
  if (is_op(".")) fail(cur(), "unsupported: assigning to an attribute (namespace objects)");
  if (!skip_op("=")) fail(cur(), "unsupported: block assignment ('{% set x %}…{% endset %}')");
  n.expr = parse_tuple(true);
  return n;
}

// `x`, or (for loops) `a, b` / `(a, b)`.
std::vector<std::string> Parser::parse_targets(bool allow_tuple) {
  std::vector<std::string> names;
  bool paren = allow_tuple && skip_op("(");
  while (true) {
    const Token& t = expect(Tok::name, "a variable name");
    if (t.text == "true" || t.text == "false" || t.text == "none" || t.text == "True" || t.text == "False" ||
        t.text == "None") {
      fail(t, "can't assign to '" + t.text + "'");
    }
    names.push_back(t.text);
    if (!is_op(",")) break;
    if (!allow_tuple) fail(cur(), "unsupported: assigning to several names in 'set'");
    next();
    if (cur().type != Tok::name) break;
  }
  if (paren) expect_op(")");
  return names;
}

// `| name(args)` filters, `is [not] name arg` tests and calls (expressions, continued).
ExprPtr Parser::parse_filter(ExprPtr node) {
  while (skip_op("|")) {
    Expr e = make(ExprKind::filter, cur());
    e.name = parse_dotted_name();
    e.args.push_back(node);
    if (is_op("(")) parse_call_args(e);
    node = share(std::move(e));
  }
  return node;
}

ExprPtr Parser::parse_test(ExprPtr node) {
  const Token& is = next();
  bool negated = skip_name("not");
  Expr e = make(ExprKind::test, cur());
  e.name = parse_dotted_name();
  e.args.push_back(node);
  const Token& t = cur();
  if (is_op("(")) {
    parse_call_args(e);
  } else if ((t.type == Tok::name || t.type == Tok::string || t.type == Tok::integer || t.type == Tok::floating ||
              is_op("[") || is_op("{")) &&
             !is_name("else") && !is_name("or") && !is_name("and")) {
    if (is_name("is")) fail(t, "You cannot chain multiple tests with is");
    e.args.push_back(parse_postfix(parse_primary()));
  }
  ExprPtr test = share(std::move(e));
  if (!negated) return test;
  Expr n = make(ExprKind::not_, is);
  n.args = {test};
  return share(std::move(n));
}

ExprPtr Parser::parse_call(ExprPtr node) {
  Expr e = make(ExprKind::call, cur());
  e.args.push_back(node);
  parse_call_args(e);
  return share(std::move(e));
}

void Parser::parse_call_args(Expr& into) {
  expect_op("(");
  bool need_comma = false;
  while (!is_op(")")) {
    if (need_comma) {
      expect_op(",");
      if (is_op(")")) break;
    }
    if (is_op("*") || is_op("**")) fail(cur(), "unsupported: *args and **kwargs");
    if (cur().type == Tok::name && look().type == Tok::op && look().text == "=") {
      std::string key = next().text;
      next();
      into.kwargs.emplace_back(key, parse_expression());
    } else {
      if (!into.kwargs.empty()) fail(cur(), "Invalid argument syntax: positional argument after keyword argument");
      into.args.push_back(parse_expression());
    }
    need_comma = true;
  }
  expect_op(")");
}

std::string Parser::parse_dotted_name() {
  std::string name = expect(Tok::name, "a filter or test name").text;
  while (skip_op(".")) name += "." + expect(Tok::name, "a name").text;
  return name;
}

const Token& Parser::expect(Tok type, std::string_view what) {
  if (cur().type != type) fail(cur(), "expected " + std::string(what) + ", got " + describe(cur()));
  return next();
}

void Parser::expect_op(std::string_view op) {
  if (!is_op(op)) fail(cur(), "expected '" + std::string(op) + "', got " + describe(cur()));
  next();
}

void Parser::fail(const Token& at, const std::string& message) const {
  TemplateError e(message);
  e.line = at.line, e.column = at.column;
  throw e;
}

std::string Parser::describe(const Token& t) {
  switch (t.type) {
    case Tok::eof: return "end of template";
    case Tok::data: return "template data";
    case Tok::var_begin: return "'{{'";
    case Tok::var_end: return "end of print statement";
    case Tok::block_begin: return "'{%'";
    case Tok::block_end: return "end of statement block";
    case Tok::string: return "string literal";
    default: return "'" + t.text + "'";
  }
}

Expr Parser::make(ExprKind kind, const Token& at) const {
  Expr e;
  e.kind = kind, e.line = at.line, e.column = at.column;
  return e;
}

}  // namespace converge::tmpl
