// Parsing of the fabric provider's settings (options.hpp).
#include "converge/providers/fabric/options.hpp"

#include <regex>

#include "converge/util/branch_slug.hpp"

namespace converge::providers::fabric {
namespace {

bool is_guid(const std::string& text) {
  static const std::regex guid("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  return std::regex_match(text, guid);
}

// An http(s) URL without a trailing '/', a query or a fragment.
Expected<std::string> base_url(const config::Settings& s, const char* key, std::string fallback) {
  auto url = s.string_or(key, fallback);
  if (!url) return fail(url.error());
  std::string u = *url;
  while (u.ends_with('/')) u.pop_back();
  if (!(u.starts_with("https://") || u.starts_with("http://")) || u.find_first_of("?# ") != std::string::npos)
    return fail(Error::config(std::string("setting '") + key + "' must be an http(s) URL without a query",
                              s.find(key)->where));
  return u;
}

// `feature_workspace: {name, capacity_id, description?, git?: {…}}`.
Expected<FeatureWorkspace> read_feature(const config::Setting& setting, const std::string& branch) {
  const auto& where = setting.where;
  auto bad = [&](const std::string& what) {
    return fail(Error::config("setting 'feature_workspace': " + what, where));
  };
  const auto& v = setting.value;
  if (!v.is_object()) return bad("must be a map {name, capacity_id, description?, git?}");
  auto text = [&](const nlohmann::json& object, const char* key, std::string& out,
                  const std::string& context) -> Expected<void> {
    if (!object.contains(key)) return {};
    if (!object[key].is_string()) return bad(context + key + " must be a string");
    out = object[key].get<std::string>();
    return {};
  };
  FeatureWorkspace f;
  for (const auto& [key, value] : v.items())
    if (key != "name" && key != "capacity_id" && key != "description" && key != "git")
      return bad("unknown key '" + key + "' (known: name, capacity_id, description, git)");
  for (auto [key, field] : {std::pair{"name", &f.name_pattern}, {"capacity_id", &f.capacity_id},
                            {"description", &f.description}})
    if (auto ok = text(v, key, *field, ""); !ok) return fail(ok.error());
  if (f.name_pattern.find("{branch_slug}") == std::string::npos)
    return bad("'name' must hold {branch_slug}, so that each branch gets its own workspace");
  for (std::size_t at = f.name_pattern.find('{'); at != std::string::npos; at = f.name_pattern.find('{', at + 1))
    if (f.name_pattern.compare(at, 13, "{branch_slug}") != 0 && f.name_pattern.compare(at, 8, "{branch}") != 0)
      return bad("'name' may hold only the placeholders {branch_slug} and {branch}");
  if (!is_guid(f.capacity_id)) return bad("'capacity_id' must be the capacity's id (a GUID)");
  if (f.description.size() > 4000) return bad("'description' is longer than Fabric's 4,000 characters");
  if (v.contains("git")) {
    const auto& g = v["git"];
    if (!g.is_object()) return bad("'git' must be a map");
    for (const auto& [key, value] : g.items())
      if (key != "provider" && key != "owner" && key != "organization" && key != "project" && key != "repository" &&
          key != "directory" && key != "connection_id")
        return bad("unknown key 'git." + key +
                   "' (known: provider, owner, organization, project, repository, directory, connection_id)");
    for (auto [key, field] : {std::pair{"provider", &f.git_provider}, {"owner", &f.owner},
                              {"organization", &f.organization}, {"project", &f.project},
                              {"repository", &f.repository}, {"directory", &f.directory},
                              {"connection_id", &f.connection_id}})
      if (auto ok = text(g, key, *field, "git."); !ok) return fail(ok.error());
    if (f.git_provider != "GitHub" && f.git_provider != "AzureDevOps")
      return bad("'git.provider' must be GitHub or AzureDevOps");
    if (f.repository.empty() || f.repository.size() > 128) return bad("'git.repository' must be 1-128 characters");
    if (f.git_provider == "GitHub" && (f.owner.empty() || f.owner.size() > 100))
      return bad("'git.owner' (the repository's owner, 1-100 characters) is required for GitHub");
    if (f.git_provider == "AzureDevOps" &&
        (f.organization.empty() || f.project.empty() || f.organization.size() > 100 || f.project.size() > 100))
      return bad("'git.organization' and 'git.project' (1-100 characters each) are required for AzureDevOps");
    if (f.git_provider == "GitHub" && !is_guid(f.connection_id))
      return bad("'git.connection_id' (the id of the Fabric connection holding the GitHub credentials) is "
                 "required for GitHub");
    if (!f.connection_id.empty() && !is_guid(f.connection_id)) return bad("'git.connection_id' must be a GUID");
    if (branch.size() > 250) return bad("the branch is longer than the 250 characters Fabric's Git integration takes");
  }
  return f;
}

}  // namespace

std::string feature_workspace_name(const std::string& pattern, const std::string& branch) {
  // What Fabric's names hold well: no control characters, no quotes or separators.
  constexpr std::string_view kUnsafe = "\"'/\\<>|?*:%&#";
  std::string safe;
  for (char c : branch)
    safe += static_cast<unsigned char>(c) < 0x20 || kUnsafe.find(c) != std::string_view::npos ? '-' : c;
  std::string out;
  for (std::size_t i = 0; i < pattern.size();) {
    if (pattern.compare(i, 13, "{branch_slug}") == 0) {
      out += util::branch_slug(branch);
      i += 13;
    } else if (pattern.compare(i, 8, "{branch}") == 0) {
      out += safe;
      i += 8;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

bool holds_data(const std::string& type) {
  static const std::set<std::string> types = {"Lakehouse", "Warehouse", "SQLDatabase", "Eventhouse", "KQLDatabase",
                                              "MirroredDatabase"};
  return types.contains(type);
}

Expected<Options> read_options(const config::Settings& s, const std::string& environment, const std::string& branch) {
  if (auto ok = s.allow_only({"workspace_id", "workspace", "api_url", "authority", "scope", "auth", "tenant_id",
                              "client_id", "client_secret", "token", "sources", "parameters", "parameter_environment",
                              "item_types", "prune", "delete_data", "stamp", "promote_via",
                              "deployment_pipeline", "source_stage", "target_stage", "feature_workspace"});
      !ok)
    return fail(ok.error());
  Options o;
  for (auto [key, field] : {std::pair{"workspace_id", &o.workspace_id}, {"workspace", &o.workspace_name},
                            {"tenant_id", &o.tenant_id}, {"client_id", &o.client_id},
                            {"client_secret", &o.client_secret}, {"token", &o.token}, {"parameters", &o.parameters},
                            {"parameter_environment", &o.parameter_environment}}) {
    auto value = s.string_or(key, "");
    if (!value) return fail(value.error());
    *field = *value;
  }
  auto sources = s.string_or("sources", o.sources);
  if (!sources) return fail(sources.error());
  o.sources = *sources;
  if (o.parameter_environment.empty()) o.parameter_environment = environment;

  if (const auto* feature = s.find("feature_workspace")) {
    if (branch.empty())
      return fail(Error::config("setting 'feature_workspace' is for a feature environment (`feature: true`), one "
                                "workspace per branch; environment " + environment + " is not one",
                                feature->where));
    if (!o.workspace_id.empty() || !o.workspace_name.empty())
      return fail(Error::config("a feature workspace is named by 'feature_workspace', not by 'workspace_id' or "
                                "'workspace'",
                                feature->where));
    auto f = read_feature(*feature, branch);
    if (!f) return fail(f.error());
    if (f->directory.empty()) f->directory = "/" + o.sources;
    o.workspace_name = feature_workspace_name(f->name_pattern, branch);
    if (o.workspace_name.size() > 256 || o.workspace_name == "Admin monitoring")
      return fail(Error::config("setting 'feature_workspace': the name '" + o.workspace_name + "' for branch " +
                                    branch + " is not one Fabric takes (at most 256 characters, not \"Admin monitoring\")",
                                feature->where));
    o.feature = std::move(*f);
    o.branch = branch;
  } else if (o.workspace_id.empty() == o.workspace_name.empty() && !s.unresolved("workspace_id"))
    return fail(Error::config("a fabric target needs exactly one of 'workspace_id' and 'workspace' (its name)",
                              s.where()));
  if (!o.workspace_id.empty() && !s.unresolved("workspace_id") && !is_guid(o.workspace_id))
    return fail(Error::config("setting 'workspace_id' must be the workspace's id (a GUID)",
                              s.find("workspace_id")->where));

  for (auto [key, field, fallback] :
       {std::tuple{"api_url", &o.api_url, o.api_url}, {"authority", &o.authority, o.authority}}) {
    auto url = base_url(s, key, fallback);
    if (!url) return fail(url.error());
    *field = *url;
  }
  auto scope = s.string_or("scope", o.scope);
  if (!scope) return fail(scope.error());
  o.scope = *scope;

  auto auth = s.string_or("auth", o.token.empty() ? "client_secret" : "token");
  if (!auth) return fail(auth.error());
  if (*auth == "client_secret") o.auth = Auth::client_secret;
  else if (*auth == "github_oidc") o.auth = Auth::github_oidc;
  else if (*auth == "token") o.auth = Auth::token;
  else
    return fail(Error::config("setting 'auth' must be client_secret, github_oidc or token", s.find("auth")->where));
  const auto needs = [&](const char* key, const std::string& value) -> Expected<void> {
    if (!value.empty() || s.unresolved(key)) return {};
    return fail(Error::config(std::string("auth '") + *auth + "' needs the setting '" + key + "'", s.where()));
  };
  if (o.auth == Auth::token) {
    if (auto ok = needs("token", o.token); !ok) return fail(ok.error());
  } else {
    for (auto [key, value] : {std::pair{"tenant_id", &o.tenant_id}, {"client_id", &o.client_id}})
      if (auto ok = needs(key, *value); !ok) return fail(ok.error());
    if (o.auth == Auth::client_secret)
      if (auto ok = needs("client_secret", o.client_secret); !ok) return fail(ok.error());
  }

  for (auto [key, field] : {std::pair{"item_types", &o.item_types}, {"delete_data", &o.delete_data}}) {
    auto list = s.strings_or(key, {});
    if (!list) return fail(list.error());
    field->insert(list->begin(), list->end());
  }
  for (const auto& type : o.delete_data)
    if (!holds_data(type))
      return fail(Error::config("setting 'delete_data': '" + type + "' is not a type that holds data (" +
                                    "Lakehouse, Warehouse, SQLDatabase, Eventhouse, KQLDatabase, MirroredDatabase); " +
                                    "other types are deleted as any item",
                                s.find("delete_data")->where));
  auto prune = s.boolean_or("prune", false);
  if (!prune) return fail(prune.error());
  o.prune = *prune;
  auto stamp = s.boolean_or("stamp", true);
  if (!stamp) return fail(stamp.error());
  o.stamp = *stamp;

  auto via = s.string_or("promote_via", "git");
  if (!via) return fail(via.error());
  if (*via == "deployment-pipeline") o.promote_via_pipeline = true;
  else if (*via != "git")
    return fail(
        Error::config("setting 'promote_via' must be git or deployment-pipeline", s.find("promote_via")->where));
  for (auto [key, field] : {std::pair{"deployment_pipeline", &o.deployment_pipeline},
                            {"source_stage", &o.source_stage}, {"target_stage", &o.target_stage}}) {
    auto value = s.string_or(key, "");
    if (!value) return fail(value.error());
    *field = *value;
    if (s.unresolved(key)) continue;
    if (field->empty()) {
      if (o.promote_via_pipeline)
        return fail(Error::config(std::string("promote_via: deployment-pipeline needs the setting '") + key +
                                      "' (an id)",
                                  s.where()));
      continue;
    }
    if (!o.promote_via_pipeline)
      return fail(Error::config(std::string("setting '") + key + "' is used only with promote_via: deployment-pipeline",
                                s.find(key)->where));
    if (!is_guid(*field))
      return fail(Error::config(std::string("setting '") + key + "' must be an id (a GUID)", s.find(key)->where));
  }
  if (o.promote_via_pipeline && !o.source_stage.empty() && o.source_stage == o.target_stage)
    return fail(Error::config("settings 'source_stage' and 'target_stage' name the same stage",
                              s.find("target_stage")->where));
  return o;
}

}  // namespace converge::providers::fabric
