// The repository settings of converge init --apply-settings (see repo_settings.hpp).
#include "converge/steps/repo_settings.hpp"

#include <algorithm>

#include "converge/github/plan_record.hpp"
#include "converge/steps/github_link.hpp"

namespace converge::steps {
namespace {

using nlohmann::json;

using config::has_wildcard;

// A 403 says why in one line: the token is not a repository admin's.
Error explained(const Error& e) {
  if (e.message.find(": 403") == std::string::npos && e.message.find(": 404") == std::string::npos) return e;
  return Error::runtime(e.message + " — --apply-settings needs a token (GITHUB_TOKEN) of a repository admin "
                                    "(classic: repo scope; fine-grained: Administration write); GITHUB_TOKEN of "
                                    "Actions never has it");
}

const json& at(const json& j, const char* key) {
  static const json null_value;
  if (!j.is_object()) return null_value;
  auto it = j.find(key);
  return it == j.end() ? null_value : *it;
}

bool flag(const json& j, const char* key) { return at(j, key).is_boolean() && at(j, key).get<bool>(); }

// The reviewers of an environment as PUT takes them back ({type, id}), its wait
// timer and prevent_self_review: what an update must carry so it keeps them.
json kept_protection(const json& environment) {
  json out = {{"reviewers", json::array()}};
  for (const auto& rule : at(environment, "protection_rules")) {
    if (at(rule, "type") == "wait_timer" && at(rule, "wait_timer").is_number_integer())
      out["wait_timer"] = at(rule, "wait_timer");
    if (at(rule, "type") != "required_reviewers") continue;
    out["prevent_self_review"] = flag(rule, "prevent_self_review");
    for (const auto& r : at(rule, "reviewers"))
      if (at(at(r, "reviewer"), "id").is_number_integer())
        out["reviewers"].push_back({{"type", at(r, "type")}, {"id", at(at(r, "reviewer"), "id")}});
  }
  return out;
}

Expected<void> environment_settings(github::Api& api, const config::Environment& env, bool dry_run,
                                    std::vector<SettingsChange>& changes, std::vector<std::string>& notes) {
  auto current = api.environment(env.name);
  if (!current) return fail(current.error());
  const std::string who = "environment " + env.name;
  const json& policy = *current ? at(**current, "deployment_branch_policy") : json();
  const bool custom = flag(policy, "custom_branch_policies");
  if (!*current || !custom) {
    json body = *current ? kept_protection(**current) : json{{"reviewers", json::array()}};
    body["deployment_branch_policy"] = {{"protected_branches", false}, {"custom_branch_policies", true}};
    changes.push_back({who + (*current ? ": deployment branches limited to a custom policy" : ": created, "
                                                                                           "deployment branches limited to a custom policy")});
    if (!dry_run) {
      auto put = api.put_environment(env.name, body);
      if (!put) return fail(put.error());
      *current = *put;
    }
  }
  std::vector<std::string> patterns;
  if (*current && custom) {
    auto listed = api.deployment_branch_policies(env.name);
    if (!listed) return fail(listed.error());
    patterns = *listed;
  }
  if (std::find(patterns.begin(), patterns.end(), env.branch) == patterns.end()) {
    changes.push_back({who + ": deployment branch " + env.branch + " allowed"});
    if (!dry_run)
      if (auto added = api.add_deployment_branch_policy(env.name, env.branch); !added) return fail(added.error());
  }
  const bool reviewers = *current && !kept_protection(**current)["reviewers"].empty();
  if (env.gates.approvals > 0 && !reviewers)
    notes.push_back(who + " has no required reviewers: add the people who approve " + env.name +
                    " deployments (Settings → Environments → " + env.name + "), with \"Prevent self-review\"");

  const std::string plan_env = env.name + "-plan";
  auto plan = api.environment(plan_env);
  if (!plan) return fail(plan.error());
  if (!*plan) {
    changes.push_back({"environment " + plan_env + ": created (read-only secrets for plans go here)"});
    if (!dry_run)
      if (auto put = api.put_environment(plan_env, json::object()); !put) return fail(put.error());
  }
  return {};
}

// The protection `current` (GitHub's GET shape, or null) should become, as the PUT
// body; `what` gets one phrase per setting that changes.
json protection_body(const json& current, const config::Environment& env, std::vector<std::string>& what) {
  const std::string context = github::plan_status_context(env.name);
  const json& checks = at(current, "required_status_checks");
  std::vector<std::string> contexts;
  for (const auto& c : at(checks, "contexts"))
    if (c.is_string()) contexts.push_back(c.get<std::string>());
  if (std::find(contexts.begin(), contexts.end(), context) == contexts.end()) {
    contexts.push_back(context);
    what.push_back("required check " + context);
  }
  if (!flag(checks, "strict")) what.push_back("branches up to date before merging");
  const json& reviews = at(current, "required_pull_request_reviews");
  const int had = at(reviews, "required_approving_review_count").is_number_integer()
                      ? at(reviews, "required_approving_review_count").get<int>()
                      : -1;
  const int count = std::max(had, env.gates.approvals);
  if (had < 0) what.push_back("a pull request with " + std::to_string(count) + " approval(s)");
  else if (count != had) what.push_back(std::to_string(count) + " approval(s)");
  if (!flag(reviews, "dismiss_stale_reviews")) what.push_back("stale approvals dismissed");
  if (!flag(reviews, "require_last_push_approval")) what.push_back("approval of the last push");
  if (!flag(at(current, "enforce_admins"), "enabled")) what.push_back("for administrators too");
  json body = {
      {"required_status_checks", {{"strict", true}, {"contexts", contexts}}},
      {"enforce_admins", true},
      {"required_pull_request_reviews",
       {{"dismiss_stale_reviews", true},
        {"require_code_owner_reviews", flag(reviews, "require_code_owner_reviews")},
        {"required_approving_review_count", count},
        {"require_last_push_approval", true}}},
      {"restrictions", nullptr}};
  // Keep who may push, when GitHub says so (users, teams and apps by login/slug).
  if (const json& r = at(current, "restrictions"); r.is_object()) {
    json kept = {{"users", json::array()}, {"teams", json::array()}, {"apps", json::array()}};
    for (const auto& u : at(r, "users")) kept["users"].push_back(at(u, "login"));
    for (const auto& t : at(r, "teams")) kept["teams"].push_back(at(t, "slug"));
    for (const auto& a : at(r, "apps")) kept["apps"].push_back(at(a, "slug"));
    body["restrictions"] = kept;
  }
  return body;
}

}  // namespace

Expected<std::vector<SettingsChange>> apply_repo_settings(github::Api& api, const config::Config& config, bool dry_run,
                                                         std::vector<std::string>& notes) {
  std::vector<SettingsChange> changes;
  for (const auto& env : config.environments)
    if (auto ok = environment_settings(api, env, dry_run, changes, notes); !ok) return fail(explained(ok.error()));
  for (const auto& env : config.environments) {
    if (has_wildcard(env.branch)) continue;  // pull requests go to plain branches (the starters' filter)
    auto current = api.branch_protection(env.branch);
    if (!current) return fail(explained(current.error()));
    std::vector<std::string> what;
    const json body = protection_body(*current ? **current : json(), env, what);
    if (what.empty()) continue;
    std::string line = "branch " + env.branch + ": protection (";
    for (size_t i = 0; i < what.size(); ++i) line += (i ? ", " : "") + what[i];
    changes.push_back({line + ")"});
    if (!dry_run)
      if (auto put = api.put_branch_protection(env.branch, body); !put) return fail(explained(put.error()));
  }
  return changes;
}

int apply_settings(const config::Config& config, const InitOptions& options, StepIo io) {
  auto ctx = io.ctx;
  if (!options.repository.empty()) ctx.repository = options.repository;
  if (auto ok = ctx.check(); !ok)  // the repository goes into API paths
    return report_error(Error::usage("--repository: " + ok.error().message), io);
  if (ctx.repository.empty())
    return report_error(Error::usage("--apply-settings: which repository? pass --repository OWNER/NAME "
                                     "(or set GITHUB_REPOSITORY)"), io);
  if (ctx.token.empty())
    return report_error(Error::usage("--apply-settings needs a token of a repository admin in GITHUB_TOKEN"), io);
  auto link = connect_github(ctx);
  std::vector<std::string> notes;
  auto changes = apply_repo_settings(*link->api, config, options.dry_run, notes);
  if (!changes) return report_error(changes.error(), io);
  const std::string verb = options.dry_run ? "would change" : "changed";
  if (changes->empty()) io.console.info("Repository settings of " + ctx.repository + ": all in place, nothing " + verb);
  for (const auto& c : *changes) io.console.info(verb + ": " + c.what);
  for (const auto& n : notes) io.console.warning(n);
  return 0;
}

}  // namespace converge::steps
