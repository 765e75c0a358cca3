// The filters and tests converge supports, each written to return what the Jinja2
// 3.1 function of the same name returns (jinja2/filters.py, jinja2/tests.py) for
// JSON-typed values: default/d, lower, upper, title, capitalize, trim, replace,
// string, int, float, length/count, join, first, last, list, tojson; tests
// defined, undefined, none, boolean, true, false, integer, float, number, string,
// mapping, iterable, sequence, even, odd, divisibleby, eq/equalto/==, ne/!=, in.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <optional>
#include <cstdlib>

#include "converge/template/evaluator.hpp"
#include "converge/template/unicode.hpp"

namespace converge::tmpl {

namespace {

constexpr std::string_view filters[] = {"default", "d", "lower", "upper", "title", "capitalize", "trim",
                                        "replace", "string", "int", "float", "length", "count", "join",
                                        "first", "last", "list", "tojson"};
constexpr std::string_view tests[] = {"defined", "undefined", "none", "boolean", "true", "false", "integer",
                                      "float", "number", "string", "mapping", "iterable", "sequence", "even",
                                      "odd", "divisibleby", "eq", "equalto", "==", "ne", "!=", "in"};

bool title_boundary(char32_t c) {
  return py_isspace(c) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<';
}

std::string title(const std::string& s, bool only_first) {
  std::u32string cps = utf8_decode(s), out;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    bool upper = only_first ? i == 0 : (i == 0 || title_boundary(cps[i - 1]));
    out += upper ? py_upper(std::u32string(1, cps[i])) : py_lower(std::u32string(1, cps[i]));
  }
  return utf8_encode(out);
}

std::string strip(const std::string& s, const Value& chars, const Semantics& sem) {
  if (chars.kind == Kind::none) return py_lstrip(py_rstrip(s));
  std::u32string set = utf8_decode(py_str(chars, sem)), cps = utf8_decode(s);
  spend(sem, cps.size() / 64 * std::max<std::size_t>(set.size(), 1));  // a search of `set` per character
  std::size_t b = 0, e = cps.size();
  while (b < e && set.find(cps[b]) != std::u32string::npos) ++b;
  while (e > b && set.find(cps[e - 1]) != std::u32string::npos) --e;
  return utf8_encode(std::u32string_view(cps).substr(b, e - b));
}

// The output grows by checked steps: "x" * 1000 with each character replaced by a
// long text fails at the size limit instead of building it.
std::string replace(const std::string& s, const std::string& old, const std::string& repl, std::int64_t count,
                    const Semantics& sem) {
  std::string out;
  spend(sem, s.size() / 64);
  if (old.empty()) {  // Python inserts `repl` before every character and at the end
    std::u32string cps = utf8_decode(s);
    std::int64_t done = 0;
    for (char32_t c : cps) {
      if (count < 0 || done < count) check_bytes(sem, out.size() + repl.size()), out += repl, ++done;
      utf8_append(out, c);
    }
    if (count < 0 || done < count) out += repl;
    check_bytes(sem, out.size());
    return out;
  }
  std::size_t pos = 0;
  for (std::int64_t done = 0; count < 0 || done < count; ++done) {
    std::size_t hit = find_text(s, old, pos);
    if (hit == std::string::npos) break;
    check_bytes(sem, out.size() + (hit - pos) + repl.size());
    out.append(s, pos, hit - pos).append(repl);
    pos = hit + old.size();
  }
  check_bytes(sem, out.size() + (s.size() - pos));
  return out.append(s, pos);
}

// Python's int(str) / float(str) syntax: optional whitespace and sign, digits
// with single '_' between them, (float) a fraction, an exponent, inf/infinity/nan.
// Returns the number in C syntax, or nothing when Python raises ValueError.
std::optional<std::string> python_number(const std::string& text, bool integer_only) {
  std::string s = py_lstrip(py_rstrip(text)), clean;
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) clean += s[i++];
  std::string lower = utf8_encode(py_lower(utf8_decode(s.substr(i))));
  if (!integer_only && (lower == "inf" || lower == "infinity" || lower == "nan")) return clean + lower;
  auto digits = [&] {
    std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      clean += s[i++];
      if (i + 1 < s.size() && s[i] == '_' && std::isdigit(static_cast<unsigned char>(s[i + 1]))) ++i;
    }
    return i > start;
  };
  bool any = digits();
  if (!integer_only && i < s.size() && s[i] == '.') {
    clean += s[i++];
    any = digits() || any;
  }
  if (!any) return std::nullopt;
  if (!integer_only && i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    clean += s[i++];
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) clean += s[i++];
    if (!digits()) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return clean;
}

std::optional<double> parse_float(const std::string& text) {
  auto n = python_number(text, false);
  if (!n) return std::nullopt;
  return std::strtod(n->c_str(), nullptr);
}

Value to_int_filter(const Value& v, const Value& dflt, const Value& base) {
  if (!(base.kind == Kind::integer && base.integer == 10)) throw TemplateError("unsupported: int filter with a base other than 10");
  if (v.is_undefined()) fail_undefined(v);
  if (v.kind == Kind::integer || v.kind == Kind::boolean) return Value::from(v.kind == Kind::integer ? v.integer : std::int64_t{v.boolean});
  std::optional<double> f;
  if (v.kind == Kind::floating) f = v.floating;
  else if (v.kind == Kind::string) {
    if (auto i = python_number(v.text, true)) {
      errno = 0;
      std::int64_t n = std::strtoll(i->c_str(), nullptr, 10);
      if (errno == ERANGE) throw TemplateError("integer too large for converge");
      return Value::from(n);
    }
    f = parse_float(v.text);
  }
  if (!f || std::isnan(*f)) return dflt;
  if (std::isinf(*f)) throw TemplateError("cannot convert float infinity to integer");
  if (std::fabs(*f) >= 9.2e18) throw TemplateError("integer too large for converge");
  return Value::from(static_cast<std::int64_t>(*f));
}

std::int64_t length(const Value& v, const Semantics& sem) {
  switch (v.kind) {
    case Kind::string: return spend(sem, v.text.size() / 64), static_cast<std::int64_t>(utf8_decode(v.text).size());
    case Kind::list:
    case Kind::tuple: return static_cast<std::int64_t>(v.items->size());
    case Kind::dict:
      if (!v.opaque.empty()) break;
      return static_cast<std::int64_t>(v.entries->size());
    case Kind::undefined:
      if (strict(v, sem)) fail_undefined(v);
      return 0;
    default: break;
  }
  throw TemplateError("object of type '" + type_name(v) + "' has no len()");
}

}  // namespace

bool known_filter(std::string_view name) { return std::find(std::begin(filters), std::end(filters), name) != std::end(filters); }
bool known_test(std::string_view name) { return std::find(std::begin(tests), std::end(tests), name) != std::end(tests); }

Value call_filter(const std::string& name, const Value& v, const Args& args, const Kwargs& kwargs,
                  const Semantics& sem) {
  if (!known_filter(name)) throw TemplateError("No filter named '" + name + "'.");
  auto bind = [&](std::vector<std::string> names, Args defaults) { return bind_args(name, names, defaults, args, kwargs); };
  if (name == "default" || name == "d") {
    Args a = bind({"default_value", "boolean"}, {Value::from(std::string()), Value::from(false)});
    bool use_default = v.is_undefined() || (py_truthy(a[1], sem) && !py_truthy(v, sem));
    return use_default ? a[0] : v;
  }
  if (name == "lower" || name == "upper" || name == "title" || name == "capitalize" || name == "string") {
    bind({}, {});
    std::string s = py_str(v, sem);
    if (name != "string") spend(sem, s.size() / 4);  // case mapping goes character by character
    if (name == "lower") return Value::from(utf8_encode(py_lower(utf8_decode(s))));
    if (name == "upper") return Value::from(utf8_encode(py_upper(utf8_decode(s))));
    if (name == "string") return Value::from(s);
    return Value::from(title(s, name == "capitalize"));
  }
  if (name == "trim") {
    Args a = bind({"chars"}, {Value::none()});
    return Value::from(strip(py_str(v, sem), a[0], sem));
  }
  if (name == "replace") {
    Args a = bind({"old", "new", "count"}, {Value::none()});
    std::int64_t count = -1;
    if (a[2].kind == Kind::integer || a[2].kind == Kind::boolean) count = a[2].kind == Kind::integer ? a[2].integer : a[2].boolean;
    else if (a[2].kind != Kind::none) throw TemplateError("'" + type_name(a[2]) + "' object cannot be interpreted as an integer");
    return Value::from(replace(py_str(v, sem), py_str(a[0], sem), py_str(a[1], sem), count, sem));
  }
  if (name == "int") {
    Args a = bind({"default", "base"}, {Value::from(std::int64_t{0}), Value::from(std::int64_t{10})});
    return to_int_filter(v, a[0], a[1]);
  }
  if (name == "float") {
    Args a = bind({"default"}, {Value::from(0.0)});
    if (v.is_undefined()) fail_undefined(v);
    if (v.is_number()) return Value::from(v.kind == Kind::floating ? v.floating : static_cast<double>(v.kind == Kind::integer ? v.integer : v.boolean));
    if (v.kind == Kind::string) {
      if (auto f = parse_float(v.text)) return Value::from(*f);
    }
    return a[0];
  }
  if (name == "length" || name == "count") {
    bind({}, {});
    return Value::from(length(v, sem));
  }
  if (name == "join") {
    Args a = bind({"d", "attribute"}, {Value::from(std::string()), Value::none()});
    if (a[1].kind != Kind::none) throw TemplateError("unsupported: join(attribute=...)");
    std::string sep = py_str(a[0], sem), out;
    List items = py_iterate(v, sem);
    for (std::size_t i = 0; i < items.size(); ++i) {
      std::string item = py_str(items[i], sem);
      check_bytes(sem, out.size() + (i ? sep.size() : 0) + item.size());  // before it grows, not after
      out.append(i ? sep : "").append(item);
    }
    return Value::from(std::move(out));
  }
  if (name == "first" || name == "last" || name == "list") {
    bind({}, {});
    if (name == "last" && v.is_undefined()) length(v, sem);
    List items = py_iterate(v, sem);
    if (name == "list") return Value::list(std::move(items));
    if (items.empty()) return Value::undefined(std::string("No ") + (name == "first" ? "first" : "last") + " item, sequence was empty.");
    return name == "first" ? items.front() : items.back();
  }
  Args a = bind({"indent"}, {Value::none()});  // tojson
  if (a[0].kind != Kind::none) throw TemplateError("unsupported: tojson(indent=...)");
  check_bytes(sem, v.size);  // shared parts print once per reference: a small tree can print huge
  return Value::from(jinja_tojson(v));
}

bool call_test(const std::string& name, const Value& v, const Args& args, const Kwargs& kwargs, const Semantics& sem) {
  if (!known_test(name)) throw TemplateError("No test named '" + name + "'.");
  bool one_arg = name == "divisibleby" || name == "eq" || name == "equalto" || name == "==" || name == "ne" ||
                 name == "!=" || name == "in";
  Args a = bind_args(name, one_arg ? std::vector<std::string>{"other"} : std::vector<std::string>{}, {}, args, kwargs);
  if (name == "defined") return !v.is_undefined();
  if (name == "undefined") return v.is_undefined();
  if (name == "none") return v.kind == Kind::none;
  if (name == "boolean") return v.kind == Kind::boolean;
  if (name == "true" || name == "false") return v.kind == Kind::boolean && v.boolean == (name == "true");
  if (name == "integer") return v.kind == Kind::integer;
  if (name == "float") return v.kind == Kind::floating;
  if (name == "number") return v.is_number();
  if (name == "string") return v.kind == Kind::string;
  if (name == "mapping") return v.kind == Kind::dict && v.opaque.empty();
  if (name == "iterable" || name == "sequence") {
    if (v.is_undefined()) {
      if (name == "iterable" && strict(v, sem)) fail_undefined(v);
      return !strict(v, sem);
    }
    if (v.kind == Kind::dict && !v.opaque.empty()) return false;
    return v.kind == Kind::string || v.is_sequence() || v.kind == Kind::dict;
  }
  if (name == "even" || name == "odd" || name == "divisibleby") {
    Value mod = binary_op("%", v, name == "divisibleby" ? a[0] : Value::from(std::int64_t{2}), sem);
    bool zero = py_equal(mod, Value::from(std::int64_t{0}), sem);
    return name == "odd" ? !zero : zero;
  }
  if (name == "in") return py_contains(a[0], v, sem);
  bool equal = py_equal(v, a[0], sem);
  return (name == "ne" || name == "!=") ? !equal : equal;
}

}  // namespace converge::tmpl
