// Fuzz target: converge.yaml loading. Parses the input as converge.yaml, then does
// what a step does with a config that parsed: resolves every environment (${VAR}
// expansion, typed settings), reads the manifest URL and the trusted-variable rules.
// Any input must end as a config or an Error; a crash, hang, leak or exception fails.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "converge/config/config.hpp"
#include "converge/config/trust.hpp"

namespace cfg = converge::config;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = cfg::parse(text, "converge.yaml");
  if (!config) return 0;
  // Every variable is set, except UNSET (so both expansion paths run); values carry
  // the characters that URL-encoding and masking care about.
  const cfg::VariableLookup lookup = [](std::string_view name) -> std::optional<std::string> {
    if (name == "UNSET") return std::nullopt;
    return "p@ss/w%rd " + std::string(name);
  };
  for (const auto& environment : config->environments) {
    (void)cfg::resolve(*config, environment.name, lookup);
    std::vector<std::string> secrets;
    (void)cfg::manifest_url(*config, environment.name, lookup, secrets);
    const auto allowed = cfg::allowed_variables(*config, environment.name);
    (void)cfg::check_variables(*config, environment.name, allowed);
    (void)cfg::variable_references(*config, environment.name);
    (void)config->environment_for_branch(environment.branch);
  }
  (void)cfg::resolve(*config, "no-such-environment", lookup);
  (void)cfg::describe_gate_changes(*config, *config);
  return 0;
}
