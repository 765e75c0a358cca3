// The template evaluator: writes text, `{{ expr }}` as Python's str(value), runs
// if/elif/else, for loops (with `loop.*`, tuple unpacking and `else`) and `set`,
// and evaluates expressions with Python/Jinja2 semantics. Scoping follows Jinja2:
// a for loop opens a frame that its `set`s and loop variables die with; `if` does
// not; a top-level `set` shadows the template variables from then on.
#include "converge/template/evaluator.hpp"

#include "converge/template/budget.hpp"

namespace converge::tmpl {

Evaluator::Evaluator(const Value& variables, Semantics sem) : root_(variables), sem_(sem) {
  if (root_.kind == Kind::dict) {
    for (const auto& [name, value] : *root_.entries) root_index_.emplace(name, &value);
  }
}

void Evaluator::append(std::string& out, std::string_view text) const {
  check_bytes(sem_, out.size() + text.size());
  out += text;
}

void Evaluator::render(const std::vector<Node>& nodes, std::string& out) {
  for (const Node& n : nodes) {
    try {
      render_node(n, out);
    } catch (TemplateError& e) {
      if (e.line == 0) {  // a failure of the statement itself: point at its expression
        const Expr* at = n.expr.get();
        e.line = at ? at->line : n.line, e.column = at ? at->column : n.column;
      }
      throw;
    }
  }
}

void Evaluator::render_node(const Node& n, std::string& out) {
  spend(sem_, 1);
  switch (n.kind) {
    case NodeKind::text: return append(out, n.text);
    case NodeKind::output: return append(out, py_str(eval(*n.expr), sem_));
    case NodeKind::set: frames_.back()[n.targets[0]] = eval(*n.expr); return;
    case NodeKind::if_:
      for (const auto& [test, body] : n.branches) {
        Value v = eval(*test);
        bool taken = false;
        try {
          taken = py_truthy(v, sem_);
        } catch (TemplateError& e) {
          if (e.line == 0) e.line = test->line, e.column = test->column;
          throw;
        }
        if (taken) return render(body, out);
      }
      return render(n.else_body, out);
    case NodeKind::for_: return render_for(n, out);
  }
}

namespace {

Value loop_object(std::size_t i, const List& items) {
  auto n = static_cast<std::int64_t>(items.size());
  auto k = static_cast<std::int64_t>(i);
  Dict d{{"index", Value::from(k + 1)},
         {"index0", Value::from(k)},
         {"revindex", Value::from(n - k)},
         {"revindex0", Value::from(n - k - 1)},
         {"first", Value::from(k == 0)},
         {"last", Value::from(k == n - 1)},
         {"length", Value::from(n)},
         {"depth", Value::from(std::int64_t{1})},
         {"depth0", Value::from(std::int64_t{0})},
         {"previtem", i > 0 ? items[i - 1] : Value::undefined("there is no previous item")},
         {"nextitem", i + 1 < items.size() ? items[i + 1] : Value::undefined("there is no next item")}};
  Value loop = Value::dict(std::move(d));
  loop.opaque = "LoopContext";
  return loop;
}

List unpack(const Value& item, std::size_t count, const Semantics& sem) {
  if (item.is_number() || item.kind == Kind::none || item.kind == Kind::method) {
    throw TemplateError("cannot unpack non-iterable " + type_name(item) + " object");
  }
  List values = py_iterate(item, sem);
  if (values.size() < count) {
    throw TemplateError("not enough values to unpack (expected " + std::to_string(count) + ", got " +
                        std::to_string(values.size()) + ")");
  }
  if (values.size() > count) throw TemplateError("too many values to unpack (expected " + std::to_string(count) + ")");
  return values;
}

}  // namespace

void Evaluator::render_for(const Node& n, std::string& out) {
  Value iterable = eval(*n.expr);
  if (iterable.kind == Kind::dict && !iterable.opaque.empty()) throw TemplateError("'LoopContext' object is not iterable");
  List items = py_iterate(iterable, sem_);
  frames_.emplace_back();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (sem_.budget) sem_.budget->iterate();
    auto& frame = frames_.back();
    frame.clear();  // a `set` in the body does not survive into the next iteration
    frame["loop"] = loop_object(i, items);
    if (n.targets.size() == 1) {
      frame[n.targets[0]] = items[i];
    } else {
      List values = unpack(items[i], n.targets.size(), sem_);
      for (std::size_t k = 0; k < values.size(); ++k) frame[n.targets[k]] = values[k];
    }
    render(n.body, out);
  }
  frames_.pop_back();
  if (items.empty()) render(n.else_body, out);
}

Value Evaluator::lookup(const std::string& name) const {
  for (auto it = frames_.rbegin(); it != frames_.rend(); ++it) {
    if (auto found = it->find(name); found != it->end()) return found->second;
  }
  if (auto found = root_index_.find(name); found != root_index_.end()) return *found->second;
  if (name == "range" || name == "dict" || name == "lipsum" || name == "cycler" || name == "joiner" ||
      name == "namespace") {
    return Value::method(Value::none(), name);
  }
  return Value::undefined("'" + name + "' is undefined");
}

// Each expression is a step, and so is each 64 bytes of text it yields (a copy at
// least) and each item of a list or dict it builds; a value beyond the size or
// nesting limit stops the render here, at this expression.
Value Evaluator::eval(const Expr& e) {
  try {
    Value v = eval_inner(e);
    bool built = e.kind != ExprKind::name && e.kind != ExprKind::getattr && e.kind != ExprKind::getitem &&
                 e.kind != ExprKind::literal && e.kind != ExprKind::cond && e.kind != ExprKind::and_ &&
                 e.kind != ExprKind::or_;
    std::uint64_t items = !built ? 0 : v.items ? v.items->size() : v.entries ? v.entries->size() : 0;
    spend(sem_, 1 + v.text.size() / 64 + items);
    if (sem_.budget) sem_.budget->check_value(v);
    return v;
  } catch (TemplateError& err) {
    if (err.line == 0) err.line = e.line, err.column = e.column;
    throw;
  }
}

Value Evaluator::eval_inner(const Expr& e) {
  switch (e.kind) {
    case ExprKind::literal: return e.value;
    case ExprKind::name: return lookup(e.name);
    case ExprKind::getattr: return get_attr(eval(*e.args[0]), e.name, sem_);
    case ExprKind::getitem: {
      Value obj = eval(*e.args[0]);
      return get_item(obj, eval(*e.args[1]), sem_);
    }
    case ExprKind::filter:
    case ExprKind::test:
    case ExprKind::call: {
      Value subject = eval(*e.args[0]);
      Args args;
      for (std::size_t i = 1; i < e.args.size(); ++i) args.push_back(eval(*e.args[i]));
      Kwargs kwargs;
      for (const auto& [k, v] : e.kwargs) kwargs.emplace_back(k, eval(*v));
      if (e.kind == ExprKind::filter) return call_filter(e.name, subject, args, kwargs, sem_);
      if (e.kind == ExprKind::test) return Value::from(call_test(e.name, subject, args, kwargs, sem_));
      return call_method(subject, args, kwargs, sem_);
    }
    case ExprKind::neg:
    case ExprKind::pos: return unary_op(e.kind == ExprKind::neg, eval(*e.args[0]));
    case ExprKind::binary: {
      Value left = eval(*e.args[0]);
      return binary_op(e.name, left, eval(*e.args[1]), sem_);
    }
    case ExprKind::concat: {
      std::string s;
      for (const auto& a : e.args) append(s, py_str(eval(*a), sem_));
      return Value::from(std::move(s));
    }
    case ExprKind::compare: {
      Value left = eval(*e.args[0]);
      for (std::size_t i = 0; i < e.ops.size(); ++i) {
        Value right = eval(*e.args[i + 1]);
        if (!compare(e.ops[i], left, right)) return Value::from(false);
        left = std::move(right);
      }
      return Value::from(true);
    }
    case ExprKind::and_: {
      Value left = eval(*e.args[0]);
      return py_truthy(left, sem_) ? eval(*e.args[1]) : left;
    }
    case ExprKind::or_: {
      Value left = eval(*e.args[0]);
      return py_truthy(left, sem_) ? left : eval(*e.args[1]);
    }
    case ExprKind::not_: return Value::from(!py_truthy(eval(*e.args[0]), sem_));
    case ExprKind::cond:
      if (py_truthy(eval(*e.args[0]), sem_)) return eval(*e.args[1]);
      if (e.args[2]) return eval(*e.args[2]);
      return Value::undefined("the inline if-expression on line " + std::to_string(e.line) +
                              " evaluated to false and no else section was defined.",
                              /*lenient=*/true);
    case ExprKind::list:
    case ExprKind::tuple: {
      List items;
      for (const auto& a : e.args) items.push_back(eval(*a));
      return Value::list(std::move(items), e.kind == ExprKind::list ? Kind::list : Kind::tuple);
    }
    case ExprKind::dict: {
      Dict d;
      for (std::size_t i = 0; i + 1 < e.args.size(); i += 2) {
        Value key = eval(*e.args[i]);
        if (key.kind != Kind::string) throw TemplateError("unsupported: dict literal keys that are not strings");
        Value value = eval(*e.args[i + 1]);
        bool replaced = false;
        for (auto& [k, v] : d) {
          if (k == key.text) v = value, replaced = true;
        }
        if (!replaced) d.emplace_back(key.text, std::move(value));
      }
      return Value::dict(std::move(d));
    }
  }
  throw TemplateError("unsupported expression");
}

bool Evaluator::compare(const std::string& op, const Value& a, const Value& b) const {
  if (op == "==") return py_equal(a, b, sem_);
  if (op == "!=") return !py_equal(a, b, sem_);
  if (op == "in") return py_contains(b, a, sem_);
  if (op == "not in") return !py_contains(b, a, sem_);
  if (a.is_number() && b.is_number() && (a.kind == Kind::floating || b.kind == Kind::floating)) {
    double x = a.kind == Kind::floating ? a.floating : a.kind == Kind::integer ? static_cast<double>(a.integer) : a.boolean;
    double y = b.kind == Kind::floating ? b.floating : b.kind == Kind::integer ? static_cast<double>(b.integer) : b.boolean;
    return op == "<" ? x < y : op == "<=" ? x <= y : op == ">" ? x > y : x >= y;
  }
  if (op == "<") return py_less(a, b, sem_);
  if (op == ">") return py_less(b, a, sem_);
  if (op == "<=") return py_less(a, b, sem_) || py_equal(a, b, sem_);
  return py_less(b, a, sem_) || py_equal(a, b, sem_);
}

}  // namespace converge::tmpl
