// The JSONPath subset of json_path.hpp: a hand-written parser (one pass, no
// recursion) into steps, and an evaluator that walks the steps over a node list.
#include "converge/providers/fabric/json_path.hpp"

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

class PathParser {
 public:
  explicit PathParser(std::string_view text) : s_(text) {}

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

  static bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '$' || c == '@' || static_cast<unsigned char>(c) >= 0x80;
  }

  Expected<std::string> bare_name() {
    const std::size_t start = i_;
    while (!done() && name_char(s_[i_])) ++i_;
    if (i_ == start) return error("expected a member name");
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
    for (const auto& [word, value] : {std::pair<std::string_view, Json>{"true", Json(true)},
                                      {"false", Json(false)}, {"null", Json(nullptr)}}) {
      if (s_.substr(i_).starts_with(word)) {
        i_ += word.size();
        return value;
      }
    }
    const std::size_t start = i_;
    if (peek() == '-') ++i_;
    while (!done() && ((s_[i_] >= '0' && s_[i_] <= '9') || s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E' ||
                       s_[i_] == '+' || (s_[i_] == '-' && i_ > start)))
      ++i_;
    const std::string_view num = s_.substr(start, i_ - start);
    if (num.empty()) return error("expected a value (\"text\", a number, true, false or null)");
    if (num.find_first_of(".eE") == std::string_view::npos) {
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
    static constexpr std::pair<std::string_view, Op> kOps[] = {{"==", Op::eq}, {"!=", Op::ne}, {"<=", Op::le},
                                                               {">=", Op::ge}, {"<", Op::lt},  {">", Op::gt},
                                                               {"=", Op::eq}};
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

const Json* follow(const Json& node, const std::vector<Access>& path) {
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

std::optional<double> as_number(const Json& v) {
  if (v.is_number()) return v.get<double>();
  return std::nullopt;
}

// Python's comparison of a found value with the literal, as jsonpath_ng's filter
// does it: numbers with numbers, text with text, anything else only == and != by
// value (so "1" != 1 and an ordering between text and a number never holds).
bool holds(const Condition& c, const Json& element) {
  const Json* v = follow(element, c.path);
  if (v == nullptr) return false;
  if (c.op == Op::none) return true;
  int cmp = 0;
  if (auto a = as_number(*v), b = as_number(c.literal); a && b && !v->is_boolean() && !c.literal.is_boolean()) {
    cmp = *a < *b ? -1 : (*a > *b ? 1 : 0);
  } else if (v->is_string() && c.literal.is_string()) {
    const auto& a = v->get_ref<const std::string&>();
    const auto& b = c.literal.get_ref<const std::string&>();
    cmp = a < b ? -1 : (a > b ? 1 : 0);
  } else {
    if (c.op == Op::eq) return *v == c.literal;
    if (c.op == Op::ne) return *v != c.literal;
    return false;
  }
  switch (c.op) {
    case Op::eq: return cmp == 0;
    case Op::ne: return cmp != 0;
    case Op::lt: return cmp < 0;
    case Op::le: return cmp <= 0;
    case Op::gt: return cmp > 0;
    case Op::ge: return cmp >= 0;
    case Op::none: break;
  }
  return true;
}

}  // namespace

struct JsonPath::Step {
  enum class Kind { member, wildcard, index, filter } kind = Kind::member;
  bool recursive = false;  // `..`: applies to the node and every descendant
  std::string name;
  long long index = 0;
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
  PathParser p(text);
  JsonPath path;
  path.text_ = std::string(text);
  p.skip_space();
  if (!p.eat('$')) return p.error("a JSONPath starts with $");
  while (!p.done()) {
    Step step;
    if (p.eat('.')) {
      if (p.eat('.')) step.recursive = true;
      if (p.eat('*')) {
        step.kind = Step::Kind::wildcard;
      } else if (p.peek() == '[' && step.recursive) {
        // `..[…]`: the bracket below, applied recursively.
      } else if (p.peek() == '"' || p.peek() == '\'') {
        auto n = p.quoted();
        if (!n) return std::unexpected(n.error());
        step.name = std::move(*n);
      } else {
        auto n = p.bare_name();
        if (!n) return std::unexpected(n.error());
        step.name = std::move(*n);
      }
      if (p.peek() != '[' || !step.recursive || !step.name.empty() || step.kind == Step::Kind::wildcard) {
        path.steps_.push_back(std::move(step));
        continue;
      }
    }
    if (!p.eat('[')) return p.error("expected . or [");
    p.skip_space();
    if (p.eat('*')) {
      step.kind = Step::Kind::wildcard;
    } else if (p.peek() == '"' || p.peek() == '\'') {
      auto n = p.quoted();
      if (!n) return std::unexpected(n.error());
      step.name = std::move(*n);
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
          p.eat('&');
          continue;
        }
        break;
      }
      if (paren && !p.eat(')')) return p.error("expected ) closing the filter");
    } else {
      auto n = p.integer();
      if (!n) return std::unexpected(n.error());
      step.kind = Step::Kind::index;
      step.index = *n;
    }
    p.skip_space();
    if (!p.eat(']')) return p.error("expected ]");
    path.steps_.push_back(std::move(step));
  }
  return path;
}

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
            if (auto it = n->find(step.name); it != n->end()) next.push_back(&*it);
          }
          break;
        case Step::Kind::wildcard:
          if (n->is_structured())
            for (auto& child : *n) next.push_back(&child);
          break;
        case Step::Kind::index:
          if (n->is_array()) {
            const long long size = static_cast<long long>(n->size());
            const long long i = step.index < 0 ? step.index + size : step.index;
            if (i >= 0 && i < size) next.push_back(&(*n)[static_cast<std::size_t>(i)]);
          }
          break;
        case Step::Kind::filter:
          if (n->is_array()) {
            for (auto& element : *n) {
              bool all = true;
              for (const Condition& c : step.conditions) all = all && holds(c, element);
              if (all) next.push_back(&element);
            }
          }
          break;
      }
    }
    current = std::move(next);
  }
  return current;
}

}  // namespace converge::providers::fabric
