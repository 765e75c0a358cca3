// Runs a parsed template (ast.hpp) against variables, Python-style (value.hpp).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "converge/template/ast.hpp"

namespace converge::tmpl {

using Args = std::vector<Value>;
using Kwargs = std::vector<std::pair<std::string, Value>>;

class Evaluator {
 public:
  // `variables` is a dict; `sem.budget` (budget.hpp) is charged for every step.
  Evaluator(const Value& variables, Semantics sem);
  // Appends the output of `nodes`; throws TemplateError located at the failing node.
  void render(const std::vector<Node>& nodes, std::string& out);

 private:
  void render_node(const Node& n, std::string& out);
  void render_for(const Node& n, std::string& out);
  Value eval(const Expr& e);
  Value eval_inner(const Expr& e);
  Value lookup(const std::string& name) const;
  bool compare(const std::string& op, const Value& a, const Value& b) const;

  void append(std::string& out, std::string_view text) const;

  const Value& root_;
  std::unordered_map<std::string_view, const Value*> root_index_;  // root_'s entries by name
  Semantics sem_;
  std::vector<std::unordered_map<std::string, Value>> frames_{1};  // [0]: top-level `set`s
};

// Jinja2's environment.getattr (`a.b`) and getitem (`a[b]`), and calls of the
// methods they can return (`d.items()`); operators.cpp has the arithmetic.
Value get_attr(const Value& obj, const std::string& name, const Semantics& sem);
Value get_item(const Value& obj, const Value& key, const Semantics& sem);
Value call_method(const Value& method, const Args& args, const Kwargs& kwargs, const Semantics& sem);
Value binary_op(const std::string& op, const Value& a, const Value& b, const Semantics& sem);
Value unary_op(bool negate, const Value& a);
// Filters and tests by name (filters.cpp); throw TemplateError for unknown names.
Value call_filter(const std::string& name, const Value& subject, const Args& args, const Kwargs& kwargs,
                  const Semantics& sem);
bool call_test(const std::string& name, const Value& subject, const Args& args, const Kwargs& kwargs,
               const Semantics& sem);
// Binds positional and keyword arguments to a Python-style signature; names.size()
// is the number of parameters, defaults.size() how many trailing ones may be omitted.
Args bind_args(const std::string& callee, const std::vector<std::string>& names, const Args& defaults,
               const Args& args, const Kwargs& kwargs);

}  // namespace converge::tmpl
