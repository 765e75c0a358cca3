// The values a template computes with, modelled on the Python objects Jinja2 sees
// when it renders with variables loaded by json.load / yaml.safe_load: None, bool,
// int, float, str, list, tuple, dict (insertion-ordered), plus Jinja2's Undefined,
// bound methods (`d.items`) and the loop object. Internal to converge::tmpl.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace converge::tmpl {

// Raised while rendering when Jinja2 would raise (UndefinedError, TypeError, ...).
// Never escapes render(): it is turned into an Error with the template location.
struct TemplateError : std::runtime_error {
  explicit TemplateError(const std::string& message) : std::runtime_error(message) {}
  int line = 0;
  int column = 0;
};

struct Value;
class Budget;  // budget.hpp
using List = std::vector<Value>;
using Dict = std::vector<std::pair<std::string, Value>>;  // insertion order, unique keys

enum class Kind { undefined, none, boolean, integer, floating, string, list, tuple, dict, method };

struct Value {
  Kind kind = Kind::none;
  bool boolean = false;
  std::int64_t integer = 0;
  double floating = 0;
  std::string text;                     // string; undefined: the hint; method: its name
  std::shared_ptr<const List> items;    // list, tuple
  std::shared_ptr<const Dict> entries;  // dict
  std::shared_ptr<const Value> self;    // method: the receiver
  std::string opaque;  // a Python type whose repr converge does not reproduce ("LoopContext"),
                       // or a dict view ("dict_keys") for a list
  // Set by the factories below, read by the render's budget (budget.hpp): about how
  // many bytes the value occupies (its text, plus kItemBytes per list item or dict
  // entry, shared parts counted each time they appear; saturating), and how deeply
  // lists and dicts nest in it (0 for a scalar).
  std::uint64_t size = 0;
  int depth = 0;
  static constexpr std::uint64_t kItemBytes = 128;

  static Value none() { return {}; }
  // `lenient`: a plain jinja2.Undefined whatever the mode (what `a if b` without else gives).
  static Value undefined(std::string hint, bool lenient = false) {
    Value v; v.kind = Kind::undefined; v.text = std::move(hint); v.boolean = lenient; return v;
  }
  static Value from(bool b) { Value v; v.kind = Kind::boolean; v.boolean = b; return v; }
  static Value from(std::int64_t i) { Value v; v.kind = Kind::integer; v.integer = i; return v; }
  static Value from(double f) { Value v; v.kind = Kind::floating; v.floating = f; return v; }
  static Value from(std::string s) {
    Value v; v.kind = Kind::string; v.size = s.size(); v.text = std::move(s); return v;
  }
  static Value list(List l, Kind kind = Kind::list);  // value.cpp: they measure size and depth
  static Value dict(Dict d);
  static Value method(Value receiver, std::string name) {
    Value v; v.kind = Kind::method; v.text = std::move(name);
    v.self = std::make_shared<const Value>(std::move(receiver)); return v;
  }
  // A JSON document as Python sees json.loads of it (objects keep their key order).
  static Value from_json(const nlohmann::ordered_json& j);

  bool is_undefined() const { return kind == Kind::undefined; }
  bool is_sequence() const { return kind == Kind::list || kind == Kind::tuple; }
  bool is_number() const { return kind == Kind::boolean || kind == Kind::integer || kind == Kind::floating; }
  const Value* find(std::string_view key) const;  // dict entry or nullptr
};

// How Undefined behaves (Jinja2's default Undefined or StrictUndefined), and the
// render's budget that every operation walking or building a large value charges
// (none: unlimited, for tests of single functions).
struct Semantics {
  bool strict_undefined = true;
  Budget* budget = nullptr;
};

// Charge `steps` to the render's budget / refuse a value of `bytes` beyond its size
// limit before building it (budget.hpp); both throw TemplateError, and do nothing
// without a budget.
void spend(const Semantics& sem, std::uint64_t steps);
void check_bytes(const Semantics& sem, std::uint64_t bytes);

// Whether using the undefined value `u` fails (StrictUndefined) or not (Undefined).
inline bool strict(const Value& u, const Semantics& sem) { return sem.strict_undefined && !u.boolean; }

// Python's str(v), repr(v), bool(v); each raises TemplateError where Python/Jinja2 would.
std::string py_str(const Value& v, const Semantics& sem);
std::string py_repr(const Value& v);
bool py_truthy(const Value& v, const Semantics& sem);
std::string py_float_repr(double d);
// Python's ==, <, `in`, with Jinja2's Undefined rules.
bool py_equal(const Value& a, const Value& b, const Semantics& sem);
bool py_less(const Value& a, const Value& b, const Semantics& sem);
bool py_contains(const Value& container, const Value& item, const Semantics& sem);
// Python's iter(v) materialised: list items, dict keys, string characters.
List py_iterate(const Value& v, const Semantics& sem);
// Jinja2's htmlsafe_json_dumps(v, sort_keys=True).
std::string jinja_tojson(const Value& v);
// "'x' is undefined" style failure for using an undefined value.
[[noreturn]] void fail_undefined(const Value& v);
std::string type_name(const Value& v);  // Python type name: "dict", "str", ...

}  // namespace converge::tmpl
