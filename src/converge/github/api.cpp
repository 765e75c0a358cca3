// SPDX-License-Identifier: MIT
// The GitHub REST client. Every request carries the bearer token (when there is
// one), `Accept: application/vnd.github+json`, `X-GitHub-Api-Version: 2022-11-28`
// and `User-Agent: converge/<version>`. Lists are read 100 per page, following the
// `Link: <…>; rel="next"` header until there is none (at most http::kMaxPages pages,
// never one page twice). Every field converge reads of an answer is type-checked: a
// wrong type is an Error (runtime) naming the request and the field. A final non-2xx response is an
// Error "<METHOD> <path>: <status> <GitHub's message> [(after N attempts)]"; labels
// carry the API path without the query string, and the token goes only into the
// Authorization header, so no error or log line can contain it.
#include "converge/github/api.hpp"

#include <algorithm>
#include <cctype>
#include <type_traits>

#include "converge/github/json_fields.hpp"
#include "converge/http/paging.hpp"
#include "converge/version.hpp"

namespace converge::github {
namespace {

using nlohmann::json;

// Lenient reads, for error bodies only (describe_status): an error is reported
// whatever shape its body has.
std::string str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& member(const json& j, const char* key) {
  static const json null_value;
  if (!j.is_object()) return null_value;
  auto it = j.find(key);
  return it == j.end() ? null_value : *it;
}

// The parsers of answers: every field converge uses is type-checked (json_fields.hpp);
// ids and numbers are required, fields GitHub documents as nullable read as "".
User parse_user(const JsonObject& j) {
  User u;
  if (!j.present()) return u;  // null: a deleted account, an unknown author
  u.login = j.string("login", Need::required);
  u.bot = j.string("type") == "Bot" || u.login.ends_with("[bot]");
  return u;
}

PullRequest parse_pull(const JsonObject& j) {
  PullRequest p;
  p.number = j.positive("number", Need::required);
  p.state = j.string("state");
  // The full pull object has `merged`; list items (pulls, commits/{sha}/pulls) only `merged_at`.
  auto merged = j.boolean("merged");
  p.merged = merged ? *merged : !j.string("merged_at").empty();
  // head.sha may be null (GitHub lost the head): validate_pull_request refuses it.
  p.head_sha = j.object("head").string("sha");
  p.head_ref = j.object("head").string("ref");
  p.base_ref = j.object("base").string("ref");
  p.merge_commit_sha = j.string("merge_commit_sha");
  p.commits = j.integer("commits", Need::optional, -1);
  p.author = parse_user(j.object("user"));
  p.html_url = j.string("html_url");
  return p;
}

Review parse_review(const JsonObject& j) {
  return Review{j.positive("id", Need::required), parse_user(j.object("user")), j.string("state"),
                j.string("commit_id"), j.string("submitted_at")};
}

PullCommit parse_commit(const JsonObject& j) {
  return PullCommit{j.string("sha", Need::required), parse_user(j.object("author")).login,
                    parse_user(j.object("committer")).login};
}

Comment parse_comment(const JsonObject& j) {
  return Comment{j.positive("id", Need::required), j.string("body"), j.string("html_url"),
                 parse_user(j.object("user")), j.string("updated_at")};
}

CommitStatus parse_status(const JsonObject& j) {
  return CommitStatus{j.positive("id", Need::required), j.string("state"),      j.string("context"),
                      j.string("description"),          j.string("target_url"), j.string("created_at"),
                      parse_user(j.object("creator"))};
}

DeploymentApproval parse_approval(const JsonObject& j, JsonReader& reader) {
  DeploymentApproval a{j.string("state"), parse_user(j.object("user")), {}, j.string("comment")};
  if (const json* environments = j.array("environments")) {
    for (size_t i = 0; i < environments->size(); ++i) {
      JsonObject e(reader, &(*environments)[i], j.path_of("environments") + "[" + std::to_string(i) + "]");
      if (auto name = e.string("name"); !name.empty()) a.environments.push_back(name);
    }
  }
  return a;
}

WorkflowRun parse_run(const JsonObject& j) {
  return WorkflowRun{j.positive("id", Need::required),   j.string("event"),
                     j.string("head_sha"),               j.string("head_branch"),
                     j.string("status"),                 j.string("conclusion"),
                     j.integer("run_attempt"),           parse_user(j.object("actor")),
                     parse_user(j.object("triggering_actor"))};
}

BranchRule parse_rule(const JsonObject& j) {
  auto parameters = j.object("parameters");
  return BranchRule{j.string("type", Need::required), parameters.present() ? *j.raw("parameters") : json::object(),
                    j.string("ruleset_source")};
}

DeploymentRecord parse_deployment(const JsonObject& j) {
  const json* payload = j.raw("payload");
  return DeploymentRecord{j.positive("id", Need::required), j.string("sha"), j.string("ref"), j.string("task"),
                          j.string("environment"), j.string("description"), j.string("created_at"),
                          payload ? *payload : json(), parse_user(j.object("creator"))};
}

Issue parse_issue(const JsonObject& j) {
  return Issue{j.positive("number", Need::required), j.string("title"), j.string("body"), j.string("state"),
               j.string("html_url")};
}

// Each item of a list answer, as `parse` reads it; Error (runtime) "<label>: [i].<field>: …"
// for the first item with a field of the wrong type.
template <class T, class Parse>
Expected<std::vector<T>> parse_all(const std::vector<json>& items, const std::string& label, Parse parse) {
  JsonReader reader(label, ExitCode::failure);
  std::vector<T> out;
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    JsonObject item(reader, &items[i], "[" + std::to_string(i) + "]");
    if constexpr (std::is_invocable_v<Parse, const JsonObject&, JsonReader&>) {
      out.push_back(parse(item, reader));
    } else {
      out.push_back(parse(item));
    }
    if (reader.error()) return fail(*reader.error());
  }
  return out;
}

std::string_view reason_phrase(long status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

// "404 Not Found", "422 Validation Failed (A pull request already exists for o:b.)"
std::string describe_status(const http::Response& response) {
  std::string text = std::to_string(response.status);
  std::string message;
  std::vector<std::string> details;
  json body = json::parse(response.body, nullptr, false);
  if (body.is_object()) {
    message = str(body, "message");
    for (const auto& e : member(body, "errors")) {
      if (e.is_string()) details.push_back(e.get<std::string>());
      if (auto m = str(e, "message"); !m.empty()) details.push_back(m);
    }
  }
  if (message.empty()) message = reason_phrase(response.status);
  if (!message.empty()) text += " " + message;
  if (!details.empty()) {
    text += " (";
    for (size_t i = 0; i < details.size(); ++i) text += (i ? "; " : "") + details[i];
    text += ")";
  }
  if (response.attempts > 1) text += " (after " + std::to_string(response.attempts) + " attempts)";
  return text;
}

}  // namespace

bool same_login(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

Api::Api(http::Client& client, std::string api_url, std::string token, std::string repository)
    : client_(client), api_url_(std::move(api_url)), token_(std::move(token)), repository_(std::move(repository)) {
  while (api_url_.ends_with('/')) api_url_.pop_back();
}

Expected<http::Response> Api::call(const std::string& method, const std::string& path, const json* body,
                                   bool missing_ok, long also_ok) {
  http::Request request;
  request.method = method;
  request.url = api_url_ + path;
  request.label = method + " " + path.substr(0, path.find('?'));
  request.headers["Accept"] = "application/vnd.github+json";
  request.headers["X-GitHub-Api-Version"] = "2022-11-28";
  request.headers["User-Agent"] = std::string("converge/") + kVersion;
  if (!token_.empty()) request.headers["Authorization"] = "Bearer " + token_;
  if (body) {
    request.headers["Content-Type"] = "application/json";
    request.body = body->dump();
  }
  auto response = client_.send(request);
  if (!response) return fail(response.error());
  if (missing_ok && response->status == 404) return response;
  if (also_ok != 0 && response->status == also_ok) return response;
  if (response->status < 200 || response->status > 299) {
    return fail(Error::runtime(request.label + ": " + describe_status(*response)));
  }
  return response;
}

Expected<Api::Listed> Api::paginate(const std::string& path, bool first_page_only) {
  Listed list;
  std::string next = path + (path.find('?') == std::string::npos ? "?" : "&") + "per_page=100";
  list.label = "GET " + path.substr(0, path.find('?'));
  http::PageGuard guard(list.label, max_pages_);
  while (!next.empty()) {
    if (auto ok = guard.visit(next); !ok) return fail(ok.error());
    auto response = call("GET", next, nullptr);
    if (!response) return fail(response.error());
    json page = json::parse(response->body, nullptr, false);
    if (!page.is_array()) return fail(Error::runtime(list.label + ": the response is not a JSON array"));
    for (auto& item : page) list.items.push_back(std::move(item));
    next.clear();
    if (first_page_only) break;
    if (auto url = http::next_link(response->header("link")); !url.empty()) {
      // Follow only links into the same API: the token must not travel anywhere else.
      if (!url.starts_with(api_url_ + "/")) {
        return fail(Error::runtime(list.label + ": the next page link points outside " + api_url_));
      }
      next = url.substr(api_url_.size());
    }
  }
  return list;
}

namespace {

template <class T, class Parse>
Expected<T> parse_object(const Expected<http::Response>& response, const std::string& label, Parse parse) {
  if (!response) return fail(response.error());
  json body = json::parse(response->body, nullptr, false);
  if (!body.is_object()) return fail(Error::runtime(label + ": the response is not a JSON object"));
  JsonReader reader(label, ExitCode::failure);
  T parsed = parse(JsonObject(reader, &body, ""));
  if (reader.error()) return fail(*reader.error());
  return parsed;
}

}  // namespace

Expected<PullRequest> Api::pull_request(std::int64_t number) {
  auto path = "/repos/" + repository_ + "/pulls/" + std::to_string(number);
  return parse_object<PullRequest>(call("GET", path, nullptr), "GET " + path, parse_pull);
}

Expected<std::vector<PullRequest>> Api::pulls_for_commit(const std::string& sha) {
  auto items = paginate("/repos/" + repository_ + "/commits/" + http::percent_encode(sha) + "/pulls");
  if (!items) return fail(items.error());
  return parse_all<PullRequest>(items->items, items->label, parse_pull);
}

Expected<std::vector<Review>> Api::reviews(std::int64_t pr) {
  auto items = paginate("/repos/" + repository_ + "/pulls/" + std::to_string(pr) + "/reviews");
  if (!items) return fail(items.error());
  return parse_all<Review>(items->items, items->label, parse_review);
}

Expected<std::vector<PullCommit>> Api::pull_commits(std::int64_t pr) {
  auto items = paginate("/repos/" + repository_ + "/pulls/" + std::to_string(pr) + "/commits");
  if (!items) return fail(items.error());
  return parse_all<PullCommit>(items->items, items->label, parse_commit);
}

Expected<std::vector<Comment>> Api::issue_comments(std::int64_t issue) {
  auto items = paginate("/repos/" + repository_ + "/issues/" + std::to_string(issue) + "/comments");
  if (!items) return fail(items.error());
  return parse_all<Comment>(items->items, items->label, parse_comment);
}

Expected<std::vector<Comment>> Api::issue_comments_since(std::int64_t issue, const std::string& since) {
  auto items = paginate("/repos/" + repository_ + "/issues/" + std::to_string(issue) +
                        "/comments?since=" + http::percent_encode(since));
  if (!items) return fail(items.error());
  return parse_all<Comment>(items->items, items->label, parse_comment);
}

Expected<Comment> Api::create_comment(std::int64_t issue, const std::string& body) {
  auto path = "/repos/" + repository_ + "/issues/" + std::to_string(issue) + "/comments";
  json request = {{"body", body}};
  return parse_object<Comment>(call("POST", path, &request), "POST " + path, parse_comment);
}

Expected<Comment> Api::update_comment(std::int64_t comment_id, const std::string& body) {
  auto path = "/repos/" + repository_ + "/issues/comments/" + std::to_string(comment_id);
  json request = {{"body", body}};
  return parse_object<Comment>(call("PATCH", path, &request), "PATCH " + path, parse_comment);
}

Expected<void> Api::delete_comment(std::int64_t comment_id) {
  auto response = call("DELETE", "/repos/" + repository_ + "/issues/comments/" + std::to_string(comment_id), nullptr,
                       true);
  if (!response) return fail(response.error());
  return {};
}

Expected<std::string> Api::identity() {
  if (identity_) return *identity_;
  auto response = call("GET", "/user", nullptr, false, 403);
  auto learn = [&]() -> Expected<std::string> {
    if (!response) return fail(response.error());
    json body = json::parse(response->body, nullptr, false);
    if (response->status == 403) {
      // GitHub's answer to an installation token (GITHUB_TOKEN, a GitHub App).
      if (str(body, "message") != "Resource not accessible by integration")
        return fail(Error::runtime("GET /user: " + describe_status(*response)));
      if (integration_login_.empty())
        return fail(Error::usage("the token is an integration's and no login is configured (CONVERGE_GITHUB_LOGIN)"));
      return integration_login_;
    }
    JsonReader reader("GET /user", ExitCode::failure);
    auto login = JsonObject(reader, &body, "").string("login", Need::required);
    if (reader.error()) return fail(*reader.error());
    if (login.empty()) return fail(Error::runtime("GET /user: the response has no login"));
    return login;
  };
  identity_ = learn();
  return *identity_;
}

Expected<std::vector<CommitStatus>> Api::commit_statuses(const std::string& ref) {
  auto items = paginate("/repos/" + repository_ + "/commits/" + http::percent_encode(ref) + "/statuses");
  if (!items) return fail(items.error());
  return parse_all<CommitStatus>(items->items, items->label, parse_status);
}

Expected<std::vector<CommitStatus>> Api::recent_commit_statuses(const std::string& ref) {
  auto items = paginate("/repos/" + repository_ + "/commits/" + http::percent_encode(ref) + "/statuses", true);
  if (!items) return fail(items.error());
  return parse_all<CommitStatus>(items->items, items->label, parse_status);
}

Expected<CommitStatus> Api::create_commit_status(const std::string& sha, const std::string& state,
                                                 const std::string& context, const std::string& description,
                                                 const std::string& target_url) {
  auto path = "/repos/" + repository_ + "/statuses/" + http::percent_encode(sha);
  json request = {{"state", state}, {"context", context}, {"description", description}};
  if (!target_url.empty()) request["target_url"] = target_url;
  return parse_object<CommitStatus>(call("POST", path, &request), "POST " + path, parse_status);
}

Expected<WorkflowRun> Api::workflow_run(std::int64_t run_id) {
  auto path = "/repos/" + repository_ + "/actions/runs/" + std::to_string(run_id);
  return parse_object<WorkflowRun>(call("GET", path, nullptr), "GET " + path, parse_run);
}

Expected<std::vector<DeploymentApproval>> Api::deployment_approvals(std::int64_t run_id) {
  // Not paginated by GitHub: one array with the whole review history of the run.
  auto path = "/repos/" + repository_ + "/actions/runs/" + std::to_string(run_id) + "/approvals";
  auto response = call("GET", path, nullptr);
  if (!response) return fail(response.error());
  json body = json::parse(response->body, nullptr, false);
  if (!body.is_array()) return fail(Error::runtime("GET " + path + ": the response is not a JSON array"));
  return parse_all<DeploymentApproval>(std::vector<json>(body.begin(), body.end()), "GET " + path, parse_approval);
}

Expected<std::vector<BranchRule>> Api::branch_rules(const std::string& branch) {
  auto items = paginate("/repos/" + repository_ + "/rules/branches/" + http::percent_encode(branch));
  if (!items) return fail(items.error());
  return parse_all<BranchRule>(items->items, items->label, parse_rule);
}

Expected<std::vector<Issue>> Api::open_issues_with_label(const std::string& label) {
  auto items = paginate("/repos/" + repository_ + "/issues?state=open&labels=" + http::percent_encode(label));
  if (!items) return fail(items.error());
  auto all = parse_all<Issue>(items->items, items->label, parse_issue);
  if (!all) return fail(all.error());
  std::vector<Issue> issues;
  for (size_t i = 0; i < all->size(); ++i) {  // the issues API lists pull requests too
    if (!items->items[i].contains("pull_request")) issues.push_back(std::move((*all)[i]));
  }
  return issues;
}

Expected<Issue> Api::create_issue(const std::string& title, const std::string& body,
                                  const std::vector<std::string>& labels) {
  auto path = "/repos/" + repository_ + "/issues";
  json request = {{"title", title}, {"body", body}, {"labels", labels}};
  return parse_object<Issue>(call("POST", path, &request), "POST " + path, parse_issue);
}

Expected<Issue> Api::update_issue(std::int64_t number, const json& fields) {
  auto path = "/repos/" + repository_ + "/issues/" + std::to_string(number);
  return parse_object<Issue>(call("PATCH", path, &fields), "PATCH " + path, parse_issue);
}

Expected<std::vector<PullRequest>> Api::open_pulls_from(const std::string& head_branch) {
  std::string head = head_branch;
  if (head.find(':') == std::string::npos) head = repository_.substr(0, repository_.find('/')) + ":" + head;
  auto items = paginate("/repos/" + repository_ + "/pulls?state=open&head=" + http::percent_encode(head));
  if (!items) return fail(items.error());
  return parse_all<PullRequest>(items->items, items->label, parse_pull);
}

Expected<PullRequest> Api::create_pull(const std::string& title, const std::string& head, const std::string& base,
                                       const std::string& body) {
  auto path = "/repos/" + repository_ + "/pulls";
  json request = {{"title", title}, {"head", head}, {"base", base}, {"body", body}};
  return parse_object<PullRequest>(call("POST", path, &request), "POST " + path, parse_pull);
}

Expected<PullRequest> Api::update_pull(std::int64_t number, const json& fields) {
  auto path = "/repos/" + repository_ + "/pulls/" + std::to_string(number);
  return parse_object<PullRequest>(call("PATCH", path, &fields), "PATCH " + path, parse_pull);
}

Expected<std::int64_t> Api::create_deployment(const std::string& ref, const std::string& environment,
                                              const std::string& description, const json& payload,
                                              const std::string& task) {
  auto path = "/repos/" + repository_ + "/deployments";
  // converge has already enforced its own gates: no auto-merge of the default branch
  // into `ref`, and no commit-status contexts to wait for.
  json request = {{"ref", ref},
                  {"task", task},
                  {"environment", environment},
                  {"description", description},
                  {"auto_merge", false},
                  {"required_contexts", json::array()}};
  if (!payload.is_null()) request["payload"] = payload;
  auto response = call("POST", path, &request);
  if (!response) return fail(response.error());
  json body = json::parse(response->body, nullptr, false);
  // 202 is GitHub's "merged the default branch first" answer: no deployment was made.
  if (response->status != 201) {
    return fail(Error::runtime("POST " + path + ": no deployment created (" + std::to_string(response->status) +
                               (str(body, "message").empty() ? "" : " " + str(body, "message")) + ")"));
  }
  JsonReader reader("POST " + path, ExitCode::failure);
  const std::int64_t id = JsonObject(reader, &body, "").positive("id", Need::required);
  if (reader.error()) return fail(*reader.error());
  return id;
}

Expected<void> Api::create_deployment_status(std::int64_t deployment, const std::string& state,
                                             const std::string& log_url, const std::string& environment,
                                             bool auto_inactive) {
  auto path = "/repos/" + repository_ + "/deployments/" + std::to_string(deployment) + "/statuses";
  json request = {{"state", state}, {"auto_inactive", auto_inactive}};
  if (!log_url.empty()) request["log_url"] = log_url;
  if (!environment.empty()) request["environment"] = environment;
  auto response = call("POST", path, &request);
  if (!response) return fail(response.error());
  return {};
}

Expected<std::vector<DeploymentRecord>> Api::deployments(const std::string& environment, const std::string& task) {
  auto items = paginate("/repos/" + repository_ + "/deployments?environment=" + http::percent_encode(environment) +
                        "&task=" + http::percent_encode(task));
  if (!items) return fail(items.error());
  return parse_all<DeploymentRecord>(items->items, items->label, parse_deployment);
}

Expected<void> Api::delete_deployment(std::int64_t deployment) {
  auto response = call("DELETE", "/repos/" + repository_ + "/deployments/" + std::to_string(deployment), nullptr, true);
  if (!response) return fail(response.error());
  return {};
}

}  // namespace converge::github
