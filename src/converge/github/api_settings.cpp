// SPDX-License-Identifier: MIT
// The repository settings API converge init --apply-settings uses: environments,
// their deployment branch policies and branch protection. Answers are returned as
// GitHub's JSON; the caller reads what it needs (steps/repo_settings.cpp).
#include "converge/github/api.hpp"

namespace converge::github {

using nlohmann::json;

namespace {

Expected<json> object_of(const http::Response& response, const std::string& label) {
  json body = json::parse(response.body, nullptr, false);
  if (!body.is_object()) return fail(Error::runtime(label + ": the response is not a JSON object"));
  return body;
}

std::string message_of(const http::Response& response) {
  json body = json::parse(response.body, nullptr, false);
  return body.is_object() && body.contains("message") && body["message"].is_string() ? body["message"].get<std::string>()
                                                                                     : "";
}

}  // namespace

Expected<std::optional<json>> Api::environment(const std::string& name) {
  const auto path = "/repos/" + repository_ + "/environments/" + http::percent_encode(name);
  auto response = call("GET", path, nullptr, /*missing_ok=*/true);
  if (!response) return fail(response.error());
  if (response->status == 404) return std::optional<json>();
  auto body = object_of(*response, "GET " + path);
  if (!body) return fail(body.error());
  return std::optional<json>(std::move(*body));
}

Expected<json> Api::put_environment(const std::string& name, const json& body) {
  const auto path = "/repos/" + repository_ + "/environments/" + http::percent_encode(name);
  auto response = call("PUT", path, &body);
  if (!response) return fail(response.error());
  return object_of(*response, "PUT " + path);
}

Expected<std::vector<std::string>> Api::deployment_branch_policies(const std::string& environment) {
  const auto path = "/repos/" + repository_ + "/environments/" + http::percent_encode(environment) +
                    "/deployment-branch-policies?per_page=100";
  auto response = call("GET", path, nullptr);
  if (!response) return fail(response.error());
  auto body = object_of(*response, "GET " + path.substr(0, path.find('?')));
  if (!body) return fail(body.error());
  std::vector<std::string> names;
  auto list = body->find("branch_policies");
  if (list == body->end() || !list->is_array())
    return fail(Error::runtime("GET " + path.substr(0, path.find('?')) + ": branch_policies: expected an array"));
  for (const auto& p : *list) {
    if (!p.is_object() || !p.contains("name") || !p["name"].is_string()) continue;
    if (p.contains("type") && p["type"] != "branch") continue;
    names.push_back(p["name"].get<std::string>());
  }
  return names;
}

Expected<void> Api::add_deployment_branch_policy(const std::string& environment, const std::string& pattern) {
  const auto path =
      "/repos/" + repository_ + "/environments/" + http::percent_encode(environment) + "/deployment-branch-policies";
  const json body = {{"name", pattern}, {"type", "branch"}};
  auto response = call("POST", path, &body, false, /*also_ok=*/303);  // 303: the pattern exists already
  if (!response) return fail(response.error());
  return {};
}

Expected<std::optional<json>> Api::branch_protection(const std::string& branch) {
  const auto path = "/repos/" + repository_ + "/branches/" + http::percent_encode(branch) + "/protection";
  auto response = call("GET", path, nullptr, /*missing_ok=*/true);
  if (!response) return fail(response.error());
  if (response->status == 404) {
    const auto message = message_of(*response);
    if (message == "Branch not protected") return std::optional<json>();
    return fail(Error::runtime("GET " + path + ": 404 " + (message.empty() ? "Not Found" : message)));
  }
  auto body = object_of(*response, "GET " + path);
  if (!body) return fail(body.error());
  return std::optional<json>(std::move(*body));
}

Expected<void> Api::put_branch_protection(const std::string& branch, const json& body) {
  const auto path = "/repos/" + repository_ + "/branches/" + http::percent_encode(branch) + "/protection";
  auto response = call("PUT", path, &body);
  if (!response) return fail(response.error());
  return {};
}

}  // namespace converge::github
