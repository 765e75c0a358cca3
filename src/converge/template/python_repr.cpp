// Python's text forms of values, as Jinja2 prints them: str() for `{{ x }}` output
// (True/False/None, repr of floats with the shortest round-trip digits, dict and
// list reprs with quoted strings), and json.dumps(sort_keys=True) made HTML-safe
// the way Jinja2's htmlsafe_json_dumps does for the `tojson` filter.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "converge/template/unicode.hpp"
#include "converge/template/value.hpp"

namespace converge::tmpl {

namespace {

// Python's str.isprintable, approximated: controls, separators other than ' ',
// format characters, surrogates and private use are not printable.
bool py_printable(char32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD) return false;
  if (cp < 0x7F) return true;
  return !(cp == 0x61C || cp == 0x1680 || cp == 0x180E || (cp >= 0x2000 && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x206F) || cp == 0x3000 ||
           (cp >= 0xD800 && cp <= 0xF8FF) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
           cp == 0xE0001 || (cp >= 0xE0020 && cp <= 0xE007F) || cp >= 0xF0000);
}

std::string hex(unsigned value, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*x", width, value);
  return buf;
}

std::string str_repr(std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (char32_t cp : utf8_decode(s)) {
    if (cp == static_cast<char32_t>(quote) || cp == '\\') { out += '\\'; out += static_cast<char>(cp); }
    else if (cp == '\t') out += "\\t";
    else if (cp == '\n') out += "\\n";
    else if (cp == '\r') out += "\\r";
    else if (py_printable(cp)) utf8_append(out, cp);
    else if (cp <= 0xFF) out += "\\x" + hex(cp, 2);
    else if (cp <= 0xFFFF) out += "\\u" + hex(cp, 4);
    else out += "\\U" + hex(cp, 8);
  }
  return out + quote;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char32_t cp : utf8_decode(s)) {
    if (const char* escape = short_escape(cp)) {
      out += escape;
    } else if (cp < 0x20 || (cp > 0x7E && cp != 0x7F)) {
      if (cp >= 0x10000) {
        char32_t v = cp - 0x10000;
        out += "\\u" + hex(0xD800 + (v >> 10), 4) + "\\u" + hex(0xDC00 + (v & 0x3FF), 4);
      } else {
        out += "\\u" + hex(cp, 4);
      }
    } else {
      out += static_cast<char>(cp);
    }
  }
  return out + "\"";
}

void json_dumps(const Value& v, std::string& out) {
  switch (v.kind) {
    case Kind::none: out += "null"; return;
    case Kind::boolean: out += v.boolean ? "true" : "false"; return;
    case Kind::integer: out += std::to_string(v.integer); return;
    case Kind::floating:
      if (std::isnan(v.floating)) out += "NaN";
      else if (std::isinf(v.floating)) out += v.floating > 0 ? "Infinity" : "-Infinity";
      else out += py_float_repr(v.floating);
      return;
    case Kind::string: out += json_string(v.text); return;
    case Kind::list:
    case Kind::tuple: {
      if (!v.opaque.empty()) throw TemplateError("Object of type " + v.opaque + " is not JSON serializable");
      out += '[';
      for (std::size_t i = 0; i < v.items->size(); ++i) {
        if (i) out += ", ";
        json_dumps((*v.items)[i], out);
      }
      out += ']';
      return;
    }
    case Kind::dict: {
      if (!v.opaque.empty()) throw TemplateError("Object of type " + v.opaque + " is not JSON serializable");
      std::vector<const std::pair<std::string, Value>*> sorted;
      for (const auto& e : *v.entries) sorted.push_back(&e);
      std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
      out += '{';
      for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (i) out += ", ";
        out += json_string(sorted[i]->first) + ": ";
        json_dumps(sorted[i]->second, out);
      }
      out += '}';
      return;
    }
    case Kind::undefined: throw TemplateError("Object of type Undefined is not JSON serializable");
    case Kind::method: throw TemplateError("Object of type method is not JSON serializable");
  }
}

}  // namespace

std::string py_float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, end);  // "-1.2345e+02"
  std::string sign;
  if (sci[0] == '-') { sign = "-"; sci.erase(0, 1); }
  auto e = sci.find('e');
  std::string digits = sci.substr(0, e);
  if (digits.size() > 1) digits.erase(1, 1);  // drop the '.'
  int decpt = std::stoi(sci.substr(e + 1)) + 1;  // value = 0.DIGITS × 10^decpt
  int n = static_cast<int>(digits.size());
  if (decpt > 16 || decpt <= -4) {
    int exp = decpt - 1;
    std::string out = sign + digits.substr(0, 1);
    if (n > 1) out += "." + digits.substr(1);
    std::string mag = std::to_string(exp < 0 ? -exp : exp);
    if (mag.size() < 2) mag = "0" + mag;
    return out + "e" + (exp < 0 ? "-" : "+") + mag;
  }
  if (decpt <= 0) return sign + "0." + std::string(-decpt, '0') + digits;
  if (decpt >= n) return sign + digits + std::string(decpt - n, '0') + ".0";
  return sign + digits.substr(0, decpt) + "." + digits.substr(decpt);
}

std::string type_name(const Value& v) {
  if (!v.opaque.empty()) return v.opaque;
  switch (v.kind) {
    case Kind::undefined: return "Undefined";
    case Kind::none: return "NoneType";
    case Kind::boolean: return "bool";
    case Kind::integer: return "int";
    case Kind::floating: return "float";
    case Kind::string: return "str";
    case Kind::list: return "list";
    case Kind::tuple: return "tuple";
    case Kind::dict: return "dict";
    case Kind::method: return "builtin_function_or_method";
  }
  return "object";
}

void fail_undefined(const Value& v) { throw TemplateError(v.text); }

std::string py_repr(const Value& v) {
  switch (v.kind) {
    case Kind::undefined: return "Undefined";
    case Kind::string: return str_repr(v.text);
    case Kind::list:
    case Kind::tuple: {
      std::string out = v.kind == Kind::list ? "[" : "(";
      for (std::size_t i = 0; i < v.items->size(); ++i) {
        if (i) out += ", ";
        out += py_repr((*v.items)[i]);
      }
      if (!v.opaque.empty() && !v.opaque.starts_with("dict_")) {
        throw TemplateError("converge cannot print a " + v.opaque + " object");
      }
      if (v.kind == Kind::tuple && v.items->size() == 1) out += ",";
      out += v.kind == Kind::list ? "]" : ")";
      return v.opaque.empty() ? out : v.opaque + "(" + out + ")";
    }
    case Kind::dict: {
      if (!v.opaque.empty()) throw TemplateError("converge cannot print a " + v.opaque + " object");
      std::string out = "{";
      for (std::size_t i = 0; i < v.entries->size(); ++i) {
        if (i) out += ", ";
        out += str_repr((*v.entries)[i].first) + ": " + py_repr((*v.entries)[i].second);
      }
      return out + "}";
    }
    case Kind::method: throw TemplateError("converge cannot print the method '" + v.text + "'");
    default: return py_str(v, Semantics{});
  }
}

std::string py_str(const Value& v, const Semantics& sem) {
  switch (v.kind) {
    case Kind::undefined:
      if (strict(v, sem)) fail_undefined(v);
      return "";
    case Kind::none: return "None";
    case Kind::boolean: return v.boolean ? "True" : "False";
    case Kind::integer: return std::to_string(v.integer);
    case Kind::floating: return py_float_repr(v.floating);
    case Kind::string: return v.text;
    default:
      check_bytes(sem, v.size);  // shared parts print once per reference: a small tree can print huge
      return py_repr(v);
  }
}

std::string jinja_tojson(const Value& v) {
  std::string raw;
  json_dumps(v, raw);
  std::string out;
  for (char c : raw) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      case '\'': out += "\\u0027"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace converge::tmpl
