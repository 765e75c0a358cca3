// Renders templates written in the Jinja2 subset converge supports, producing
// exactly what Python's Jinja2 3.1 renders with `jinja2.Environment()` defaults
// (no autoescape, trim_blocks/lstrip_blocks off, one trailing newline dropped,
// \r\n and \r turned into \n) and the Undefined class RenderOptions picks.
//
// The subset (docs/templates.md lists it for users):
//   {{ expr }}, {# comments #}, {% raw %}…{% endraw %}, whitespace control with -
//   (+ accepted); {% if %}/{% elif %}/{% else %}/{% endif %}; {% for x in … %} and
//   {% for k, v in d.items() %} with {% else %} and loop.index/index0/revindex/
//   revindex0/first/last/length/previtem/nextitem; {% set x = expr %}.
//   Expressions: names, a.b, a['b'], a[0], a.0; string/int/float/true/false/none
//   literals, lists, tuples, dicts with string keys; a if b else c; or, and, not;
//   ==, !=, <, <=, >, >=, in, not in (chained); + - * / // % ** ~ and unary - +;
//   filters default/d, lower, upper, title, capitalize, trim, replace, string, int,
//   float, length/count, join, first, last, list, tojson; tests defined,
//   undefined, none, boolean, true, false, integer, float, number, string,
//   mapping, iterable, sequence, even, odd, divisibleby, eq/equalto/==, ne/!=,
//   in; calls d.items(), d.keys(), d.values(), d.get(k[, default]), str methods
//   lower/upper/title/capitalize/strip/replace/startswith/endswith, range().
// Anything else (macros, includes, other filters, printing a method, ...) is an
// error naming the file and line, never a silent difference from Jinja2.
//
// Integers are 64-bit; where Python's unbounded integer would not fit (2**63,
// -(-2**63), (-2**63) // -1) the render fails instead of wrapping. Python's results
// are kept everywhere else ((-2**63) % -1 is 0, 1 ** 10**18 is 1, instantly).
//
// A template may come from anyone who can push, so every render has limits; beyond
// one it fails with file:line of the tag or expression that crossed it, in bounded
// time and memory. The parser refuses expressions nested deeper than
// kMaxExpressionNesting (parentheses, brackets, operators: Jinja2 itself gives up
// at about 60 parentheses) and blocks ({% if %}, {% for %}) nested deeper than
// kMaxBlockNesting (ast.hpp; Jinja2: about 100 ifs or 20 fors); lists and dicts a
// template builds may nest kMaxValueDepth deep (budget.hpp); the rest is Limits.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "converge/util/error.hpp"

namespace converge::tmpl {

// The budget of one render. Real templates stay far below each limit (a Superset
// export renders in a few thousand steps); a hostile one (nested range() loops,
// 'x' * 10**18, a string doubled in a loop) hits one within seconds.
struct Limits {
  // The rendered text, and any one value built on the way (Value::size: text bytes
  // plus 128 per list item or dict entry), at most this many bytes.
  std::uint64_t max_output_bytes = std::uint64_t{64} << 20;
  // All {% for %} iterations of the render together.
  std::uint64_t max_loop_iterations = 1'000'000;
  // One step per expression evaluated, text or tag rendered and loop iteration, plus
  // one per item (or per 64 bytes of text) an operation builds, copies or scans.
  std::uint64_t max_steps = 10'000'000;
};

struct RenderOptions {
  // true: an undefined variable fails wherever Jinja2's StrictUndefined fails
  // (output, truthiness, iteration, comparison, most filters; `is defined` and
  // `default` still work). false: Jinja2's default Undefined (prints as "").
  bool strict_undefined = true;
  Limits limits;
};

// The rendered text of `source`, whose variables are `variables` (a JSON object
// whose key order is the order `{% for k in dict %}` sees). On a syntax error, an
// unsupported construct or an evaluation error (undefined variable in strict mode,
// a type error Python would raise, ...) returns Error::config located at
// {file_label, line, column} of the offending tag or expression. Never throws.
Expected<std::string> render(std::string_view source, const nlohmann::ordered_json& variables,
                             std::string_view file_label, const RenderOptions& options = {});
// The same with nlohmann::json variables (its objects iterate in sorted key order).
Expected<std::string> render(std::string_view source, const nlohmann::json& variables,
                             std::string_view file_label, const RenderOptions& options = {});

// Template variables from a YAML file, typed as PyYAML's yaml.safe_load types them
// (YAML 1.1: true/yes/on → bool, 012/0x1F/0b1/1_000/1:30 → int, 1.5/.inf → float,
// ~/null/empty → null, quoted and block scalars → string; mapping keys become
// strings as written; `<<` merges; dates stay strings). An empty file is {}.
// Error::config with file:line:column when the file cannot be read or parsed,
// or its top level is not a mapping.
Expected<nlohmann::ordered_json> load_yaml_variables(const std::filesystem::path& vars_yaml);

// Renders the file `template_path` with the variables of `vars_yaml` (strict
// undefined); errors name the file they come from.
Expected<std::string> render_file(const std::filesystem::path& template_path,
                                  const std::filesystem::path& vars_yaml, const RenderOptions& options = {});

}  // namespace converge::tmpl
