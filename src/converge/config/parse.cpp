// Parser for converge.yaml (yaml-cpp underneath). Every structural check reports
// the file:line:column of the offending key or value; nothing is applied from a
// config that fails here.
#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "converge/config/config.hpp"
#include "converge/config/roots.hpp"
#include "converge/config/trust.hpp"
#include "converge/util/fs.hpp"
#include "converge/util/join.hpp"
#include "converge/util/yaml_document.hpp"

namespace converge::config {
namespace {

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  SourceLocation at(const YAML::Node& node) const {
    auto m = node.Mark();
    if (m.is_null()) return {file_, 0, 0};
    return {file_, m.line + 1, m.column + 1};
  }

  Error error(const YAML::Node& node, std::string message) const { return Error::config(std::move(message), at(node)); }

  // Checks that `node` is a map whose keys are all in `allowed`.
  Expected<void> expect_map(const YAML::Node& node, std::string_view what,
                            std::initializer_list<std::string_view> allowed) const {
    if (!node.IsMap()) return fail(error(node, std::string(what) + " must be a mapping"));
    for (const auto& kv : node) {
      auto key = kv.first.as<std::string>();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        return fail(error(kv.first, "unknown key '" + key + "' in " + std::string(what) + " (known: " +
                                        util::join(allowed, ", ") + ")"));
    }
    return {};
  }

  Expected<std::string> string(const YAML::Node& node, std::string_view key) const {
    if (!node.IsScalar()) return fail(error(node, "'" + std::string(key) + "' must be a string"));
    return node.Scalar();
  }

  Expected<std::string> name(const YAML::Node& node, std::string_view key) const {
    auto s = string(node, key);
    if (!s) return s;
    if (s->empty() || s->find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
                          std::string::npos)
      return fail(error(node, "'" + std::string(key) + "' must be a name of letters, digits, '-', '_' or '.'"));
    return s;
  }

  // `secrets: [NAME, ...]`: variable names, each once, none that steers the runner.
  Expected<std::vector<std::string>> secret_names(const YAML::Node& node) const {
    if (!node.IsSequence()) return fail(error(node, "'secrets' must be a list of variable names"));
    std::vector<std::string> out;
    for (const auto& item : node) {
      auto v = string(item, "secrets");
      if (!v) return fail(v.error());
      if (!valid_variable_name(*v))
        return fail(error(item, "'" + *v + "' in 'secrets' is not a variable name (letters, digits and '_')"));
      if (reserved_variable(*v))
        return fail(error(item, "'" + *v + "' in 'secrets' is reserved: converge never expands it"));
      if (std::find(out.begin(), out.end(), *v) != out.end())
        return fail(error(item, "'" + *v + "' is listed twice in 'secrets'"));
      out.push_back(*v);
    }
    return out;
  }

  Expected<bool> boolean(const YAML::Node& node, std::string_view key) const {
    if (node.IsScalar() && node.Tag() != "!") {
      if (node.Scalar() == "true") return true;
      if (node.Scalar() == "false") return false;
    }
    return fail(error(node, "'" + std::string(key) + "' must be true or false"));
  }

  Expected<int> count(const YAML::Node& node, std::string_view key) const {
    if (node.IsScalar() && node.Tag() != "!") {
      const auto& s = node.Scalar();
      if (!s.empty() && s.size() < 6 && std::all_of(s.begin(), s.end(), ::isdigit)) return std::stoi(s);
    }
    return fail(error(node, "'" + std::string(key) + "' must be a whole number ≥ 0"));
  }

  // A YAML value as JSON: plain scalars become bool/int/float/null where they read
  // as one, quoted scalars stay strings.
  Expected<nlohmann::json> to_json(const YAML::Node& node) const {
    switch (node.Type()) {
      case YAML::NodeType::Null:
        return nlohmann::json(nullptr);
      case YAML::NodeType::Scalar: {
        const auto& s = node.Scalar();
        if (node.Tag() == "!") return nlohmann::json(s);
        if (s == "true") return nlohmann::json(true);
        if (s == "false") return nlohmann::json(false);
        if (s == "null" || s == "~") return nlohmann::json(nullptr);
        if (!s.empty() && s.find_first_not_of("-0123456789") == std::string::npos && s.size() < 19 &&
            s.find('-', 1) == std::string::npos && s != "-")
          return nlohmann::json(std::stoll(s));
        return nlohmann::json(s);
      }
      case YAML::NodeType::Sequence: {
        auto out = nlohmann::json::array();
        for (const auto& item : node) {
          auto v = to_json(item);
          if (!v) return v;
          out.push_back(std::move(*v));
        }
        return out;
      }
      case YAML::NodeType::Map: {
        auto out = nlohmann::json::object();
        for (const auto& kv : node) {
          auto v = to_json(kv.second);
          if (!v) return v;
          out[kv.first.as<std::string>()] = std::move(*v);
        }
        return out;
      }
      default:
        return fail(error(node, "unsupported YAML value"));
    }
  }

  Expected<std::map<std::string, Target::RawValue, std::less<>>> settings(const YAML::Node& node,
                                                                         std::string_view what) const {
    if (!node.IsMap()) return fail(error(node, std::string(what) + " must be a mapping"));
    std::map<std::string, Target::RawValue, std::less<>> out;
    for (const auto& kv : node) {
      auto v = to_json(kv.second);
      if (!v) return fail(v.error());
      out[kv.first.as<std::string>()] = {std::move(*v), at(kv.second)};
    }
    return out;
  }

  Expected<Environment> environment(const YAML::Node& node) const {
    if (auto ok = expect_map(node, "an environment", {"name", "branch", "gates", "drift", "promote_from", "secrets", "feature"}); !ok)
      return fail(ok.error());
    Environment env;
    env.where = at(node);
    if (!node["name"]) return fail(error(node, "an environment needs a 'name'"));
    auto name_v = name(node["name"], "name");
    if (!name_v) return fail(name_v.error());
    env.name = *name_v;
    if (!node["branch"]) return fail(error(node, "environment '" + env.name + "' needs a 'branch' pattern"));
    auto branch = string(node["branch"], "branch");
    if (!branch) return fail(branch.error());
    env.branch = *branch;
    if (auto g = node["gates"]) {
      if (auto ok = expect_map(g, "gates", {"approvals", "distinct_approver", "plan_pinning", "allow_large_pull_requests"}); !ok)
        return fail(ok.error());
      if (g["approvals"]) {
        auto v = count(g["approvals"], "approvals");
        if (!v) return fail(v.error());
        env.gates.approvals = *v;
      }
      if (g["distinct_approver"]) {
        auto v = boolean(g["distinct_approver"], "distinct_approver");
        if (!v) return fail(v.error());
        env.gates.distinct_approver = *v;
      }
      if (g["plan_pinning"]) {
        auto v = boolean(g["plan_pinning"], "plan_pinning");
        if (!v) return fail(v.error());
        env.gates.plan_pinning = *v;
      }
      if (g["allow_large_pull_requests"]) {
        auto v = boolean(g["allow_large_pull_requests"], "allow_large_pull_requests");
        if (!v) return fail(v.error());
        env.gates.allow_large_pull_requests = *v;
      }
    }
    if (auto d = node["drift"]) {
      if (auto ok = expect_map(d, "drift", {"schedule", "mode"}); !ok) return fail(ok.error());
      if (d["schedule"]) {
        auto v = string(d["schedule"], "schedule");
        if (!v) return fail(v.error());
        env.drift.schedule = *v;
      }
      if (d["mode"]) {
        auto v = string(d["mode"], "mode");
        if (!v) return fail(v.error());
        if (*v == "detect")
          env.drift.mode = DriftMode::detect;
        else if (*v == "apply")
          env.drift.mode = DriftMode::apply;
        else
          return fail(error(d["mode"], "drift 'mode' must be detect or apply, not '" + *v + "'"));
      }
    }
    if (node["promote_from"]) {
      auto v = name(node["promote_from"], "promote_from");
      if (!v) return fail(v.error());
      env.promote_from = *v;
    }
    if (node["feature"]) {
      auto v = boolean(node["feature"], "feature");
      if (!v) return fail(v.error());
      env.feature = *v;
    }
    if (auto list = node["secrets"]) {
      auto v = secret_names(list);
      if (!v) return fail(v.error());
      env.secrets = std::move(*v);
    }
    return env;
  }

  Expected<Target> target(const YAML::Node& node) const {
    if (auto ok = expect_map(node, "a target", {"name", "provider", "environments", "settings", "overrides"}); !ok)
      return fail(ok.error());
    Target t;
    t.where = at(node);
    if (!node["name"]) return fail(error(node, "a target needs a 'name'"));
    auto name_v = name(node["name"], "name");
    if (!name_v) return fail(name_v.error());
    t.name = *name_v;
    if (!node["provider"]) return fail(error(node, "target '" + t.name + "' needs a 'provider'"));
    auto provider = name(node["provider"], "provider");
    if (!provider) return fail(provider.error());
    t.provider = *provider;
    t.provider_where = at(node["provider"]);
    if (auto envs = node["environments"]) {
      if (!envs.IsSequence()) return fail(error(envs, "'environments' must be a list of environment names"));
      for (const auto& e : envs) {
        auto v = name(e, "environments");
        if (!v) return fail(v.error());
        t.environments.push_back(*v);
      }
    }
    if (auto s = node["settings"]) {
      auto v = settings(s, "settings");
      if (!v) return fail(v.error());
      t.settings = std::move(*v);
    }
    if (auto o = node["overrides"]) {
      if (!o.IsMap()) return fail(error(o, "'overrides' must map environment names to settings"));
      for (const auto& kv : o) {
        auto v = settings(kv.second, "overrides." + kv.first.as<std::string>());
        if (!v) return fail(v.error());
        t.overrides[kv.first.as<std::string>()] = std::move(*v);
      }
    }
    return t;
  }

  // Cross-references: unique names, known environments, promote_from earlier in order.
  Expected<void> check_references(const Config& config, const YAML::Node& root) const {
    std::set<std::string> seen;
    for (size_t i = 0; i < config.environments.size(); ++i) {
      const auto& env = config.environments[i];
      if (!seen.insert(env.name).second)
        return fail(Error::config("environment '" + env.name + "' is defined twice", env.where));
      if (env.promote_from) {
        auto it = std::find_if(config.environments.begin(), config.environments.begin() + i,
                               [&](const Environment& e) { return e.name == *env.promote_from; });
        if (it == config.environments.begin() + i)
          return fail(Error::config("promote_from '" + *env.promote_from +
                                        "' must name an environment listed before '" + env.name + "'",
                                    env.where));
      }
    }
    std::set<std::string> targets;
    for (size_t i = 0; i < config.targets.size(); ++i) {
      const auto& t = config.targets[i];
      const auto node = root["targets"][i];
      if (!targets.insert(t.name).second)
        return fail(Error::config("target '" + t.name + "' is defined twice", t.where));
      for (size_t j = 0; j < t.environments.size(); ++j) {
        if (!config.find_environment(t.environments[j]))
          return fail(error(node["environments"][j], "unknown environment '" + t.environments[j] + "' in target '" +
                                                          t.name + "'"));
      }
      if (auto o = node["overrides"]) {
        for (const auto& kv : o) {
          if (!config.find_environment(kv.first.as<std::string>()))
            return fail(error(kv.first, "unknown environment '" + kv.first.as<std::string>() +
                                            "' in overrides of target '" + t.name + "'"));
        }
      }
    }
    return {};
  }

  Expected<Config> parse(std::string_view text) const {
    auto loaded = util::load_yaml(text, file_);
    if (!loaded) return fail(loaded.error());
    const YAML::Node root = *loaded;
    if (!root.IsDefined() || root.IsNull()) return fail(Error::config("the file is empty", {file_, 1, 1}));
    if (auto ok = expect_map(root, "converge.yaml", {"version", "environments", "targets", "manifest"}); !ok)
      return fail(ok.error());
    Config config;
    if (auto v = root["version"]) {
      auto n = count(v, "version");
      if (!n) return fail(n.error());
      if (*n != 1) return fail(error(v, "unsupported version " + std::to_string(*n) + " (this converge reads 1)"));
    }
    auto envs = root["environments"];
    if (!envs) return fail(error(root, "'environments' is required"));
    if (!envs.IsSequence() || envs.size() == 0)
      return fail(error(envs, "'environments' must be a non-empty list, ordered dev → prod"));
    for (const auto& e : envs) {
      auto env = environment(e);
      if (!env) return fail(env.error());
      config.environments.push_back(std::move(*env));
    }
    auto targets = root["targets"];
    if (!targets) return fail(error(root, "'targets' is required"));
    if (!targets.IsSequence() || targets.size() == 0) return fail(error(targets, "'targets' must be a non-empty list"));
    for (const auto& t : targets) {
      auto target_v = target(t);
      if (!target_v) return fail(target_v.error());
      config.targets.push_back(std::move(*target_v));
    }
    config.manifest_url = {nlohmann::json(std::string(kDefaultManifestUrl)), at(root)};
    if (auto m = root["manifest"]) {
      if (auto ok = expect_map(m, "manifest", {"url"}); !ok) return fail(ok.error());
      if (m["url"]) {
        auto url = string(m["url"], "url");
        if (!url) return fail(url.error());
        config.manifest_url = {nlohmann::json(*url), at(m["url"])};
      }
    }
    if (auto ok = check_references(config, root); !ok) return fail(ok.error());
    return config;
  }

 private:
  std::string file_;
};

}  // namespace

bool Target::applies_to(std::string_view environment) const {
  return environments.empty() || std::find(environments.begin(), environments.end(), environment) != environments.end();
}

const Environment* Config::find_environment(std::string_view name) const {
  for (const auto& env : environments)
    if (env.name == name) return &env;
  return nullptr;
}

const Environment* Config::environment_for_branch(std::string_view branch) const {
  const std::string b(branch);
  for (const auto& env : environments) {
    // "dev/**" matches any depth; fnmatch without FNM_PATHNAME lets '*' cross '/'.
    if (fnmatch(env.branch.c_str(), b.c_str(), 0) == 0) return &env;
  }
  return nullptr;
}

Expected<Config> parse(std::string_view text, const std::filesystem::path& file) {
  auto config = Parser(file.string()).parse(text);
  if (config) {
    config->file = file;
    config->root = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  }
  return config;
}

Expected<Config> load(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec))
    return fail(Error::usage("no configuration at " + file.string() + " (use --config to point at converge.yaml)"));
  auto text = util::read_file(file);
  if (!text) return fail(Error::usage(text.error().message));
  auto config = parse(*text, file);
  if (!config) return config;
  if (auto expanded = expand_roots(*config); !expanded) return fail(expanded.error());
  return config;
}

}  // namespace converge::config
