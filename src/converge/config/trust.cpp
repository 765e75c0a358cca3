// Trusted rules, the pure parts (see trust.hpp): variable references and the names a
// trusted copy allows, the stricter of two gates, and gate changes in words.
#include "converge/config/trust.hpp"

#include <algorithm>
#include <array>

#include "converge/util/join.hpp"

namespace converge::config {
namespace {

// Calls `visit` for every string inside a setting value (strings of lists and maps too).
template <class Visit>
void each_string(const nlohmann::json& value, const Visit& visit) {
  if (value.is_string()) {
    visit(value.get_ref<const std::string&>());
  } else if (value.is_structured()) {
    for (const auto& item : value) each_string(item, visit);
  }
}

// The names referenced in one string, found by expand() itself (one scanner for
// both): a lookup that records every name it is asked for.
void references_in(const std::string& text, const SourceLocation& where, std::vector<VariableReference>& out) {
  auto record = [&](std::string_view name) -> std::optional<std::string> {
    if (name != "CONVERGE_ENV" && name != "CONVERGE_TARGET") out.push_back({std::string(name), where});
    return std::string();
  };
  (void)expand(text, record, where);
}

std::string yes_no(bool b) { return b ? "true" : "false"; }

std::string joined(const NameSet& names) {
  return names.empty() ? "(none)" : util::join(names, ", ");
}

}  // namespace

bool valid_variable_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool reserved_variable(std::string_view name) {
  std::string upper(name);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static constexpr std::array<std::string_view, 6> kPrefixes = {"GITHUB_", "RUNNER_", "ACTIONS_",
                                                                "INPUT_",  "CONVERGE_", "LD_"};
  static constexpr std::array<std::string_view, 10> kNames = {"PATH", "HOME",         "SHELL", "ENV", "BASH_ENV",
                                                              "CI",   "NODE_OPTIONS", "IFS",   "USER", "PWD"};
  for (auto p : kPrefixes)
    if (upper.starts_with(p)) return true;
  return std::find(kNames.begin(), kNames.end(), upper) != kNames.end();
}

std::vector<VariableReference> variable_references(const Config& config, std::string_view environment) {
  std::vector<VariableReference> out;
  if (!config.find_environment(environment)) return out;
  for (const auto& target : config.targets) {
    if (!target.applies_to(environment)) continue;
    for (const auto& [key, raw] : target.settings_for(environment)) {
      each_string(raw.value, [&](const std::string& text) { references_in(text, raw.where, out); });
      // `secrets: [NAME, ...]` in a target's settings lists variables its provider
      // reads itself at apply time (the assets provider's ${NAME} in asset items).
      if (key == "secrets" && raw.value.is_array())
        for (const auto& name : raw.value)
          if (name.is_string()) out.push_back({name.get<std::string>(), raw.where});
    }
  }
  each_string(config.manifest_url.value,
              [&](const std::string& text) { references_in(text, config.manifest_url.where, out); });
  return out;
}

NameSet allowed_variables(const Config& trusted, std::string_view environment) {
  NameSet out;
  const auto* env = trusted.find_environment(environment);
  if (!env) return out;
  if (env->secrets) {
    out.insert(env->secrets->begin(), env->secrets->end());
  } else {
    for (const auto& ref : variable_references(trusted, environment)) out.insert(ref.name);
  }
  std::erase_if(out, [](const std::string& name) { return reserved_variable(name); });
  return out;
}

Expected<void> check_variables(const Config& config, std::string_view environment, const NameSet& allowed) {
  for (const auto& ref : variable_references(config, environment)) {
    if (reserved_variable(ref.name))
      return fail(Error::config("variable " + ref.name + " is reserved: converge never expands it (${" + ref.name +
                                    "})",
                                ref.where));
    if (!allowed.contains(ref.name))
      return fail(Error::config("variable " + ref.name + " is not declared in the trusted converge.yaml for " +
                                    std::string(environment) +
                                    " (list it in the environment's `secrets:` on the environment branch first)",
                                ref.where));
  }
  return {};
}

Gates stricter(const Gates& a, const Gates& b) {
  Gates out;
  out.approvals = std::max(a.approvals, b.approvals);
  out.distinct_approver = a.distinct_approver || b.distinct_approver;
  out.plan_pinning = a.plan_pinning || b.plan_pinning;
  // An allowance is the loose side: both must allow it.
  out.allow_large_pull_requests = a.allow_large_pull_requests && b.allow_large_pull_requests;
  return out;
}

Environment effective_environment(const Environment& trusted, const Environment& proposed) {
  Environment out = proposed;
  out.gates = stricter(trusted.gates, proposed.gates);
  out.branch = trusted.branch;
  out.promote_from = trusted.promote_from ? trusted.promote_from : proposed.promote_from;
  out.secrets = trusted.secrets;
  // Which runtimes `converge destroy` may delete is the trusted copy's to say: a pull
  // request that marks prod a feature environment gets no destroy of prod from it.
  out.feature = trusted.feature;
  return out;
}

std::vector<std::string> describe_gate_changes(const Config& trusted, const Config& proposed) {
  std::vector<std::string> lines;
  for (const auto& p : proposed.environments) {
    const auto* t = trusted.find_environment(p.name);
    if (!t) {
      lines.push_back(p.name + ": new environment (the trusted converge.yaml does not have it: it cannot be applied "
                               "until this change is on the environment branch)");
      continue;
    }
    const std::string& n = p.name;
    if (t->gates.approvals != p.gates.approvals)
      lines.push_back(n + ": approvals " + std::to_string(t->gates.approvals) + " → " +
                      std::to_string(p.gates.approvals));
    if (t->gates.distinct_approver != p.gates.distinct_approver)
      lines.push_back(n + ": distinct_approver " + yes_no(t->gates.distinct_approver) + " → " +
                      yes_no(p.gates.distinct_approver));
    if (t->feature != p.feature)
      lines.push_back(n + ": feature " + yes_no(t->feature) + " → " + yes_no(p.feature) +
                      " (a feature environment's runtimes are deleted by converge destroy)");
    if (t->gates.plan_pinning != p.gates.plan_pinning)
      lines.push_back(n + ": plan_pinning " + yes_no(t->gates.plan_pinning) + " → " + yes_no(p.gates.plan_pinning));
    if (t->gates.allow_large_pull_requests != p.gates.allow_large_pull_requests)
      lines.push_back(n + ": allow_large_pull_requests " + yes_no(t->gates.allow_large_pull_requests) + " → " +
                      yes_no(p.gates.allow_large_pull_requests));
    if (t->branch != p.branch) lines.push_back(n + ": branch " + t->branch + " → " + p.branch);
    if (t->promote_from != p.promote_from)
      lines.push_back(n + ": promote_from " + t->promote_from.value_or("(none)") + " → " +
                      p.promote_from.value_or("(none)"));
    auto before = allowed_variables(trusted, n), after = allowed_variables(proposed, n);
    if (before != after) lines.push_back(n + ": secrets " + joined(before) + " → " + joined(after));
  }
  for (const auto& t : trusted.environments)
    if (!proposed.find_environment(t.name)) lines.push_back(t.name + ": environment removed");
  return lines;
}

}  // namespace converge::config
