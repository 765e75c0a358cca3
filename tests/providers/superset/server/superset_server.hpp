// SPDX-License-Identifier: MIT
// A local Apache Superset REST API for tests (tests/providers/superset/server/server.js
// run by Node): real HTTP on a loopback port, users with database logins, JWT access and
// refresh tokens, Flask-WTF CSRF with a session cookie, and databases/datasets/charts/
// dashboards imported and exported through Superset's asset bundle (a ZIP of YAML) with
// Superset's rules and error bodies, FAB's security users API, and Preset's manager API
// token exchange (POST /v1/auth/, its JWT taken by the workspace routes without CSRF); plus
// a control API to seed assets and Preset API tokens, read the state, edit an asset as a
// user in Superset's UI would, inject faults and read the request log.
//
//   converge::testing::SupersetServer superset;                 // installs yaml (npm), starts node
//   auto ids = superset.seed({{"databases/examples.yaml", text}, ...});  // {"databases":{uuid:id},...}
//   auto login = superset.login();                               // access/refresh tokens, CSRF + cookie
//   ... the code under test calls superset.url() + "/api/v1/..." ...
//   superset.ui_edit("chart", uuid, {{"slice_name", "Renamed"}}, "alice");
//   superset.preset_token("token-name", "token-secret", "alice");  // Preset: api_url = workspace url = url()
//   auto jwt = superset.preset_exchange("token-name", "token-secret");
//   auto state = superset.state();
//
// Every method throws converge::Failure when the server cannot be reached or answers a
// control call with an error (a test set-up problem, not a result).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "support/node_process.hpp"

namespace converge::testing {

enum class SupersetFaultKind {
  throttle,      // 429 + Retry-After: retry_after_s; not processed
  server_error,  // `status` (default 500) {"message":"Fatal error"}; not processed
  drop,          // the connection is closed with no answer; not processed
  drop_after,    // processed, then the connection is closed with no answer (a lost answer)
  slow,          // waits delay_ms, then processes and answers
};

struct SupersetFault {
  std::string method = "*";  // "*" or an HTTP method
  std::string path = ".*";   // ECMAScript regex searched in the request path (no query string)
  SupersetFaultKind kind = SupersetFaultKind::server_error;
  int count = 1;           // how many matching requests get the fault; -1 = all of them
  int skip = 0;            // let this many matching requests through first
  int status = 0;          // server_error (0 = 500)
  int retry_after_s = 1;   // throttle; < 0 = no Retry-After header
  int delay_ms = 2000;     // slow
};

class SupersetServer {
 public:
  struct Options {
    int token_lifetime_s = 900;               // access tokens (JWT_ACCESS_TOKEN_EXPIRES' default)
    int refresh_lifetime_s = 30 * 24 * 3600;  // refresh tokens
    int page_size_max = 100;                  // the largest page_size a list answers
    bool csrf = true;                         // WTF_CSRF_ENABLED
    // Which import errors reach the client (server.js): "5.0" (Superset 4.1 and later) answers
    // every failure of the import command as 500 "Import failed for an unknown reason"; "4.0"
    // answers the command's own errors (per-file validation messages, 422).
    std::string version = "5.0";
    int preset_token_lifetime_s = 3600;  // the JWTs of POST /v1/auth/ (a guess: Preset publishes none)
    bool security_api = true;            // FAB_ADD_SECURITY_API: GET /api/v1/security/users/<pk> exists
  };

  // What login() got: the tokens of POST /api/v1/security/login (refresh: true) and the
  // CSRF token of GET /api/v1/security/csrf_token/ with the session cookie it belongs to
  // ("session=<id>", for a Cookie header).
  struct Login {
    std::string access_token;
    std::string refresh_token;
    std::string csrf_token;
    std::string cookie;
  };

  SupersetServer();                          // default Options
  explicit SupersetServer(Options options);  // starts the server; throws Failure when it does not come up
  ~SupersetServer();
  SupersetServer(const SupersetServer&) = delete;
  SupersetServer& operator=(const SupersetServer&) = delete;

  std::string url() const;  // "http://127.0.0.1:<port>" (Superset's base URL; API paths start /api/v1)
  // The seeded users: admin/admin (Superset Admin, id 1, role Admin), alice/alice-pw (Alice
  // Analyst, 2, Admin), bob/bob-pw (Bob Builder, 3, Gamma); e-mails <username>@example.com.
  Login login(const std::string& username = "admin", const std::string& password = "admin") const;

  // Makes (or replaces) a Preset API token `name` with `secret` for the user `user` (a
  // username above): POST /v1/auth/ {"name","secret"} then answers a JWT acting as that user.
  // reset() forgets the tokens.
  void preset_token(const std::string& name, const std::string& secret, const std::string& user = "alice");
  // A user (role Gamma, password "<username>-pw") with any text in its names; returns its id.
  int add_user(const std::string& username, const std::string& first_name, const std::string& last_name,
               const std::string& email);
  // The JWT of POST /v1/auth/ for that token (payload.access_token); throws Failure unless 200.
  std::string preset_exchange(const std::string& name, const std::string& secret) const;

  // Imports asset YAML as Superset's import would (overwrite, metadata.yaml added):
  // `files` {"databases/x.yaml": "<yaml>", ...}, `passwords` {"databases/x.yaml": "pw"},
  // as `user`. Returns {"databases":{uuid:id},"datasets":…,"charts":…,"dashboards":…}.
  nlohmann::json seed(const nlohmann::json& files, const nlohmann::json& passwords = nlohmann::json::object(),
                      const std::string& user = "admin");
  void reset();  // forget assets, sessions, tokens, Preset API tokens, faults and the log (users stay)
  // Any of "token_lifetime", "refresh_lifetime", "page_size_max", "csrf", "version",
  // "preset_token_lifetime", "security_api"; returns the config.
  nlohmann::json configure(const nlohmann::json& settings);
  // Every token issued so far (Preset JWTs too) answers 401 {"msg":"Token has expired"}.
  void expire_tokens();

  // {"databases"|"datasets"|"charts"|"dashboards":[{"id","uuid","name","config" (the YAML as
  // stored),"changed_by":{"id","username","first_name","last_name"},"changed_on","created_on",
  // "is_managed_externally","external_url","password"? (databases),"database_id"? ,"dataset_id"?,
  // "chart_ids"?}],"users":[{"id","username","first_name","last_name","email","active","roles":[name],
  // "login_count","last_login"}],"preset_tokens":[{"name","user"}]}
  nlohmann::json state() const;
  // One asset of state() by kind ("database", "dataset", "chart", "dashboard") and uuid; null when none.
  nlohmann::json asset(const std::string& kind, const std::string& uuid) const;
  // An edit made in Superset's UI by `user`: `changes` merged into the asset's YAML (objects
  // deep, a null value sets null); changed_by/changed_on move. Returns the asset as state() shows it.
  nlohmann::json ui_edit(const std::string& kind, const std::string& uuid, const nlohmann::json& changes,
                         const std::string& user = "alice");

  int inject(const SupersetFault& fault);  // returns the fault's id
  void clear_faults();
  // Every request to the API (Preset's /v1/auth/ too, not the control API), oldest first: [{"method","path","query",
  // "authorization","csrf","cookie" (bools: the headers were sent),"status" (0: dropped),"fault",
  // "multipart_fields"? (an import's form fields)}].
  nlohmann::json log() const;
  void clear_log();

  // Test helpers: a ZIP of `files` ({path: text}) under the folder `root` ("" = none), and
  // the files of a ZIP ({name: text}, names as stored); YAML parsed by the server's parser.
  std::string zip(const nlohmann::json& files, const std::string& root = "bundle") const;
  nlohmann::json unzip(const std::string& zip) const;
  nlohmann::json parse_yaml(const std::string& text) const;

 private:
  struct Raw {
    long status;
    std::string body;
  };
  Raw raw(const std::string& method, const std::string& path, const std::string& body,
          const std::string& content_type) const;
  nlohmann::json control(const std::string& method, const std::string& path, const nlohmann::json* body) const;

  Options options_;
  NodeProcess node_;
  int port_ = 0;
};

}  // namespace converge::testing
