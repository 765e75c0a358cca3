// Parsing of the terraform provider's settings (options.hpp).
#include "converge/providers/terraform/options.hpp"

#include <regex>

namespace converge::providers::terraform {
namespace {

// Environment variable names the binary may get: a credential's name, never one that
// changes how converge runs the binary or where it looks for its data.
Expected<void> check_env_name(const std::string& name, const SourceLocation& where) {
  static const std::regex valid("[A-Za-z_][A-Za-z0-9_]*");
  if (!std::regex_match(name, valid))
    return fail(Error::config("setting 'env': '" + name + "' is not an environment variable name", where));
  if (name == "TF_DATA_DIR" || name == "TF_WORKSPACE" || name == "TF_INPUT" || name == "TF_CLI_ARGS" ||
      name.starts_with("TF_CLI_ARGS_") || name == "PATH")
    return fail(Error::config("setting 'env': converge sets " + name + " itself (use root, workspace or args)", where));
  return {};
}

}  // namespace

Expected<Options> read_options(const config::Settings& settings) {
  if (auto ok = settings.allow_only({"root", "binary", "var_files", "backend_config", "workspace", "args", "env",
                                     "plan_key", "plan_dir", "volatile", "timeout", "roots"});
      !ok)
    return fail(ok.error());
  Options o;
  if (const config::Setting* roots = settings.find("roots"); roots && !settings.find("root"))
    return fail(Error::config("setting 'roots' is expanded into one target per folder when converge.yaml is loaded; "
                              "this target has no 'root'",
                              roots->where));
  auto root = settings.string("root");
  if (!root) return fail(root.error());
  o.root = *root;
  auto binary = settings.string_or("binary", o.binary);
  if (!binary) return fail(binary.error());
  o.binary = *binary;
  auto workspace = settings.string_or("workspace", "");
  if (!workspace) return fail(workspace.error());
  o.workspace = *workspace;
  auto key = settings.string_or("plan_key", "");
  if (!key) return fail(key.error());
  o.plan_key = *key;
  auto dir = settings.string_or("plan_dir", "");
  if (!dir) return fail(dir.error());
  o.plan_dir = *dir;
  for (auto [name, field] : {std::pair{"var_files", &o.var_files}, {"backend_config", &o.backend_config},
                            {"args", &o.args}, {"volatile", &o.volatile_attributes}}) {
    auto list = settings.strings_or(name, {});
    if (!list) return fail(list.error());
    *field = std::move(*list);
  }
  auto timeout = settings.duration_or("timeout", o.timeout, std::chrono::hours(24));
  if (!timeout) return fail(timeout.error());
  o.timeout = timeout->count() == 0 ? std::chrono::hours(24) : *timeout;
  if (const config::Setting* env = settings.find("env")) {
    if (!env->value.is_object())
      return fail(Error::config("setting 'env' must be a mapping of variable names to strings", env->where));
    for (const auto& [name, value] : env->value.items()) {
      if (auto ok = check_env_name(name, env->where); !ok) return fail(ok.error());
      if (!value.is_string())
        return fail(Error::config("setting 'env': the value of " + name + " must be a string", env->where));
      o.env[name] = value.get<std::string>();
    }
  }
  if (o.plan_key.empty() && !o.plan_dir.empty())
    return fail(Error::config("setting 'plan_dir' needs 'plan_key': a saved plan is always sealed",
                              settings.find("plan_dir")->where));
  return o;
}

}  // namespace converge::providers::terraform
