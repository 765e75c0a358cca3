// converge secret-names: the variables an environment may use, from the trusted
// converge.yaml (steps/trust.hpp), for the workflows to export exactly those and no
// other secret into the job that runs the change.
#include "converge/steps/steps.hpp"
#include "converge/steps/trust.hpp"

namespace converge::steps {

int run_secret_names(const SecretNamesOptions& options, StepIo io) {
  auto config = config::load(options.common.config);
  if (!config) return report_error(config.error(), io);
  auto trust = load_trust(*config, options.common.trusted_ref, io);
  if (!trust) return report_error(trust.error(), io);
  const auto& env = options.common.environment;
  if (!trust->trusted.find_environment(env))
    io.console.warning("environment " + env + " is not in the trusted converge.yaml: it gets no secrets");
  std::string names;
  for (const auto& name : secret_names(*trust, env)) names += (names.empty() ? "" : " ") + name;
  io.console.info(names.empty() ? "No secrets for " + env + "." : "Secrets for " + env + ": " + names);
  io.console.set_output("names", names);
  return 0;
}

}  // namespace converge::steps
