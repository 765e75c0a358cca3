// Attribute and item access as Jinja2's Environment.getattr/getitem do them on
// Python objects: `a.b` tries the Python attribute first (so `d.items` is the dict
// method, not a key named "items"), then the item; `a[b]` tries the item first, then
// the attribute; a miss is Undefined, and any access on Undefined fails. Of the
// methods, converge can call dict.items/keys/values/get, a few str methods and the
// global range(); printing or calling any other is an error, never a guess.
#include <algorithm>

#include "converge/template/evaluator.hpp"
#include "converge/template/unicode.hpp"

namespace converge::tmpl {

namespace {

bool has(std::initializer_list<std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The names Python's dir() lists for the type of `obj` (public ones only).
bool python_attribute(const Value& obj, std::string_view name) {
  switch (obj.kind) {
    case Kind::dict:
      if (!obj.opaque.empty()) return has({"cycle", "changed"}, name);
      return has({"clear", "copy", "fromkeys", "get", "items", "keys", "pop", "popitem", "setdefault", "update",
                  "values"}, name);
    case Kind::list:
      return has({"append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse",
                  "sort"}, name);
    case Kind::tuple: return has({"count", "index"}, name);
    case Kind::string:
      return has({"capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs", "find", "format",
                  "format_map", "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier",
                  "islower", "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower",
                  "lstrip", "maketrans", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex",
                  "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip",
                  "swapcase", "title", "translate", "upper", "zfill"}, name);
    case Kind::integer:
    case Kind::boolean:
      return has({"as_integer_ratio", "bit_count", "bit_length", "conjugate", "denominator", "from_bytes", "imag",
                  "numerator", "real", "to_bytes"}, name);
    case Kind::floating:
      return has({"as_integer_ratio", "conjugate", "fromhex", "hex", "imag", "is_integer", "real"}, name);
    default: return false;
  }
}

Value missing(const Value& obj, const std::string& name) {
  return Value::undefined("'" + type_name(obj) + " object' has no attribute '" + name + "'");
}

}  // namespace

Value get_attr(const Value& obj, const std::string& name, const Semantics& sem) {
  if (obj.is_undefined()) fail_undefined(obj);
  if ((name.starts_with("__") && name.ends_with("__")) || obj.kind == Kind::method) {
    throw TemplateError("unsupported: attribute '" + name + "' of a " + type_name(obj));
  }
  if (python_attribute(obj, name)) return Value::method(obj, name);
  return get_item(obj, Value::from(name), sem);
}

Value get_item(const Value& obj, const Value& key, const Semantics& sem) {
  if (obj.is_undefined()) fail_undefined(obj);
  if (obj.kind == Kind::method) throw TemplateError("unsupported: subscript of a method");
  if (key.is_undefined() && strict(key, sem) && obj.kind == Kind::dict) fail_undefined(key);
  if (obj.kind == Kind::dict && key.kind == Kind::string) {
    spend(sem, obj.entries->size() / 8);  // a linear search
    if (const Value* v = obj.find(key.text)) return *v;
  }
  bool index = key.kind == Kind::integer || key.kind == Kind::boolean;
  if (index && (obj.is_sequence() || obj.kind == Kind::string)) {
    std::int64_t i = key.kind == Kind::integer ? key.integer : key.boolean;
    if (obj.kind == Kind::string) {
      spend(sem, obj.text.size() / 64);
      std::u32string cps = utf8_decode(obj.text);
      auto n = static_cast<std::int64_t>(cps.size());
      if (i < 0) i += n;
      if (i >= 0 && i < n) return Value::from(utf8_encode(std::u32string(1, cps[i])));
    } else {
      auto n = static_cast<std::int64_t>(obj.items->size());
      if (i < 0) i += n;
      if (i >= 0 && i < n) return (*obj.items)[i];
    }
    return Value::undefined(type_name(obj) + " index out of range");
  }
  if (key.kind == Kind::string) {
    if (python_attribute(obj, key.text)) return Value::method(obj, key.text);
    return missing(obj, key.text);
  }
  return Value::undefined(type_name(obj) + " object has no element " + py_repr(key));
}

Args bind_args(const std::string& callee, const std::vector<std::string>& names, const Args& defaults,
               const Args& args, const Kwargs& kwargs) {
  if (args.size() > names.size()) throw TemplateError(callee + "() takes at most " + std::to_string(names.size()) + " arguments");
  std::vector<std::optional<Value>> bound(names.size());
  for (std::size_t i = 0; i < args.size(); ++i) bound[i] = args[i];
  for (const auto& [k, v] : kwargs) {
    auto it = std::find(names.begin(), names.end(), k);
    if (it == names.end()) throw TemplateError(callee + "() got an unexpected keyword argument '" + k + "'");
    auto& slot = bound[it - names.begin()];
    if (slot) throw TemplateError(callee + "() got multiple values for argument '" + k + "'");
    slot = v;
  }
  Args out;
  std::size_t first_default = names.size() - defaults.size();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (bound[i]) out.push_back(*bound[i]);
    else if (i >= first_default) out.push_back(defaults[i - first_default]);
    else throw TemplateError(callee + "() missing required argument '" + names[i] + "'");
  }
  return out;
}

namespace {

Value view(const Value& dict, const std::string& which) {
  List items;
  for (const auto& [k, v] : *dict.entries) {
    if (which == "keys") items.push_back(Value::from(k));
    else if (which == "values") items.push_back(v);
    else items.push_back(Value::list({Value::from(k), v}, Kind::tuple));
  }
  Value out = Value::list(std::move(items));
  out.opaque = "dict_" + which;
  return out;
}

Value range(const Args& args) {
  for (const auto& a : args) {
    if (a.kind != Kind::integer && a.kind != Kind::boolean) throw TemplateError("range() takes integer arguments");
  }
  auto num = [&](std::size_t i) { return args[i].kind == Kind::integer ? args[i].integer : args[i].boolean; };
  if (args.empty() || args.size() > 3) throw TemplateError("range() takes 1 to 3 arguments");
  std::int64_t start = args.size() == 1 ? 0 : num(0), stop = args.size() == 1 ? num(0) : num(1);
  std::int64_t step = args.size() == 3 ? num(2) : 1;
  if (step == 0) throw TemplateError("range() arg 3 must not be zero");
  // Python's len(range(...)), in 128 bits: stop - start overflows int64 for extreme bounds.
  const __int128 span = static_cast<__int128>(stop) - start;
  const __int128 length = (step > 0 ? span > 0 : span < 0) ? (span + step + (step > 0 ? -1 : 1)) / step : 0;
  if (length > 100000) throw TemplateError("range too big, maximum is 100000");
  List items;
  for (__int128 k = 0; k < length; ++k) items.push_back(Value::from(static_cast<std::int64_t>(start + k * step)));
  Value out = Value::list(std::move(items));
  out.opaque = "range";
  return out;
}

}  // namespace

Value call_method(const Value& method, const Args& args, const Kwargs& kwargs, const Semantics& sem) {
  if (method.is_undefined()) fail_undefined(method);
  if (method.kind != Kind::method) throw TemplateError("'" + type_name(method) + "' object is not callable");
  const Value& self = *method.self;
  const std::string& name = method.text;
  if (self.kind == Kind::none && name == "range" && kwargs.empty()) return range(args);
  if (self.kind == Kind::dict && self.opaque.empty()) {
    if ((name == "items" || name == "keys" || name == "values") && args.empty() && kwargs.empty()) {
      return view(self, name);
    }
    if (name == "get" && kwargs.empty() && (args.size() == 1 || args.size() == 2)) {
      if (args[0].is_undefined() && strict(args[0], sem)) fail_undefined(args[0]);
      const Value* found = args[0].kind == Kind::string ? self.find(args[0].text) : nullptr;
      return found ? *found : args.size() == 2 ? args[1] : Value::none();
    }
  }
  if (self.kind == Kind::string && kwargs.empty()) {
    if ((name == "lower" || name == "upper" || name == "title" || name == "capitalize") && args.empty()) {
      return call_filter(name, self, {}, {}, sem);
    }
    if ((name == "strip" && args.size() <= 1) || (name == "replace" && (args.size() == 2 || args.size() == 3))) {
      return call_filter(name == "strip" ? "trim" : name, self, args, {}, sem);
    }
    if ((name == "startswith" || name == "endswith") && args.size() == 1 && args[0].kind == Kind::string) {
      const std::string& s = self.text;
      const std::string& x = args[0].text;
      bool starts = s.size() >= x.size() && s.compare(0, x.size(), x) == 0;
      bool ends = s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
      return Value::from(name == "startswith" ? starts : ends);
    }
  }
  throw TemplateError("unsupported: calling " + type_name(self) + "." + name + "() in converge templates");
}

}  // namespace converge::tmpl
