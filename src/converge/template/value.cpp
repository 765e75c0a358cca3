// Python semantics of the renderer's values: conversion from JSON, truthiness,
// ==, <, `in` and iteration, including how Jinja2's Undefined and StrictUndefined
// answer each of them.
#include <algorithm>
#include <limits>

#include "converge/template/unicode.hpp"
#include "converge/template/value.hpp"

namespace converge::tmpl {

Value Value::from_json(const nlohmann::ordered_json& j) {
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null: return none();
    case nlohmann::ordered_json::value_t::boolean: return from(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer: return from(j.get<std::int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
      auto u = j.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        throw TemplateError("integer " + std::to_string(u) + " is too large for converge's templates");
      }
      return from(static_cast<std::int64_t>(u));
    }
    case nlohmann::ordered_json::value_t::number_float: return from(j.get<double>());
    case nlohmann::ordered_json::value_t::string: return from(j.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      List l;
      for (const auto& e : j) l.push_back(from_json(e));
      return list(std::move(l));
    }
    case nlohmann::ordered_json::value_t::object: {
      Dict d;
      for (const auto& [k, e] : j.items()) d.emplace_back(k, from_json(e));
      return dict(std::move(d));
    }
    default: throw TemplateError("unsupported JSON value");
  }
}

namespace {

std::uint64_t add_sat(std::uint64_t a, std::uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

void measure(Value& v, const Value& item, std::size_t key_bytes) {
  v.size = add_sat(v.size, add_sat(Value::kItemBytes + key_bytes, item.size));
  v.depth = std::max(v.depth, item.depth + 1);
}

}  // namespace

Value Value::list(List l, Kind kind) {
  Value v;
  v.kind = kind;
  for (const auto& item : l) measure(v, item, 0);
  v.items = std::make_shared<const List>(std::move(l));
  return v;
}

Value Value::dict(Dict d) {
  Value v;
  v.kind = Kind::dict;
  for (const auto& [key, item] : d) measure(v, item, key.size());
  v.entries = std::make_shared<const Dict>(std::move(d));
  return v;
}

const Value* Value::find(std::string_view key) const {
  if (kind != Kind::dict) return nullptr;
  for (const auto& [k, v] : *entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

bool py_truthy(const Value& v, const Semantics& sem) {
  switch (v.kind) {
    case Kind::undefined:
      if (strict(v, sem)) fail_undefined(v);
      return false;
    case Kind::none: return false;
    case Kind::boolean: return v.boolean;
    case Kind::integer: return v.integer != 0;
    case Kind::floating: return v.floating != 0;
    case Kind::string: return !v.text.empty();
    case Kind::list:
    case Kind::tuple: return !v.items->empty();
    case Kind::dict: return !v.entries->empty();
    case Kind::method: return true;
  }
  return true;
}

namespace {

double as_double(const Value& v) {
  return v.kind == Kind::floating ? v.floating : v.kind == Kind::integer ? static_cast<double>(v.integer) : v.boolean;
}

std::int64_t as_int(const Value& v) { return v.kind == Kind::integer ? v.integer : v.boolean ? 1 : 0; }

}  // namespace

bool py_equal(const Value& a, const Value& b, const Semantics& sem) {
  if (a.is_undefined() || b.is_undefined()) {
    const Value& u = a.is_undefined() ? a : b;
    if (strict(u, sem)) fail_undefined(u);
    return a.is_undefined() && b.is_undefined();
  }
  if (a.is_number() && b.is_number()) {
    if (a.kind == Kind::floating || b.kind == Kind::floating) return as_double(a) == as_double(b);
    return as_int(a) == as_int(b);
  }
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Kind::none: return true;
    case Kind::string: return spend(sem, a.text.size() / 64), a.text == b.text;
    case Kind::list:
    case Kind::tuple:
      if (a.items->size() != b.items->size()) return false;
      spend(sem, a.items->size());
      for (std::size_t i = 0; i < a.items->size(); ++i) {
        if (!py_equal((*a.items)[i], (*b.items)[i], sem)) return false;
      }
      return true;
    case Kind::dict:
      if (a.entries->size() != b.entries->size()) return false;
      spend(sem, a.entries->size() * std::min<std::uint64_t>(a.entries->size(), UINT32_MAX));  // a find per key
      for (const auto& [k, v] : *a.entries) {
        const Value* other = b.find(k);
        if (!other || !py_equal(v, *other, sem)) return false;
      }
      return true;
    default: return false;
  }
}

bool py_less(const Value& a, const Value& b, const Semantics& sem) {
  if (a.is_undefined()) fail_undefined(a);
  if (b.is_undefined()) fail_undefined(b);
  if (a.is_number() && b.is_number()) {
    if (a.kind == Kind::floating || b.kind == Kind::floating) return as_double(a) < as_double(b);
    return as_int(a) < as_int(b);
  }
  if (a.kind == b.kind && a.kind == Kind::string) return spend(sem, a.text.size() / 64), a.text < b.text;
  if (a.kind == b.kind && a.is_sequence()) {
    const Semantics strict_sem{true, sem.budget};  // Python compares items with ==, which fails on Undefined
    std::size_t n = std::min(a.items->size(), b.items->size());
    spend(sem, n);
    for (std::size_t i = 0; i < n; ++i) {
      if (!py_equal((*a.items)[i], (*b.items)[i], strict_sem)) return py_less((*a.items)[i], (*b.items)[i], sem);
    }
    return a.items->size() < b.items->size();
  }
  throw TemplateError("'<' not supported between instances of '" + type_name(a) + "' and '" + type_name(b) + "'");
}

bool py_contains(const Value& container, const Value& item, const Semantics& sem) {
  switch (container.kind) {
    case Kind::string:
      if (item.kind != Kind::string) {
        if (item.is_undefined() && strict(item, sem)) fail_undefined(item);
        throw TemplateError("'in <string>' requires string as left operand, not " + type_name(item));
      }
      spend(sem, container.text.size() / 64);
      return find_text(container.text, item.text) != std::string::npos;
    case Kind::list:
    case Kind::tuple:
      spend(sem, container.items->size());
      for (const auto& e : *container.items) {
        if (py_equal(e, item, sem)) return true;
      }
      return false;
    case Kind::dict:
      if (item.kind == Kind::list || item.kind == Kind::dict) {
        throw TemplateError("unhashable type: '" + type_name(item) + "'");
      }
      if (item.is_undefined() && strict(item, sem)) fail_undefined(item);
      spend(sem, container.entries->size() / 8);
      return item.kind == Kind::string && container.find(item.text) != nullptr;
    case Kind::undefined:
      if (strict(container, sem)) fail_undefined(container);
      return false;
    default: throw TemplateError("argument of type '" + type_name(container) + "' is not iterable");
  }
}

List py_iterate(const Value& v, const Semantics& sem) {
  switch (v.kind) {
    case Kind::list:
    case Kind::tuple: return spend(sem, v.items->size() + v.size / 64), *v.items;
    case Kind::dict: {
      if (!v.opaque.empty()) break;
      spend(sem, v.entries->size());
      List keys;
      for (const auto& e : *v.entries) keys.push_back(Value::from(e.first));
      return keys;
    }
    case Kind::string: {
      spend(sem, v.text.size());  // before making a value of each character
      List chars;
      for (char32_t cp : utf8_decode(v.text)) chars.push_back(Value::from(utf8_encode(std::u32string(1, cp))));
      return chars;
    }
    case Kind::undefined:
      if (strict(v, sem)) fail_undefined(v);
      return {};
    default: break;
  }
  throw TemplateError("'" + type_name(v) + "' object is not iterable");
}

}  // namespace converge::tmpl
