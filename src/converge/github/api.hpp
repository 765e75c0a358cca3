// The GitHub REST API as converge uses it: the token's identity, pull requests,
// their reviews and commits, issue comments (the sticky plan comment), commit
// statuses (converge's own plan record), issues (drift issues), deployments,
// workflow runs and their deployment reviews, branch rules. Token auth, X-GitHub-Api-Version, User-Agent, pagination through
// Link headers; the token never appears in an error or a log.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "converge/http/client.hpp"
#include "converge/http/paging.hpp"
#include "converge/util/error.hpp"

namespace converge::github {

struct User {
  std::string login;
  bool bot = false;  // type == "Bot" or login ends in "[bot]"
};

// True when two logins name the same GitHub account (logins are case-insensitive).
bool same_login(std::string_view a, std::string_view b);

struct PullRequest {
  std::int64_t number = 0;
  std::string state;             // "open" | "closed"
  bool merged = false;           // the full shape's `merged`; list items: merged_at set
  std::int64_t commits = -1;     // the full shape's commit count; -1 when the shape has none
  std::string head_sha;
  std::string head_ref;
  std::string base_ref;
  std::string merge_commit_sha;  // may be empty
  User author;
  std::string html_url;
};

struct Review {
  std::int64_t id = 0;
  User user;
  std::string state;      // APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING
  std::string commit_id;  // the head SHA the review was made on
  std::string submitted_at;
};

struct PullCommit {
  std::string sha;
  std::string author_login;     // GitHub user of the commit author; empty when unknown
  std::string committer_login;  // GitHub user of the committer; empty when unknown
};

struct Comment {
  std::int64_t id = 0;
  std::string body;
  std::string html_url;
  User user;
  std::string updated_at;  // ISO 8601 as GitHub sends it ("2026-01-02T03:04:05Z"); "" when absent
};

// A reaction to an issue comment (`GET /issues/comments/{id}/reactions`).
struct Reaction {
  std::int64_t id = 0;
  std::string content;  // +1, -1, laugh, confused, heart, hooray, rocket, eyes
  User user;
  std::string created_at;
};

// A commit status (`POST /statuses/{sha}`, `GET /commits/{ref}/statuses`).
struct CommitStatus {
  std::int64_t id = 0;
  std::string state;  // error | failure | pending | success
  std::string context;
  std::string description;
  std::string target_url;
  std::string created_at;
  User creator;       // login empty when GitHub says null
};

// One review of a workflow run's deployments (`GET /actions/runs/{id}/approvals`).
struct DeploymentApproval {
  std::string state;  // approved | rejected | pending
  User user;
  std::vector<std::string> environments;  // environments[].name
  std::string comment;
};

// The workflow run fields converge reads (`GET /actions/runs/{id}`).
struct WorkflowRun {
  std::int64_t id = 0;
  std::string event;
  std::string head_sha;
  std::string head_branch;
  std::string status;
  std::string conclusion;
  std::int64_t run_attempt = 0;
  User actor;             // who started the run (the first attempt)
  User triggering_actor;  // who started this attempt (a re-run may differ)
};

// An active rule for a branch (`GET /rules/branches/{branch}`): `type` (e.g.
// "pull_request") and its `parameters` as GitHub sent them.
struct BranchRule {
  std::string type;
  nlohmann::json parameters;
  std::string ruleset_source;  // "owner/repo" or the organization
};

// A deployment (`GET /repos/{o}/{r}/deployments`): its payload as it was created.
struct DeploymentRecord {
  std::int64_t id = 0;
  std::string sha;
  std::string ref;
  std::string task;
  std::string environment;
  std::string description;
  std::string created_at;
  nlohmann::json payload;  // whatever JSON the creator sent (null when none)
  User creator;
};

struct Issue {
  std::int64_t number = 0;
  std::string title;
  std::string body;
  std::string state;
  std::string html_url;
};

class Api {
 public:
  // `api_url` is GITHUB_API_URL ("https://api.github.com", or GitHub Enterprise's
  // "https://ghe.example.com/api/v3"); `repository` is "owner/name".
  Api(http::Client& client, std::string api_url, std::string token, std::string repository);

  // Every call: Error (runtime) naming the request ("GET /repos/o/r/pulls/5: 404 Not
  // Found") on a final failure, a list of more than max pages, or an answer with a
  // field of the wrong type ("GET /repos/o/r/pulls/5: number: expected an integer,
  // got \"5\""; a list names the item: "[3].user.login"); never contains the token.

  // The login converge writes as, learned once per Api (cached): `GET /user` for a
  // user token; for a GitHub Actions GITHUB_TOKEN or an App installation token
  // GitHub answers 403 "Resource not accessible by integration", and the login is
  // then `integration_login` (the run context's CONVERGE_GITHUB_LOGIN / `github-login`
  // input, default github-actions[bot]). Error when GitHub answers otherwise or
  // sends an empty login; the error is cached too (one request per run).
  Expected<std::string> identity();
  void set_integration_login(std::string login) { integration_login_ = std::move(login); }
  // The most pages one list may have (default http::kMaxPages); more is an Error.
  void set_max_pages(int pages) { max_pages_ = pages; }

  Expected<PullRequest> pull_request(std::int64_t number);
  Expected<std::vector<PullRequest>> pulls_for_commit(const std::string& sha);  // GET commits/{sha}/pulls
  Expected<std::vector<Review>> reviews(std::int64_t pr);                        // all pages
  Expected<std::vector<PullCommit>> pull_commits(std::int64_t pr);               // all pages
  Expected<std::vector<Comment>> issue_comments(std::int64_t issue);             // all pages
  // The comments of `issue` last updated at or after `since` (GitHub's `since`, ISO 8601
  // "YYYY-MM-DDTHH:MM:SSZ"), oldest first, all pages.
  Expected<std::vector<Comment>> issue_comments_since(std::int64_t issue, const std::string& since);

  // Creating writes: POST is not retried after an ambiguous failure; callers look
  // again (issue_comments) before a second create, so nothing is ever duplicated.
  Expected<Comment> create_comment(std::int64_t issue, const std::string& body);
  Expected<Comment> update_comment(std::int64_t comment_id, const std::string& body);
  // Deletes a comment; one that is already gone (404) counts as deleted.
  Expected<void> delete_comment(std::int64_t comment_id);
  // Every reaction to an issue comment, oldest first, all pages.
  Expected<std::vector<Reaction>> comment_reactions(std::int64_t comment_id);
  // The repository permission of `login` (`GET /collaborators/{login}/permission`):
  // "admin", "write" (also for maintain), "read" (also for triage) or "none".
  Expected<std::string> collaborator_permission(const std::string& login);

  // Repository settings (converge init --apply-settings; api_settings.cpp). They need
  // a repository admin's token: GitHub answers 403 otherwise, an Error naming the request.
  // The environment as GitHub shows it; nullopt when there is none (404).
  Expected<std::optional<nlohmann::json>> environment(const std::string& name);
  // Creates or updates an environment (`PUT /environments/{name}`): what `body` leaves
  // out (reviewers, wait timer) GitHub resets.
  Expected<nlohmann::json> put_environment(const std::string& name, const nlohmann::json& body);
  // The names of the environment's custom deployment branch policies of type branch.
  Expected<std::vector<std::string>> deployment_branch_policies(const std::string& environment);
  // Adds a branch name pattern; one GitHub already has (303) counts as added.
  Expected<void> add_deployment_branch_policy(const std::string& environment, const std::string& pattern);
  // The branch's protection; nullopt when the branch is not protected (404 "Branch
  // not protected"); an Error when the branch does not exist.
  Expected<std::optional<nlohmann::json>> branch_protection(const std::string& branch);
  Expected<void> put_branch_protection(const std::string& branch, const nlohmann::json& body);

  // Commit statuses of `ref` (a SHA, branch or tag), newest first, all pages.
  Expected<std::vector<CommitStatus>> commit_statuses(const std::string& ref);
  // The newest 100 commit statuses of `ref`, newest first: ONE request, the rest unread.
  Expected<std::vector<CommitStatus>> recent_commit_statuses(const std::string& ref);
  // Creates a status on `sha`, written by the token's identity. `target_url` may be empty.
  Expected<CommitStatus> create_commit_status(const std::string& sha, const std::string& state,
                                              const std::string& context, const std::string& description,
                                              const std::string& target_url);

  // The workflow run `run_id` (actor, triggering_actor, event, head).
  Expected<WorkflowRun> workflow_run(std::int64_t run_id);
  // Every review of the run's deployments to environments with required reviewers, oldest first.
  Expected<std::vector<DeploymentApproval>> deployment_approvals(std::int64_t run_id);
  // The active rules (rulesets) that apply to `branch`; empty when none (readable with contents:read).
  Expected<std::vector<BranchRule>> branch_rules(const std::string& branch);

  Expected<std::vector<Issue>> open_issues_with_label(const std::string& label);
  Expected<Issue> create_issue(const std::string& title, const std::string& body, const std::vector<std::string>& labels);
  Expected<Issue> update_issue(std::int64_t number, const nlohmann::json& fields);  // title/body/state

  Expected<std::vector<PullRequest>> open_pulls_from(const std::string& head_branch);  // head=owner:branch
  Expected<PullRequest> create_pull(const std::string& title, const std::string& head, const std::string& base,
                                    const std::string& body);
  Expected<PullRequest> update_pull(std::int64_t number, const nlohmann::json& fields);

  // Deployments API: returns the deployment id. `task` is GitHub's free-form task
  // name ("deploy", "deploy:converge").
  Expected<std::int64_t> create_deployment(const std::string& ref, const std::string& environment,
                                           const std::string& description, const nlohmann::json& payload,
                                           const std::string& task = "deploy");
  // With `auto_inactive` (GitHub's default) a success marks the environment's other
  // deployments inactive.
  Expected<void> create_deployment_status(std::int64_t deployment, const std::string& state,
                                          const std::string& log_url, const std::string& environment,
                                          bool auto_inactive = true);
  // The deployments of `environment` with `task`, newest first, all pages.
  Expected<std::vector<DeploymentRecord>> deployments(const std::string& environment, const std::string& task);
  // Deletes a deployment (GitHub deletes only an inactive one, unless it is the
  // repository's only deployment); one already gone (404) counts as deleted.
  Expected<void> delete_deployment(std::int64_t deployment);

 private:
  // A 2xx response, or an Error naming the request. With `missing_ok`, a 404 is
  // returned as a response too.
  Expected<http::Response> call(const std::string& method, const std::string& path, const nlohmann::json* body,
                                bool missing_ok = false, long also_ok = 0);
  // Every item of a list, following Link headers (at most max_pages_ pages, none
  // twice), and the label naming the request in errors. With `first_page_only`, the
  // first page and no more (not an error when there are more).
  struct Listed {
    std::vector<nlohmann::json> items;
    std::string label;
  };
  Expected<Listed> paginate(const std::string& path, bool first_page_only = false);

  http::Client& client_;
  std::string api_url_;
  std::string token_;
  std::string repository_;
  std::string integration_login_ = "github-actions[bot]";
  std::optional<Expected<std::string>> identity_;  // cached answer of identity()
  int max_pages_ = http::kMaxPages;
};

}  // namespace converge::github
