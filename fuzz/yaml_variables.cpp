// Fuzz target: the PyYAML-typed YAML reader (template variables files env/<env>.yaml
// and asset sources). The input is a YAML document; when it reads as a mapping, a
// template that walks every value renders with it, so typed values reach the
// evaluator. Any input must end as JSON or an Error, and the block-subset reader
// must agree with yaml-cpp on what it takes: a crash, a hang, an alias bomb
// that exhausts memory, a leak or an exception fails.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "converge/template/render.hpp"
#include "converge/template/yaml.hpp"
#include "converge/template/yaml_block_subset.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = converge::tmpl::parse_yaml(text, "env/fuzz.yaml");
  // parse_yaml reads the block subset without yaml-cpp: what that reader takes must
  // read the same through yaml-cpp.
  if (auto subset = converge::tmpl::read_block_subset(text)) {
    auto full = converge::tmpl::parse_yaml_with_yaml_cpp(text, "env/fuzz.yaml");
    if (!full || full->dump() != subset->dump()) __builtin_trap();
  }
  // The check a writer of YAML makes before leaving a string unquoted.
  (void)converge::tmpl::plain_scalar_is_string(text.substr(0, text.find('\n')));
  if (!doc || !doc->is_object()) return 0;
  converge::tmpl::RenderOptions options;
  options.limits.max_output_bytes = 1 << 20;  // an alias-expanded document may print big
  (void)converge::tmpl::render("{% for k, v in vars.items() %}{{ k }}={{ v }} {{ v | tojson }};{% endfor %}",
                               nlohmann::ordered_json{{"vars", *doc}}, "fuzz.j2", options);
  return 0;
}
