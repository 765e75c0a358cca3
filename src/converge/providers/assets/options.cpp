// Parsing of the `assets` provider's settings (see options.hpp).
#include "converge/providers/assets/options.hpp"

#include <algorithm>

namespace converge::providers::assets {
namespace {

using nlohmann::json;

const std::vector<std::string> kDefaultOrder = {"databases", "datasets", "charts", "dashboards"};
const std::set<std::string> kDefaultIgnore = {"id", "created_on", "changed_on", "created_by", "changed_by", "owners"};

// Superset's export model: what each kind refers to.
std::vector<Reference> default_references(std::string_view kind) {
  if (kind == "datasets") return {{"database_uuid", {"database_uuid"}, "databases", json::object()}};
  if (kind == "charts") return {{"dataset_uuid", {"dataset_uuid"}, "datasets", json::object()}};
  if (kind == "dashboards")
    return {{"position.*.meta.uuid", {"position", "*", "meta", "uuid"}, "charts", json{{"type", "CHART"}}}};
  return {};
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto at = text.find(sep, start);
    out.push_back(text.substr(start, at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

Expected<std::set<std::string>> string_set(const json& value, const std::string& what, const SourceLocation& where) {
  if (!value.is_array()) return fail(Error::config(what + " must be a list of strings", where));
  std::set<std::string> out;
  for (const auto& v : value) {
    if (!v.is_string()) return fail(Error::config(what + " must be a list of strings", where));
    out.insert(v.get<std::string>());
  }
  return out;
}

Expected<KindSpec> parse_kind(const std::string& name, const json& value, const SourceLocation& where,
                              bool* references_configured) {
  KindSpec kind{.name = name, .path = "/" + name, .id_field = "uuid", .ignore = kDefaultIgnore,
                .references = {}};
  *references_configured = false;
  if (value.is_null()) return kind;
  std::string what = "setting 'kinds." + name + "'";
  if (!value.is_object()) return fail(Error::config(what + " must be a mapping", where));
  for (const auto& [key, v] : value.items()) {
    if (key == "path" || key == "id_field") {
      if (!v.is_string() || v.get<std::string>().empty())
        return fail(Error::config(what + "." + key + " must be a non-empty string", where));
      (key == "path" ? kind.path : kind.id_field) = v.get<std::string>();
    } else if (key == "ignore") {
      auto ignore = string_set(v, what + ".ignore", where);
      if (!ignore) return fail(ignore.error());
      kind.ignore = std::move(*ignore);
    } else if (key == "references") {
      if (!v.is_array()) return fail(Error::config(what + ".references must be a list", where));
      *references_configured = true;
      for (const auto& r : v) {
        if (!r.is_object() || !r.contains("field") || !r.contains("kind") || !r["field"].is_string() ||
            !r["kind"].is_string())
          return fail(Error::config(what + ".references entries need a string 'field' and 'kind'", where));
        for (const auto& [rk, rv] : r.items())
          if (rk != "field" && rk != "kind" && rk != "where")
            return fail(Error::config(what + ".references: unknown key '" + rk + "'", where));
        Reference ref{r["field"], split(r["field"], '.'), r["kind"], r.value("where", json::object())};
        if (!ref.where.is_object()) return fail(Error::config(what + ".references: 'where' must be a mapping", where));
        kind.references.push_back(std::move(ref));
      }
    } else {
      return fail(Error::config(what + ": unknown key '" + key + "' (path, id_field, ignore, references)", where));
    }
  }
  if (!kind.path.starts_with("/")) kind.path = "/" + kind.path;
  kind.ignore.erase(kind.id_field);  // the id is how items are matched: never ignored
  return kind;
}

// The Superset and Preset settings (options.hpp, SupersetOptions).
Expected<void> parse_superset(const config::Settings& s, Options& o) {
  SupersetOptions& out = o.superset;
  const bool preset = o.runtime == Runtime::preset;
  auto text = [&](std::string_view key, std::string& into) -> Expected<void> {
    auto value = s.string_or(key, into);
    if (!value) return fail(value.error());
    into = *value;
    return {};
  };
  for (auto [key, into] : {std::pair<std::string_view, std::string*>{"username", &out.username},
                           {"password", &out.password}, {"login_provider", &out.login_provider},
                           {"api_token", &out.api_token}, {"api_secret", &out.api_secret},
                           {"api_url", &out.api_url}, {"external_url", &out.external_url}})
    if (auto ok = text(key, *into); !ok) return fail(ok.error());
  while (out.api_url.ends_with('/')) out.api_url.pop_back();
  // The credentials of the other runtime are a mistake worth naming, not silently unused.
  const std::vector<std::string_view> other = preset ? std::vector<std::string_view>{"username", "password", "login_provider"}
                                                     : std::vector<std::string_view>{"api_token", "api_secret", "api_url"};
  for (std::string_view key : other)
    if (const auto* found = s.find(key))
      return fail(Error::config("setting '" + std::string(key) + "' is for runtime " +
                                (preset ? "superset" : "preset") + ", not this one", found->where));
  const std::vector<std::pair<std::string_view, const std::string*>> required =
      preset ? std::vector<std::pair<std::string_view, const std::string*>>{{"api_token", &out.api_token},
                                                                             {"api_secret", &out.api_secret}}
             : std::vector<std::pair<std::string_view, const std::string*>>{{"username", &out.username},
                                                                             {"password", &out.password}};
  for (const auto& [key, value] : required) {
    if (!value->empty() || s.unresolved(key)) continue;
    bool secret = key == "password" || key == "api_secret";
    return fail(Error::config("runtime " + std::string(preset ? "preset" : "superset") + " needs setting '" +
                                  std::string(key) + "'" + (secret ? " (as ${NAME}: it is a secret)" : ""),
                              s.where()));
  }
  if (out.login_provider != "db" && out.login_provider != "ldap")
    return fail(Error::config("setting 'login_provider' must be db or ldap", s.find("login_provider")->where));
  if (preset && !s.unresolved("api_url") && !out.api_url.starts_with("https://") && !out.api_url.starts_with("http://"))
    return fail(Error::config("setting 'api_url' must be an http:// or https:// URL", s.find("api_url")->where));
  auto csrf = s.boolean_or("csrf", !preset);
  if (!csrf) return fail(csrf.error());
  out.csrf = *csrf;
  auto managed = s.boolean_or("managed_externally", false);
  if (!managed) return fail(managed.error());
  out.managed_externally = *managed;
  if (out.managed_externally && out.external_url.find("{file}") == std::string::npos)
    return fail(Error::config("setting 'managed_externally' needs 'external_url', a URL with {file} where the "
                              "asset's file path goes (e.g. https://github.com/acme/bi/blob/main/{file})",
                              s.find("managed_externally")->where));
  if (const auto* passwords = s.find("passwords")) {
    if (!passwords->value.is_object())
      return fail(Error::config("setting 'passwords' must be a mapping of database_name → password (as ${NAME})",
                                passwords->where));
    for (const auto& [name, value] : passwords->value.items()) {
      if (!value.is_string() || value.get<std::string>().empty())
        return fail(Error::config("setting 'passwords." + name + "' must be a non-empty string", passwords->where));
      out.passwords[name] = value.get<std::string>();
    }
  }
  return {};
}

}  // namespace

const KindSpec* Options::kind(std::string_view name) const {
  auto it = std::find_if(kinds.begin(), kinds.end(), [&](const KindSpec& k) { return k.name == name; });
  return it == kinds.end() ? nullptr : &*it;
}

Expected<Options> parse_options(const TargetSpec& spec) {
  const auto& s = spec.settings;
  Options o;
  auto runtime = s.string_or("runtime", "rest");
  if (!runtime) return fail(runtime.error());
  if (*runtime == "superset" || *runtime == "preset") {
    o.runtime = *runtime == "superset" ? Runtime::superset : Runtime::preset;
    if (auto ok = s.allow_only({"runtime", "url", "sources", "vars", "prune", "secrets", "page_size", "username",
                                "password", "login_provider", "api_token", "api_secret", "api_url", "csrf",
                                "passwords", "managed_externally", "external_url"});
        !ok)
      return fail(ok.error().with_context("runtime " + *runtime + " (the item API settings kinds, order, "
                                          "update_method, auth_header and paging are the generic runtime's)"));
    if (auto ok = parse_superset(s, o); !ok) return fail(ok.error());
  } else if (*runtime == "rest") {
    if (auto ok = s.allow_only({"runtime", "url", "sources", "vars", "kinds", "order", "prune", "update_method",
                                "auth_header", "secrets", "paging", "page_size"});
        !ok)
      return fail(ok.error());
  } else {
    return fail(Error::config("setting 'runtime' must be rest, superset or preset", s.find("runtime")->where));
  }
  auto url = s.string("url");
  if (!url) return fail(url.error());
  // An unresolved url (compile, its variable unset) is never requested: not checked.
  if (!s.unresolved("url") && !url->starts_with("http://") && !url->starts_with("https://"))
    return fail(Error::config("setting 'url' must be an http:// or https:// URL", s.find("url")->where));
  o.url = *url;
  while (o.url.ends_with('/')) o.url.pop_back();

  auto sources = s.string_or("sources", "assets");
  if (!sources) return fail(sources.error());
  o.sources = *sources;
  o.vars_explicit = s.find("vars") != nullptr;
  auto vars = s.string_or("vars", "env/" + spec.environment + ".yaml");
  if (!vars) return fail(vars.error());
  o.vars = *vars;
  auto prune = s.boolean_or("prune", false);
  if (!prune) return fail(prune.error());
  o.prune = *prune;
  auto method = s.string_or("update_method", "PUT");
  if (!method) return fail(method.error());
  if (*method != "PUT" && *method != "PATCH")
    return fail(Error::config("setting 'update_method' must be PUT or PATCH", s.find("update_method")->where));
  o.update_method = *method;
  auto auth = s.string_or("auth_header", "");
  if (!auth) return fail(auth.error());
  o.auth_header = *auth;
  auto paging = s.string_or("paging", "json-server");
  if (!paging) return fail(paging.error());
  if (*paging != "json-server" && *paging != "none")
    return fail(Error::config("setting 'paging' must be json-server or none", s.find("paging")->where));
  o.paging = *paging;
  auto page_size = s.integer_or("page_size", 100);
  if (!page_size) return fail(page_size.error());
  if (*page_size < 1 || *page_size > 10000)
    return fail(Error::config("setting 'page_size' must be between 1 and 10000", s.find("page_size")->where));
  o.page_size = static_cast<int>(*page_size);
  if (const auto* secrets = s.find("secrets")) {
    auto names = string_set(secrets->value, "setting 'secrets'", secrets->where);
    if (!names) return fail(names.error());
    o.secrets = std::move(*names);
  }

  std::vector<KindSpec> kinds;
  std::set<std::string> references_configured;
  if (const auto* configured = s.find("kinds")) {
    if (!configured->value.is_object() || configured->value.empty())
      return fail(Error::config("setting 'kinds' must be a mapping of kind → {path, id_field, ignore, references}",
                                configured->where));
    for (const auto& [name, value] : configured->value.items()) {
      bool references = false;
      auto kind = parse_kind(name, value, configured->where, &references);
      if (!kind) return fail(kind.error());
      if (references) references_configured.insert(name);
      kinds.push_back(std::move(*kind));
    }
  } else {
    bool unused = false;
    for (const auto& name : kDefaultOrder) kinds.push_back(*parse_kind(name, nullptr, s.where(), &unused));
  }
  auto find = [&](const std::string& name) {
    return std::find_if(kinds.begin(), kinds.end(), [&](const KindSpec& k) { return k.name == name; });
  };

  // Apply order: `order` (default: the Superset order), then the other kinds by name.
  std::vector<std::string> order;
  if (const auto* configured = s.find("order")) {
    auto names = string_set(configured->value, "setting 'order'", configured->where);
    if (!names) return fail(names.error());
    for (const auto& name : configured->value) {
      if (find(name) == kinds.end())
        return fail(Error::config("setting 'order' names kind '" + name.get<std::string>() +
                                  "', which is not in 'kinds'", configured->where));
      order.push_back(name);
    }
  } else {
    for (const auto& name : kDefaultOrder)
      if (find(name) != kinds.end()) order.push_back(name);
  }
  std::sort(kinds.begin(), kinds.end(), [](const KindSpec& a, const KindSpec& b) { return a.name < b.name; });
  for (const auto& name : order) o.kinds.push_back(*find(name));
  for (const auto& kind : kinds)
    if (std::find(order.begin(), order.end(), kind.name) == order.end()) o.kinds.push_back(kind);

  // Kinds without configured references get Superset's, where the kind they name
  // is configured; a configured reference to an unknown kind is an error.
  const auto* configured_kinds = s.find("kinds");
  for (auto& kind : o.kinds) {
    if (!references_configured.contains(kind.name)) {
      for (auto& r : default_references(kind.name))
        if (o.kind(r.kind)) kind.references.push_back(std::move(r));
    }
    for (const auto& r : kind.references)
      if (!o.kind(r.kind))
        return fail(Error::config("setting 'kinds." + kind.name + ".references' names kind '" + r.kind +
                                  "', which is not in 'kinds'", configured_kinds ? configured_kinds->where : s.where()));
  }
  return o;
}

}  // namespace converge::providers::assets
