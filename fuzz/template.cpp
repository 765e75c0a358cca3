// Fuzz target: the template lexer, parser and renderer. The input is a template,
// rendered with a fixed set of variables in strict and in lenient (Jinja2 default
// Undefined) mode, under a render budget far smaller than the default one: every
// operation must charge the budget before it works, so even a small budget must
// stop any template quickly (and the fuzzer runs many inputs a second). Every input
// must end as text or an Error: a crash, a hang (libFuzzer -timeout), memory beyond
// -rss_limit_mb, a leak or an exception fails.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "converge/template/render.hpp"

namespace {

// The variables of the differential corpus (tests/template/corpus), plus integer extremes.
const nlohmann::ordered_json& variables() {
  static const auto vars = nlohmann::ordered_json::parse(R"({
    "name": "World", "env": "prod", "n": 3, "f": 2.5, "t": true, "fa": false, "z": null,
    "items": [1, 2, 3], "empty": [], "d": {"b": 2, "a": 1, "c": {"x": "deep"}},
    "s": "  Hello, World  ", "uni": "Grüße, ÄÖÜ ß 日本 😀",
    "max": 9223372036854775807, "min": -9223372036854775808, "big": 1e308,
    "words": ["alpha", "beta", "gamma"], "nested": [[1, [2, [3]]], {"k": [4]}]
  })");
  return vars;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  converge::tmpl::RenderOptions options;
  options.limits.max_output_bytes = 1 << 20;
  options.limits.max_loop_iterations = 10'000;
  options.limits.max_steps = 200'000;
  (void)converge::tmpl::render(source, variables(), "fuzz.j2", options);
  options.strict_undefined = false;
  (void)converge::tmpl::render(source, variables(), "fuzz.j2", options);
  return 0;
}
