// Filling the run context from the process environment, once.
#include "converge/github/context.hpp"

#include <cctype>
#include <charconv>

#include "converge/util/ascii.hpp"

namespace converge::github {
namespace {

bool is_name(std::string_view s) {
  return !s.empty() && s != "." && s != ".." &&
         s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
             std::string_view::npos;
}

bool is_number(std::string_view s) {
  return !s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

Error bad(std::string_view variable, const std::string& value, std::string_view expected) {
  return Error::usage(std::string(variable) + ": expected " + std::string(expected) + ", got \"" + value + "\"");
}

}  // namespace

std::optional<std::string> RunContext::variable(std::string_view name) const {
  auto it = variables.find(name);
  if (it == variables.end()) return std::nullopt;
  return it->second;
}

std::optional<std::chrono::milliseconds> RunContext::milliseconds(std::string_view name) const {
  auto text = variable(name);
  long long ms = 0;
  if (!text || std::from_chars(text->data(), text->data() + text->size(), ms).ec != std::errc() || ms < 0)
    return std::nullopt;
  return std::chrono::milliseconds(ms);
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
    ctx.inputs[util::ascii_lower(std::string_view(name).substr(6))] = value;
  }
  // An empty value (an unset action input arrives as "") keeps the default.
  for (std::string login : {get("CONVERGE_GITHUB_LOGIN"), get("INPUT_GITHUB-LOGIN")}) {
    while (!login.empty() && std::isspace(static_cast<unsigned char>(login.back()))) login.pop_back();
    while (!login.empty() && std::isspace(static_cast<unsigned char>(login.front()))) login.erase(0, 1);
    if (login.empty()) continue;
    ctx.github_login = login;
    break;
  }
  return ctx;
}

Expected<void> RunContext::load_event() {
  if (event_path.empty()) return {};
  auto read = read_event(event_path);
  if (!read) return fail(read.error());
  event = std::move(*read);
  return {};
}

Expected<void> RunContext::check() const {
  if (!repository.empty()) {
    auto slash = repository.find('/');
    if (slash == std::string::npos || !is_name(std::string_view(repository).substr(0, slash)) ||
        !is_name(std::string_view(repository).substr(slash + 1)))
      return fail(bad("GITHUB_REPOSITORY", repository, "owner/name"));
  }
  if (!run_id.empty() && !is_number(run_id)) return fail(bad("GITHUB_RUN_ID", run_id, "a number"));
  if (!run_attempt.empty() && !is_number(run_attempt)) return fail(bad("GITHUB_RUN_ATTEMPT", run_attempt, "a number"));
  return {};
}

}  // namespace converge::github
