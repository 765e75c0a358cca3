// The JSONPath subset of json_path.hpp: a hand-written parser (one pass, no
// recursion) into steps, and an evaluator that walks the steps over a node list.
#include "converge/providers/fabric/json_path.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>

namespace converge::providers::fabric {

namespace json_path_detail {

using Json = nlohmann::ordered_json;

// One member or element access inside a filter's relative path (@.a[0].b).
struct Access {
  bool is_index = false;
  std::string name;
  long long index = 0;
};

enum class Op { none, eq, ne, lt, le, gt, ge };

struct Condition {
  std::vector<Access> path;  // from @
  Op op = Op::none;
  Json literal;
};

}  // namespace json_path_detail

namespace {

using json_path_detail::Access;
using json_path_detail::Condition;
using json_path_detail::Json;
using json_path_detail::Op;

constexpr std::size_t kMaxPathBytes = 1024;

class JsonPathParser {
 public:
  explicit JsonPathParser(std::string_view text) : s_(text) {}

  std::unexpected<Error> error(std::string_view why) const {
    return fail(Error::usage(std::string(why) + " at column " + std::to_string(i_ + 1) + " of the JSONPath"));
  }
  bool done() const { return i_ >= s_.size(); }
  char peek(std::size_t ahead = 0) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }
  void skip_space() {
    while (!done() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }

  // jsonpath_ng's ID token: [a-zA-Z_@][a-zA-Z0-9_@-]*; other names are quoted.
  static bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '@'; }
  static bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9') || c == '-'; }

  Expected<std::string> bare_name() {
    const std::size_t start = i_;
    if (done() || !name_start(s_[i_])) return error("expected a member name (quote it: ['name'])");
    while (!done() && name_char(s_[i_])) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }

  Expected<std::string> quoted() {
    const char q = peek();
    ++i_;
    std::string out;
    while (!done() && s_[i_] != q) {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
      out += s_[i_++];
    }
    if (!eat(q)) return error("unterminated quoted name");
    return out;
  }

  Expected<long long> integer() {
    const std::size_t start = i_;
    if (peek() == '-') ++i_;
    while (!done() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    long long v = 0;
    const auto [p, ec] = std::from_chars(s_.data() + start, s_.data() + i_, v);
    if (ec != std::errc() || p != s_.data() + i_) {
      i_ = start;
      return error("expected an array index");
    }
    return v;
  }

  Expected<Json> literal() {
    skip_space();
    const char c = peek();
    if (c == '"' || c == '\'') {
      auto s = quoted();
      if (!s) return std::unexpected(s.error());
      return Json(*s);
    }
    if (name_start(c)) {
      // true and false are booleans; any other bare word is text (jsonpath_ng reads
      // `null` as the text "null").
      auto word = bare_name();
      if (!word) return std::unexpected(word.error());
      if (*word == "true") return Json(true);
      if (*word == "false") return Json(false);
      return Json(*word);
    }
    const std::size_t start = i_;
    if (peek() == '-') ++i_;
    while (!done() && ((s_[i_] >= '0' && s_[i_] <= '9') || s_[i_] == '.')) ++i_;
    const std::string_view num = s_.substr(start, i_ - start);
    if (num.empty() || num == "-") {
      i_ = start;
      return error("expected a value (\"text\", a number, true, false or null)");
    }
    if (num.find('.') == std::string_view::npos) {
      long long v = 0;
      const auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
      if (ec == std::errc() && p == num.data() + num.size()) return Json(v);
    } else {
      double v = 0;
      const auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
      if (ec == std::errc() && p == num.data() + num.size()) return Json(v);
    }
    i_ = start;
    return error("expected a value (\"text\", a number, true, false or null)");
  }

  Expected<Condition> condition() {
    skip_space();
    if (!eat('@')) return error("a filter condition starts with @");
    Condition c;
    for (;;) {
      if (peek() == '.' && peek(1) == '.') return error("recursive descent inside a filter is not supported");
      if (eat('.')) {
        if (peek() == '"' || peek() == '\'') {
          auto n = quoted();
          if (!n) return std::unexpected(n.error());
          c.path.push_back({false, *n, 0});
        } else {
          auto n = bare_name();
          if (!n) return std::unexpected(n.error());
          c.path.push_back({false, *n, 0});
        }
      } else if (eat('[')) {
        skip_space();
        if (peek() == '"' || peek() == '\'') {
          auto n = quoted();
          if (!n) return std::unexpected(n.error());
          c.path.push_back({false, *n, 0});
        } else {
          auto n = integer();
          if (!n) return std::unexpected(n.error());
          c.path.push_back({true, {}, *n});
        }
        skip_space();
        if (!eat(']')) return error("expected ]");
      } else {
        break;
      }
    }
    skip_space();
    static constexpr std::pair<std::string_view, Op> kOps[] = {
        {"==", Op::eq}, {"!=", Op::ne}, {"<=", Op::le}, {">=", Op::ge}, {"<", Op::lt}, {">", Op::gt}, {"=", Op::eq}};
    for (const auto& [text, op] : kOps) {
      if (s_.substr(i_).starts_with(text)) {
        i_ += text.size();
        c.op = op;
        auto v = literal();
        if (!v) return std::unexpected(v.error());
        c.literal = std::move(*v);
        break;
      }
    }
    return c;
  }

  std::size_t pos() const { return i_; }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

const Json* follow_filter_path(const Json& node, const std::vector<Access>& path) {
  const Json* cur = &node;
  for (const Access& a : path) {
    if (a.is_index) {
      if (!cur->is_array()) return nullptr;
      const long long n = static_cast<long long>(cur->size());
      const long long i = a.index < 0 ? a.index + n : a.index;
      if (i < 0 || i >= n) return nullptr;
      cur = &(*cur)[static_cast<std::size_t>(i)];
    } else {
      if (!cur->is_object()) return nullptr;
      const auto it = cur->find(a.name);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    }
  }
  return cur;
}

// A value as a Python number (bool is one: True == 1), or nullopt.
std::optional<long double> python_number(const Json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1.0L : 0.0L;
  if (v.is_number_integer() && !v.is_number_unsigned()) return static_cast<long double>(v.get<std::int64_t>());
  if (v.is_number_unsigned()) return static_cast<long double>(v.get<std::uint64_t>());
  if (v.is_number_float()) return static_cast<long double>(v.get<double>());
  return std::nullopt;
}

// Python's int(value) as jsonpath_ng's filter applies it when the literal is an
// integer: numbers truncate, text must be an integer (spaces around allowed);
// nullopt where int() fails (jsonpath_ng skips a ValueError and fails on a TypeError:
// both are no match here).
std::optional<long double> python_int(const Json& v) {
  if (auto n = python_number(v)) return std::trunc(*n);
  if (!v.is_string()) return std::nullopt;
  std::string_view s = v.get_ref<const std::string&>();
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  long long out = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return static_cast<long double>(out);
}

// The condition on one element, as jsonpath_ng.ext's Expression.find decides it: with
// an integer literal the value goes through int() first; otherwise Python's own
// comparison (numbers and booleans numerically, text with text; == and != across
// kinds are false and true; an ordering across kinds, a TypeError there, is false).
bool condition_holds(const Condition& c, const Json& element) {
  const Json* v = follow_filter_path(element, c.path);
  if (v == nullptr) return false;
  if (c.op == Op::none) return true;
  int cmp = 0;
  const bool int_literal = c.literal.is_number_integer();
  const std::optional<long double> a = int_literal ? python_int(*v) : python_number(*v);
  const std::optional<long double> b = python_number(c.literal);
  if (int_literal && !a) return false;
  if (a && b) {
    cmp = *a < *b ? -1 : (*a > *b ? 1 : 0);
  } else if (v->is_string() && c.literal.is_string()) {
    const auto& x = v->get_ref<const std::string&>();
    const auto& y = c.literal.get_ref<const std::string&>();
    cmp = x < y ? -1 : (x > y ? 1 : 0);
  } else {
    return c.op == Op::ne;
  }
  switch (c.op) {
    case Op::eq:
      return cmp == 0;
    case Op::ne:
      return cmp != 0;
    case Op::lt:
      return cmp < 0;
    case Op::le:
      return cmp <= 0;
    case Op::gt:
      return cmp > 0;
    case Op::ge:
      return cmp >= 0;
    case Op::none:
      break;
  }
  return true;
}

}  // namespace

struct JsonPath::Step {
  // member: .name ['name'] ['a','b'] (names); wildcard: .* (an object's members);
  // all: [*] (an array's elements; an object itself, as jsonpath_ng's slice does);
  // index: [0] [0,2] (indexes); slice: [start:end:step]; filter: [?(…)].
  enum class Kind { member, wildcard, all, index, slice, filter } kind = Kind::member;
  bool recursive = false;  // `..`: applies to the node and every descendant
  std::vector<std::string> names;
  std::vector<long long> indexes;
  std::optional<long long> start, end, step;
  std::vector<Condition> conditions;
};

JsonPath::JsonPath() = default;
JsonPath::JsonPath(const JsonPath&) = default;
JsonPath::JsonPath(JsonPath&&) noexcept = default;
JsonPath& JsonPath::operator=(const JsonPath&) = default;
JsonPath& JsonPath::operator=(JsonPath&&) noexcept = default;
JsonPath::~JsonPath() = default;

Expected<JsonPath> JsonPath::parse(std::string_view text) {
  if (text.size() > kMaxPathBytes) return fail(Error::usage("a JSONPath longer than 1024 bytes"));
  JsonPathParser p(text);
  JsonPath path;
  path.text_ = std::string(text);
  p.skip_space();
  if (!p.eat('$')) return p.error("a JSONPath starts with $");
  while (!p.done()) {
    Step step;
    if (p.eat('.')) {
      if (p.eat('.')) step.recursive = true;
      if (p.peek() == '[') {
        // jsonpath_ng fails on `..[…]` (a KeyError), so it is refused here.
        return p.error("`..` must be followed by a name or *");
      }
      if (p.eat('*')) {
        step.kind = Step::Kind::wildcard;
      } else if (p.peek() == '"' || p.peek() == '\'') {
        auto n = p.quoted();
        if (!n) return std::unexpected(n.error());
        step.names.push_back(std::move(*n));
      } else {
        auto n = p.bare_name();
        if (!n) return std::unexpected(n.error());
        step.names.push_back(std::move(*n));
      }
      path.steps_.push_back(std::move(step));
      continue;
    }
    if (!p.eat('[')) return p.error("expected . or [");
    p.skip_space();
    if (p.eat('*')) {
      step.kind = Step::Kind::all;
    } else if (p.peek() == '"' || p.peek() == '\'') {
      for (;;) {
        auto n = p.quoted();
        if (!n) return std::unexpected(n.error());
        step.names.push_back(std::move(*n));
        p.skip_space();
        if (!p.eat(',')) break;
        p.skip_space();
        if (p.peek() != '"' && p.peek() != '\'') return p.error("expected a quoted name");
      }
    } else if (p.eat('?')) {
      step.kind = Step::Kind::filter;
      p.skip_space();
      const bool paren = p.eat('(');
      for (;;) {
        auto c = p.condition();
        if (!c) return std::unexpected(c.error());
        step.conditions.push_back(std::move(*c));
        p.skip_space();
        if (p.eat('&')) {
          if (p.peek() == '&') return p.error("conditions are joined with a single &");
          continue;
        }
        break;
      }
      if (paren && !p.eat(')')) return p.error("expected ) closing the filter");
    } else {
      // [i], [i,j,…] or a slice [start:end:step], each part optional.
      std::optional<long long> parts[3];
      int colons = 0;
      for (;;) {
        p.skip_space();
        if (p.peek() == '-' || (p.peek() >= '0' && p.peek() <= '9')) {
          auto n = p.integer();
          if (!n) return std::unexpected(n.error());
          parts[colons] = *n;
        }
        p.skip_space();
        if (colons < 2 && p.eat(':')) {
          ++colons;
          continue;
        }
        break;
      }
      if (colons > 0) {
        step.kind = Step::Kind::slice;
        step.start = parts[0];
        step.end = parts[1];
        step.step = parts[2];
        if (step.step && *step.step == 0) return p.error("a slice step cannot be zero");
      } else {
        if (!parts[0]) return p.error("expected an array index");
        step.kind = Step::Kind::index;
        step.indexes.push_back(*parts[0]);
        while (p.eat(',')) {
          p.skip_space();
          auto n = p.integer();
          if (!n) return std::unexpected(n.error());
          step.indexes.push_back(*n);
          p.skip_space();
        }
      }
    }
    p.skip_space();
    if (!p.eat(']')) return p.error("expected ]");
    path.steps_.push_back(std::move(step));
  }
  return path;
}

namespace {

// The positions Python's seq[start:end:step] takes from a sequence of `size`.
std::vector<std::size_t> slice_positions(long long size, std::optional<long long> start, std::optional<long long> end,
                                         std::optional<long long> step) {
  const long long st = step.value_or(1);
  const auto clamp = [&](std::optional<long long> v, long long fallback) {
    if (!v) return fallback;
    long long x = *v < 0 ? *v + size : *v;
    if (st > 0) return std::clamp(x, 0LL, size);
    return std::clamp(x, -1LL, size - 1);
  };
  const long long from = clamp(start, st > 0 ? 0 : size - 1);
  const long long to = clamp(end, st > 0 ? size : -1);
  std::vector<std::size_t> out;
  for (long long i = from; st > 0 ? i < to : i > to; i += st) out.push_back(static_cast<std::size_t>(i));
  return out;
}

}  // namespace

std::vector<nlohmann::ordered_json*> JsonPath::find(nlohmann::ordered_json& root) const {
  std::vector<Json*> current{&root};
  for (const Step& step : steps_) {
    std::vector<Json*> scope;
    if (step.recursive) {
      // Every node under the current ones (themselves included), depth first, with
      // an explicit stack: a deep document cannot overflow the call stack.
      for (Json* start : current) {
        std::vector<Json*> stack{start};
        while (!stack.empty()) {
          Json* n = stack.back();
          stack.pop_back();
          scope.push_back(n);
          if (n->is_structured()) {
            std::vector<Json*> children;
            for (auto& child : *n) children.push_back(&child);
            for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(*it);
          }
        }
      }
    } else {
      scope = std::move(current);
    }
    std::vector<Json*> next;
    for (Json* n : scope) {
      switch (step.kind) {
        case Step::Kind::member:
          if (n->is_object()) {
            for (const std::string& name : step.names)
              if (auto it = n->find(name); it != n->end()) next.push_back(&*it);
          }
          break;
        case Step::Kind::wildcard:
          if (n->is_object())
            for (auto& child : *n) next.push_back(&child);
          break;
        case Step::Kind::all:
          if (n->is_array()) {
            for (auto& child : *n) next.push_back(&child);
          } else if (n->is_object()) {
            next.push_back(n);
          }
          break;
        case Step::Kind::index:
          if (n->is_array()) {
            const long long size = static_cast<long long>(n->size());
            for (long long index : step.indexes) {
              const long long i = index < 0 ? index + size : index;
              if (i >= 0 && i < size) next.push_back(&(*n)[static_cast<std::size_t>(i)]);
            }
          }
          break;
        case Step::Kind::slice:
          if (n->is_array()) {
            for (std::size_t i : slice_positions(static_cast<long long>(n->size()), step.start, step.end, step.step))
              next.push_back(&(*n)[i]);
          } else if (n->is_object()) {
            if (!slice_positions(1, step.start, step.end, step.step).empty()) next.push_back(n);
          }
          break;
        case Step::Kind::filter: {
          // An array's elements, or an object's member values, for which every condition holds.
          if (!n->is_structured()) break;
          for (auto& element : *n) {
            bool all = true;
            for (const Condition& c : step.conditions) all = all && condition_holds(c, element);
            if (all) next.push_back(&element);
          }
          break;
        }
      }
    }
    current = std::move(next);
  }
  return current;
}

}  // namespace converge::providers::fabric
