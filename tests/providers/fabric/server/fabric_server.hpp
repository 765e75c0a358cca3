// SPDX-License-Identifier: MIT
// A local Microsoft Fabric REST API for tests (tests/providers/fabric/server/server.js
// run by Node): real HTTP on two loopback ports (the API host, and the operations
// host that long-running operations' Location points to, Fabric's home cluster),
// state kept like Fabric's (workspaces, folders, items with definition parts,
// long-running operations, Entra ID tokens, capacities, Git connections to seeded
// branches), answers in the shapes of the recorded
// real exchanges, plus a control API to seed state, read it back, edit an item as a
// user in the Fabric portal would, inject faults and read the log of requests.
//
//   converge::testing::FabricServer fabric;                      // starts `node server.js`
//   auto ids = fabric.seed({{"workspaces", {{{"displayName", "dev"},
//       {"items", {{{"type", "Notebook"}, {"displayName", "Hello"},
//                   {"parts", {{{"path", "notebook-content.py"}, {"text", "print(1)"}}}}}}}}}}});
//   std::string workspace = ids["workspaces"][0]["id"];
//   fabric.inject({.method = "POST", .path = "/items$", .kind = FabricFaultKind::throttle});
//     (g++ 12 needs -Wno-missing-field-initializers for designated initializers like this)
//   ... the code under test signs in at fabric.token_url() with fabric.client_id() and
//       fabric.client_secret(), then calls fabric.api_url() + "/v1/..." ...
//   auto state = fabric.state(workspace);                          // items with decoded parts
//
// Every method throws converge::Failure when the server cannot be reached or answers
// the control call with an error (a test set-up problem, not a result).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/node_process.hpp"

namespace converge::testing {

enum class FabricFaultKind {
  throttle,          // 429 + Retry-After: retry_after_s, errorCode RequestBlocked (or error_code); not processed
  server_error,      // `status` (default 500), errorCode InternalServerError; not processed
  drop,              // the connection is closed with no answer; not processed
  drop_after_write,  // processed (the write happens; an operation it starts runs to its end at once), then the
                     // connection is closed with no answer
  operation_failed,  // accepted (202, even for a type that answers 201), its operation ends Failed with
                     // error_code (default "OperationFailed") and message; nothing is written
  token_expired,     // 401 errorCode TokenExpired (+ x-ms-public-api-error-code) for this request
  error,             // `status` (default 400) with error_code / message, Fabric's error body and header
  slow,              // waits delay_ms, then processes and answers
};

struct FabricFault {
  std::string method = "*";  // "*" or an HTTP method
  std::string path = ".*";   // ECMAScript regex searched in the request path (no query string)
  std::string host = "*";    // "*", "api" or "ops": which port the request came to
  FabricFaultKind kind = FabricFaultKind::server_error;
  int count = 1;             // how many matching requests get the fault; -1 = all of them
  int skip = 0;              // let this many matching requests through first
  int status = 0;            // server_error (0 = 500) / error (0 = 400)
  int retry_after_s = 1;     // throttle; < 0 = no Retry-After header
  std::string error_code{};  // throttle / error / server_error / operation_failed ("" = the kind's default)
  std::string message{};     // the error's message ("" = the kind's default)
  int delay_ms = 2000;       // slow
};

class FabricServer {
 public:
  struct Options {
    std::string tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    std::string client_id = "6a1e2b7c-0d4f-4e8a-9b3c-5f7e8d9a0b1c";  // registered with client_secret at start
    std::string client_secret = "fabric-test-secret";
    int token_lifetime_s = 3600;  // an access token's lifetime (expires_in)
    int retry_after_s = 0;        // Retry-After of 202 answers and Running polls (Fabric says 20-30)
    int polls = 1;                // polls that answer Running before an operation ends
    int page_size = 100;          // items / folders / workspaces per page
    std::string lro = "trace";    // which creates answer 202: "trace" (as recorded), "always", "never"
    int sql_endpoint_polls = 0;   // reads of a lakehouse before its SQL endpoint is provisioned
    std::string oidc_request_token = "github-oidc-request-token";  // ACTIONS_ID_TOKEN_REQUEST_TOKEN
  };

  FabricServer();                          // default Options
  explicit FabricServer(Options options);  // starts the server; throws Failure when it does not come up
  ~FabricServer();                         // stops it
  FabricServer(const FabricServer&) = delete;
  FabricServer& operator=(const FabricServer&) = delete;

  std::string api_url() const;    // "http://127.0.0.1:<port>": api.fabric.microsoft.com (paths start /v1)
  std::string ops_url() const;    // "http://127.0.0.1:<port>": the home cluster, where operations are polled
  std::string authority() const;  // Entra ID's authority (login.microsoftonline.com), the API port
  std::string token_url() const;  // authority() + "/<tenant>/oauth2/v2.0/token"
  const std::string& tenant() const { return options_.tenant; }
  const std::string& client_id() const { return options_.client_id; }
  const std::string& client_secret() const { return options_.client_secret; }

  // GitHub Actions' OIDC token endpoint, as ACTIONS_ID_TOKEN_REQUEST_URL gives it (with a
  // query, so a client appends "&audience=..."): the tokens it issues claim `subject`
  // (what GitHub derives from the run, e.g. "repo:octo-org/octo-repo:environment:prod").
  // Requests need `Authorization: Bearer <github_oidc_request_token()>`.
  std::string github_oidc_url(const std::string& subject = "repo:octo-org/octo-repo:ref:refs/heads/main") const;
  const std::string& github_oidc_request_token() const { return options_.oidc_request_token; }

  // A fresh access token for client_id()/client_secret() from the token endpoint
  // (what the code under test would get), for tests that call the API directly.
  std::string access_token() const;

  // Adds state; see server.js for every field. Shape:
  //   {"capacities":[{"id","displayName"?,"state"?: "Active"}] (once any are seeded, only these are capacities),
  //    "workspaces":[{"id"?,"displayName"?,"description"?,"capacityId"? (null: none),
  //      "folders":[{"displayName","parent"?: "a/b"}],
  //      "items":[{"type","displayName","description"?,"folder"?: "a/b",
  //                "parts":[{"path","text"? | "base64"?}],"properties"?}]}],
  //    "clients":[{"tenant"?,"clientId","secret"?,"assertions"?:[…]}],
  //    "pipelines":[{"id"?,"displayName"?,"stages":[{"id"?,"displayName"?,"workspace"?: id}]}]}
  // Returns {"workspaces":[{"id","folders":{"a/b":id},"items":{"<Type>/<displayName>":id}}],
  //          "pipelines":[{"id","stages":[stage ids, in order]}]}. A deployment pipeline's
  // deploy copies the source stage's workspace into the next stage's (server.js).
  // A Lakehouse, MirroredDatabase or SQLDatabase brings its SQLEndpoint item, an Eventhouse its
  // KQLDatabase, as in Fabric.
  nlohmann::json seed(const nlohmann::json& state);

  // A push to a Git branch's folder that workspaces connect to (POST /v1/workspaces/{ws}/git/connect
  // finds it by provider, owner or organization and project, repository, branch and folder):
  //   {"gitProviderType":"GitHub"|"AzureDevOps","owner" (GitHub) | "organization"+"project" (AzureDevOps),
  //    "repositoryName","branchName","directoryName" ("" = the root),"commit":"<40 hex>",
  //    "items":[{"type","displayName","description"?,"folder"?: "a/b","parts":[{"path","text"? | "base64"?}]}]}
  // ("ownerName", "organizationName", "projectName" are taken too). The folder holds exactly this commit and
  // these items from now on. Returns {"commit","items": <count>}.
  nlohmann::json seed_git_remote(const nlohmann::json& remote);
  void reset();  // forget all state, faults, clients, tokens and the request log (the
                 // Options' client is registered again)

  // Changes the server's behaviour from now on: any of "polls", "retry_after",
  // "page_size", "token_lifetime", "lro", "sql_endpoint_polls". Returns the whole config.
  nlohmann::json configure(const nlohmann::json& settings);

  // Registers an app registration: a secret, and/or GitHub OIDC tokens accepted as its
  // federated client assertion (client_assertion with the jwt-bearer assertion type).
  void register_client(const std::string& client_id, const std::optional<std::string>& secret,
                       const std::vector<std::string>& assertions = {});
  // Registers an app registration with a federated credential for GitHub Actions: a
  // GitHub OIDC token from github_oidc_url() whose sub is `subject` and aud `audience` is
  // accepted as its client assertion; another subject gets Entra's AADSTS700213.
  void register_federated_client(const std::string& client_id, const std::string& subject,
                                 const std::string& audience = "api://AzureADTokenExchange");
  void expire_tokens();  // every token issued so far now answers 401 TokenExpired

  // {"workspaces":[{"id","displayName","description","folders":[{"id","displayName",
  //   "parentFolderId","path"}],"items":[{"id","type","displayName","description","folderId",
  //   "parts":[{"path","base64","text" (when UTF-8)}]}],"capacityId" (null: none),"git" (git_connection())}],
  //  "operations":[{"id","kind","status","polls"}],
  //  "pipelines":[{"id","stages":[…],"deployments":[{"id","sourceStageId","targetStageId","note","status"}]}],
  //  "gitRemotes":[{"gitProviderType",…,"branchName","directoryName","commit","items":[{"type","displayName",
  //  "folder"}]}],"capacities": null | [{"id","displayName","state"}]}
  // `workspace` empty: every workspace.
  nlohmann::json state(const std::string& workspace = "") const;
  // One item of state(), by id; null when there is none.
  nlohmann::json item(const std::string& workspace, const std::string& id) const;
  // One workspace of state(), by id ({"id","displayName","description","capacityId","git","folders","items"});
  // null when there is none.
  nlohmann::json workspace(const std::string& id) const;
  // The workspace's Git connection as state() shows it: null when it is not connected (or does not exist),
  // else {"gitProviderDetails","gitSyncDetails": null | {"head","lastSyncTime"},"gitConnectionState":
  // "Connected"|"ConnectedAndInitialized","gitConnectionType","connectionId"}.
  nlohmann::json git_connection(const std::string& workspace) const;

  // An edit made by a user in the Fabric portal, outside any deployment: `edit` has any
  // of "displayName", "description", "folder" ("a/b", "" = the root), "parts":[{"path","text"|"base64"|"delete":true}].
  // Returns the item with its parts.
  nlohmann::json portal_edit(const std::string& workspace, const std::string& item, const nlohmann::json& edit);

  int inject(const FabricFault& fault);  // returns the fault's id
  void clear_faults();

  // Every request to the API, the operations host and the token endpoint, oldest first:
  // [{"method","path","query","host":"api"|"ops","authorization" (bool),"body","status","fault"}]
  // (secrets and assertions in token requests are "<redacted>").
  nlohmann::json log() const;
  void clear_log();

 private:
  void stop();
  nlohmann::json control(const std::string& method, const std::string& path, const nlohmann::json* body) const;

  Options options_;
  NodeProcess node_;
  int api_port_ = 0;
  int ops_port_ = 0;
};

}  // namespace converge::testing
