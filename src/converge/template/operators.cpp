// Python's arithmetic for the template operators + - * / // % ** and unary - +,
// on bool/int/float (bool counts as int), str and list/tuple concatenation and
// repetition. Undefined operands fail in both Undefined modes, as in Jinja2.
// Integers are 64-bit: a result Python's big integer holds and int64 does not is an
// error, never a wrapped value or a trap; every other result is Python's. Repetition
// checks the render's budget (budget.hpp) before it builds anything.
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
  if (overflow) {
    throw TemplateError("integer overflow: the result does not fit in 64 bits (converge's templates use 64-bit "
                        "integers where Python's are unbounded)");
  }
  return Value::from(r);
}

std::uint64_t mul_sat(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r = 0;
  return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

// seq * n: the size is checked before anything is built ('x' * 10**18 fails at once),
// and an empty sequence is empty at once ('' * 10**18 would otherwise loop 10**18 times).
Value repeat(const Value& seq, std::int64_t n, const Semantics& sem) {
  const bool empty = seq.kind == Kind::string ? seq.text.empty() : !seq.items || seq.items->empty();
  if (n <= 0 || empty) return seq.kind == Kind::string ? Value::from(std::string()) : Value::list({}, seq.kind);
  const auto times = static_cast<std::uint64_t>(n);
  if (seq.kind == Kind::string) {
    check_bytes(sem, mul_sat(seq.text.size(), times));
    spend(sem, mul_sat(seq.text.size(), times) / 64);
    std::string out;
    out.reserve(seq.text.size() * times);
    for (std::uint64_t i = 0; i < times; ++i) out += seq.text;
    return Value::from(std::move(out));
  }
  check_bytes(sem, mul_sat(seq.size, times));
  spend(sem, mul_sat(seq.items->size(), times));
  List out;
  for (std::uint64_t i = 0; i < times; ++i) out.insert(out.end(), seq.items->begin(), seq.items->end());
  return Value::list(std::move(out), seq.kind);
}

// x ** y for y ≥ 0 by squaring, failing only when the result itself does not fit.
Value int_pow(std::int64_t x, std::int64_t y) {
  if (x == 0 || x == 1) return Value::from(y == 0 ? std::int64_t{1} : x);
  if (x == -1) return Value::from(y % 2 == 0 ? std::int64_t{1} : std::int64_t{-1});
  std::int64_t result = 1, base = x;
  bool overflow = false;
  while (y > 0 && !overflow) {  // |x| ≥ 2: at most 63 rounds before the result overflows
    if (y & 1) overflow = __builtin_mul_overflow(result, base, &result);
    y >>= 1;
    if (y > 0 && !overflow) overflow = __builtin_mul_overflow(base, base, &base);
  }
  return checked(overflow, result);
}

double py_fmod(double a, double b) {
  double m = std::fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

}  // namespace

Value unary_op(bool negate, const Value& a) {
  if (a.is_undefined()) fail_undefined(a);
  if (is_int(a)) {
    if (!negate) return Value::from(to_int(a));
    std::int64_t r = 0;
    bool overflow = __builtin_sub_overflow(std::int64_t{0}, to_int(a), &r);  // before r is read
    return checked(overflow, r);
  }
  if (a.kind == Kind::floating) return Value::from(negate ? -a.floating : a.floating);
  throw TemplateError(std::string("bad operand type for unary ") + (negate ? "-" : "+") + ": '" + type_name(a) + "'");
}

Value binary_op(const std::string& op, const Value& a, const Value& b, const Semantics& sem) {
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
      if (ints && y == -1) {  // x / -1 traps for INT64_MIN in C++; Python: -x and 0
        if (op == "%") return Value::from(std::int64_t{0});
        bool overflow = __builtin_sub_overflow(std::int64_t{0}, x, &r);
        return checked(overflow, r);
      }
      if (ints) {
        std::int64_t q = x / y, m = x % y;
        if (m != 0 && ((m < 0) != (y < 0))) --q, m += y;
        return Value::from(op == "//" ? q : m);
      }
      double m = py_fmod(fx, fy);
      return Value::from(op == "//" ? std::round((fx - m) / fy) : m);
    }
    if (op == "**") {
      if (ints && y >= 0) return int_pow(x, y);
      if (fx == 0 && fy < 0) throw TemplateError("0.0 cannot be raised to a negative power");
      return Value::from(std::pow(fx, fy));
    }
  }
  if (op == "+" && a.kind == b.kind && a.kind == Kind::string) {
    check_bytes(sem, a.text.size() + b.text.size());
    return Value::from(a.text + b.text);
  }
  if (op == "+" && a.kind == b.kind && a.is_sequence() && a.opaque.empty() && b.opaque.empty()) {
    check_bytes(sem, a.size > UINT64_MAX - b.size ? UINT64_MAX : a.size + b.size);
    List out = *a.items;
    out.insert(out.end(), b.items->begin(), b.items->end());
    return Value::list(std::move(out), a.kind);
  }
  if (op == "*" && is_int(b) && (a.kind == Kind::string || (a.is_sequence() && a.opaque.empty()))) {
    return repeat(a, to_int(b), sem);
  }
  if (op == "*" && is_int(a) && (b.kind == Kind::string || (b.is_sequence() && b.opaque.empty()))) {
    return repeat(b, to_int(a), sem);
  }
  if (op == "%" && a.kind == Kind::string) throw TemplateError("unsupported: printf-style '%' formatting");
  unsupported(op, a, b);
}

}  // namespace converge::tmpl
