// Selecting one environment: merges a target's per-environment overrides over its
// settings and expands ${VAR} references from the process environment; the manifest
// URL on its own (manifest_url), only when a step opens the store.
#include <algorithm>

#include "converge/config/config.hpp"

namespace converge::config {
namespace {

// Appends a non-empty secret once.
void add_secret(std::vector<std::string>& secrets, const std::string& value) {
  if (!value.empty() && std::find(secrets.begin(), secrets.end(), value) == secrets.end()) secrets.push_back(value);
}

bool valid_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

Expected<nlohmann::json> expand_json(const nlohmann::json& value, const VariableLookup& lookup,
                                     const SourceLocation& where) {
  if (value.is_string()) {
    auto s = expand(value.get<std::string>(), lookup, where);
    if (!s) return fail(s.error());
    return nlohmann::json(*s);
  }
  if (value.is_array() || value.is_object()) {
    nlohmann::json out = value;
    for (auto& item : out) {
      auto v = expand_json(item, lookup, where);
      if (!v) return v;
      item = std::move(*v);
    }
    return out;
  }
  return value;
}

}  // namespace

Expected<std::string> expand(std::string_view text, const VariableLookup& lookup, const SourceLocation& where) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos)
      return fail(Error::config("unterminated '${' in \"" + std::string(text) + "\"", where));
    std::string_view inner = text.substr(i + 2, close - i - 2);
    std::string_view name = inner;
    std::optional<std::string_view> fallback;
    if (auto dash = inner.find(":-"); dash != std::string_view::npos) {
      name = inner.substr(0, dash);
      fallback = inner.substr(dash + 2);
    }
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) ||
        !std::all_of(name.begin(), name.end(), valid_name_char))
      return fail(Error::config("invalid variable name '${" + std::string(inner) + "}'", where));
    if (auto value = lookup(name)) {
      out += *value;
    } else if (fallback) {
      out += *fallback;
    } else {
      return fail(Error::config("variable " + std::string(name) + " is not set (referenced as ${" +
                                    std::string(inner) + "})",
                                where));
    }
    i = close + 1;
  }
  return out;
}

std::map<std::string, Target::RawValue, std::less<>> Target::settings_for(std::string_view environment) const {
  auto merged = settings;
  if (auto it = overrides.find(environment); it != overrides.end())
    for (const auto& [key, value] : it->second) merged[key] = value;
  return merged;
}

Expected<Resolved> resolve(const Config& config, std::string_view environment, const VariableLookup& lookup,
                           bool keep_unset) {
  const Environment* env = config.find_environment(environment);
  if (!env) {
    std::string known;
    for (const auto& e : config.environments) known += (known.empty() ? "" : ", ") + e.name;
    return fail(Error::usage("unknown environment '" + std::string(environment) + "' (" + config.file.string() +
                             " defines: " + known + ")"));
  }
  Resolved out;
  out.environment = env;
  const std::string env_name = env->name;
  // ${CONVERGE_ENV} names the environment and ${CONVERGE_TARGET} the target (one per
  // root of a `roots:` pattern: a state key per root); neither is a secret. Any other
  // variable that went into a value makes that value a secret to mask.
  bool used_variable = false;
  bool unset = false;
  std::string target_name;
  auto with_builtins = [&](std::string_view name) -> std::optional<std::string> {
    if (name == "CONVERGE_ENV") return env_name;
    if (name == "CONVERGE_TARGET") return target_name;
    auto value = lookup(name);
    if (value) {
      used_variable = true;
      // The variable's own value too: a message may quote a part of the setting
      // (libpq names the piece of a URL it could not parse), never the whole.
      add_secret(out.secrets, *value);
    } else if (keep_unset) {
      unset = true;
      return std::string();
    }
    return value;
  };
  auto remember_secret = [&](const nlohmann::json& value) {
    if (used_variable) add_secret(out.secrets, value.is_string() ? value.get<std::string>() : value.dump());
  };

  for (const auto& target : config.targets) {
    if (!target.applies_to(env_name)) continue;
    ResolvedTarget rt{target.name, target.provider, target.provider_where, Settings(target.where)};
    target_name = target.name;
    for (const auto& [key, raw] : target.settings_for(env_name)) {
      used_variable = false;
      unset = false;
      auto value = expand_json(raw.value, with_builtins, raw.where);
      if (!value) return fail(value.error());
      if (unset) {  // kept as written: no value of any variable is in it
        rt.settings.set(key, Setting{raw.value, raw.where, false, true});
        continue;
      }
      remember_secret(*value);
      rt.settings.set(key, Setting{std::move(*value), raw.where, used_variable});
    }
    out.targets.push_back(std::move(rt));
  }
  return out;
}

Expected<std::string> manifest_url(const Config& config, std::string_view environment, const VariableLookup& lookup,
                                   std::vector<std::string>& secrets) {
  bool used_variable = false;
  auto with_builtins = [&](std::string_view name) -> std::optional<std::string> {
    if (name == "CONVERGE_ENV") return std::string(environment);
    auto value = lookup(name);
    if (value) {
      used_variable = true;
      add_secret(secrets, *value);
    }
    return value;
  };
  auto url = expand(config.manifest_url.value.get<std::string>(), with_builtins, config.manifest_url.where);
  if (!url) return fail(url.error().with_context("manifest.url"));
  if (used_variable) add_secret(secrets, *url);
  return url;
}

}  // namespace converge::config
