// Python's arithmetic for the template operators + - * / // % ** and unary - +,
// on bool/int/float (bool counts as int), str and list/tuple concatenation and
// repetition. Undefined operands fail in both Undefined modes, as in Jinja2.
// Integers are 64-bit: an overflow is an error rather than Python's big integer.
#include <cmath>

#include "converge/template/evaluator.hpp"

namespace converge::tmpl {

namespace {

bool is_int(const Value& v) { return v.kind == Kind::integer || v.kind == Kind::boolean; }
std::int64_t to_int(const Value& v) { return v.kind == Kind::integer ? v.integer : v.boolean; }
double to_float(const Value& v) { return v.kind == Kind::floating ? v.floating : static_cast<double>(to_int(v)); }

[[noreturn]] void unsupported(const std::string& op, const Value& a, const Value& b) {
  throw TemplateError("unsupported operand type(s) for " + op + ": '" + type_name(a) + "' and '" + type_name(b) + "'");
}

Value checked(bool overflow, std::int64_t r) {
  if (overflow) throw TemplateError("integer overflow (converge's templates use 64-bit integers)");
  return Value::from(r);
}

Value repeat(const Value& seq, std::int64_t n) {
  if (seq.kind == Kind::string) {
    std::string out;
    for (std::int64_t i = 0; i < n; ++i) out += seq.text;
    return Value::from(std::move(out));
  }
  List out;
  for (std::int64_t i = 0; i < n; ++i) out.insert(out.end(), seq.items->begin(), seq.items->end());
  return Value::list(std::move(out), seq.kind);
}

double py_fmod(double a, double b) {
  double m = std::fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

}  // namespace

Value unary_op(bool negate, const Value& a) {
  if (a.is_undefined()) fail_undefined(a);
  if (is_int(a)) return negate ? checked(to_int(a) == INT64_MIN, -to_int(a)) : Value::from(to_int(a));
  if (a.kind == Kind::floating) return Value::from(negate ? -a.floating : a.floating);
  throw TemplateError(std::string("bad operand type for unary ") + (negate ? "-" : "+") + ": '" + type_name(a) + "'");
}

Value binary_op(const std::string& op, const Value& a, const Value& b) {
  if (a.is_undefined()) fail_undefined(a);
  if (b.is_undefined()) fail_undefined(b);
  if (a.is_number() && b.is_number()) {
    bool ints = is_int(a) && is_int(b);
    std::int64_t x = to_int(a), y = to_int(b), r = 0;
    double fx = to_float(a), fy = to_float(b);
    if (op == "+" || op == "-" || op == "*") {
      if (!ints) return Value::from(op == "+" ? fx + fy : op == "-" ? fx - fy : fx * fy);
      bool overflow = op == "+"   ? __builtin_add_overflow(x, y, &r)
                      : op == "-" ? __builtin_sub_overflow(x, y, &r)
                                  : __builtin_mul_overflow(x, y, &r);
      return checked(overflow, r);
    }
    if (op == "/") {
      if (fy == 0) throw TemplateError("division by zero");
      return Value::from(fx / fy);
    }
    if (op == "//" || op == "%") {
      if (ints ? y == 0 : fy == 0) throw TemplateError(op == "//" ? "integer division or modulo by zero" : "modulo by zero");
      if (ints) {
        std::int64_t q = x / y, m = x % y;
        if (m != 0 && ((m < 0) != (y < 0))) --q, m += y;
        return Value::from(op == "//" ? q : m);
      }
      double m = py_fmod(fx, fy);
      return Value::from(op == "//" ? std::round((fx - m) / fy) : m);
    }
    if (op == "**") {
      if (ints && y >= 0) {
        std::int64_t result = 1;
        for (std::int64_t i = 0; i < y; ++i) {
          if (__builtin_mul_overflow(result, x, &result)) return checked(true, 0);
        }
        return Value::from(result);
      }
      if (fx == 0 && fy < 0) throw TemplateError("0.0 cannot be raised to a negative power");
      return Value::from(std::pow(fx, fy));
    }
  }
  if (op == "+" && a.kind == b.kind && a.kind == Kind::string) return Value::from(a.text + b.text);
  if (op == "+" && a.kind == b.kind && a.is_sequence() && a.opaque.empty() && b.opaque.empty()) {
    List out = *a.items;
    out.insert(out.end(), b.items->begin(), b.items->end());
    return Value::list(std::move(out), a.kind);
  }
  if (op == "*" && is_int(b) && (a.kind == Kind::string || (a.is_sequence() && a.opaque.empty()))) {
    return repeat(a, to_int(b));
  }
  if (op == "*" && is_int(a) && (b.kind == Kind::string || (b.is_sequence() && b.opaque.empty()))) {
    return repeat(b, to_int(a));
  }
  if (op == "%" && a.kind == Kind::string) throw TemplateError("unsupported: printf-style '%' formatting");
  unsupported(op, a, b);
}

}  // namespace converge::tmpl
