// The one interface every provider implements, and the registry that finds a
// provider by name. Steps drive targets only through this; they never know which
// provider sits behind it.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "converge/config/settings.hpp"
#include "converge/plan/plan.hpp"
#include "converge/util/error.hpp"

namespace converge::providers {

// What a provider needs to know about its target.
struct TargetSpec {
  std::string name;
  std::string environment;
  std::filesystem::path repo_root;  // paths in settings are relative to it
  config::Settings settings;
};

// Desired state of one target for one environment, compiled from the repo.
struct Bundle {
  std::string hash;         // content hash (stable across machines)
  nlohmann::json content;   // provider-specific; opaque to steps
};

struct ApplyReport {
  std::vector<std::string> applied;   // keys of the changes applied, in order
  std::string failed_key;             // the change that failed; empty when all applied
  std::string error;                  // why it failed
  std::vector<std::string> warnings;
  std::string version;                // runtime version after apply (e.g. latest migration)
  bool ok() const { return failed_key.empty() && error.empty(); }
};

class Provider {
 public:
  virtual ~Provider() = default;

  // Desired state from the repository. Error (config, with file:line) on bad sources.
  virtual Expected<Bundle> compile() = 0;

  // Reads the runtime and returns the changes from actual to `desired`, with
  // TargetPlan::errors for states no change can fix. Error (runtime) when the
  // runtime cannot be read.
  virtual Expected<plan::TargetPlan> plan(const Bundle& desired) = 0;

  // Applies exactly `changes` (a plan computed against this runtime), in order,
  // stopping at the first failure, which is reported in ApplyReport (not as Error).
  // Error only when apply could not start (runtime unreachable).
  virtual Expected<ApplyReport> apply(const Bundle& desired, const plan::TargetPlan& changes) = 0;

  // What the runtime reports it runs (e.g. the latest applied migration version);
  // empty when nothing has been applied.
  virtual Expected<std::string> runtime_version() = 0;
};

using Factory = std::function<Expected<std::unique_ptr<Provider>>(const TargetSpec&)>;

// The provider registered under `name`; nullptr on a miss.
const Factory* find(std::string_view name);
// Names of every registered provider, sorted (for error messages).
std::vector<std::string> names();

}  // namespace converge::providers
