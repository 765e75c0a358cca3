// Filling the run context from the process environment, once.
#include "converge/github/context.hpp"

#include <cctype>
#include <fstream>

namespace converge::github {

std::optional<std::string> RunContext::variable(std::string_view name) const {
  auto it = variables.find(name);
  if (it == variables.end()) return std::nullopt;
  return it->second;
}

std::string RunContext::run_url() const {
  if (server_url.empty() || repository.empty() || run_id.empty()) return {};
  std::string url = server_url + "/" + repository + "/actions/runs/" + run_id;
  if (!run_attempt.empty()) url += "/attempts/" + run_attempt;
  return url;
}

RunContext RunContext::from_environment(char** envp) {
  RunContext ctx;
  for (char** e = envp; e && *e; ++e) {
    std::string_view kv = *e;
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    ctx.variables.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  auto get = [&](std::string_view name) { return ctx.variable(name).value_or(""); };
  ctx.in_actions = get("GITHUB_ACTIONS") == "true";
  ctx.repository = get("GITHUB_REPOSITORY");
  ctx.sha = get("GITHUB_SHA");
  ctx.ref = get("GITHUB_REF");
  ctx.ref_name = get("GITHUB_REF_NAME");
  ctx.event_name = get("GITHUB_EVENT_NAME");
  ctx.event_path = get("GITHUB_EVENT_PATH");
  ctx.run_id = get("GITHUB_RUN_ID");
  ctx.run_attempt = get("GITHUB_RUN_ATTEMPT");
  ctx.actor = get("GITHUB_ACTOR");
  if (ctx.actor.empty()) ctx.actor = get("USER");
  if (ctx.actor.empty()) ctx.actor = get("LOGNAME");
  ctx.server_url = get("GITHUB_SERVER_URL");
  ctx.api_url = get("GITHUB_API_URL");
  ctx.workspace = get("GITHUB_WORKSPACE");
  ctx.output_file = get("GITHUB_OUTPUT");
  ctx.summary_file = get("GITHUB_STEP_SUMMARY");
  ctx.debug = get("RUNNER_DEBUG") == "1" || get("CONVERGE_DEBUG") == "1";
  ctx.token = get("INPUT_TOKEN");
  if (ctx.token.empty()) ctx.token = get("GITHUB_TOKEN");
  for (const auto& [name, value] : ctx.variables) {
    if (!name.starts_with("INPUT_") || name.size() == 6) continue;
    std::string input = name.substr(6);
    for (auto& c : input) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ctx.inputs[input] = value;
  }
  // An empty value (an unset action input arrives as "") keeps the default.
  for (std::string login : {get("CONVERGE_GITHUB_LOGIN"), get("INPUT_GITHUB-LOGIN")}) {
    while (!login.empty() && std::isspace(static_cast<unsigned char>(login.back()))) login.pop_back();
    while (!login.empty() && std::isspace(static_cast<unsigned char>(login.front()))) login.erase(0, 1);
    if (login.empty()) continue;
    ctx.github_login = login;
    break;
  }
  if (!ctx.event_path.empty()) {
    std::ifstream in(ctx.event_path);
    if (!in) {
      ctx.event_error = "cannot read the event payload " + ctx.event_path;
    } else {
      try {
        ctx.event = nlohmann::json::parse(in);
      } catch (const nlohmann::json::exception& e) {
        ctx.event_error = "the event payload " + ctx.event_path + " is not valid JSON: " + e.what();
      }
    }
  }
  return ctx;
}

}  // namespace converge::github
