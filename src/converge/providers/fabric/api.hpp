// The Fabric REST API of one workspace, as the fabric provider uses it: items and
// folders (listed page by page with continuationToken), item definitions (read and
// written through long-running operations, http/long_running.hpp), item metadata,
// the workspace itself (its description carries converge's stamp) and the
// properties other items refer to (a lakehouse's SQL endpoint, an eventhouse's query
// URI). Every request carries the Entra token (token.hpp); an answer of
// TokenExpired gets a new token and the request once more. 429 and 5xx are retried by
// http::Client (Retry-After honoured); a POST that may have been processed is never
// sent twice (the caller looks first).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "converge/http/client.hpp"
#include "converge/http/long_running.hpp"
#include "converge/providers/fabric/item.hpp"
#include "converge/providers/fabric/options.hpp"
#include "converge/providers/fabric/token.hpp"

namespace converge::providers::fabric {

struct RemoteItem {
  std::string id, type, name, description, folder_id;
};

struct RemoteFolder {
  std::string id, name, parent_id;  // parent_id "" at the workspace root
};

class FabricApi {
 public:
  // `transport` and `sleeper` are for tests; by default libcurl and real waits.
  explicit FabricApi(const Options& options, std::unique_ptr<http::Transport> transport = nullptr,
                     http::Sleeper sleeper = {});

  // Resolves the workspace (by name when the options give no id). Error (runtime)
  // when it does not exist or cannot be read.
  Expected<std::string> workspace_id();
  Expected<nlohmann::json> workspace();
  Expected<void> set_description(const std::string& description);

  Expected<std::vector<RemoteItem>> items();
  Expected<std::vector<RemoteFolder>> folders();
  Expected<RemoteFolder> create_folder(const std::string& name, const std::string& parent_id);

  // The item's definition parts (without `.platform`), decoded.
  Expected<std::vector<Part>> definition(const std::string& item_id);

  // Creates the item (with its parts, or as a shell when `parts` is nullopt) and
  // returns it as the operation's result names it.
  Expected<RemoteItem> create_item(const std::string& type, const std::string& name, const std::string& description,
                                   const std::string& folder_id, const std::optional<std::vector<Part>>& parts,
                                   const nlohmann::json& creation_payload);
  Expected<void> update_definition(const std::string& item_id, const std::vector<Part>& parts);
  Expected<void> update_item(const std::string& item_id, const nlohmann::json& fields);  // displayName, description
  Expected<void> move_item(const std::string& item_id, const std::string& folder_id);
  // false when it was already gone (404).
  Expected<bool> delete_item(const std::string& item_id);

  // GET workspaces/{ws}/<collection>/{id} (lakehouses, eventhouses, warehouses): the
  // item's properties.
  Expected<nlohmann::json> properties(const std::string& collection, const std::string& item_id);

  // POST deploymentPipelines/{id}/deploy of every supported item of the source stage
  // to the target stage, followed to its end; Error with the operation's failure.
  Expected<void> deploy_stage(const std::string& pipeline_id, const std::string& source_stage,
                              const std::string& target_stage, const std::string& note);

  // Feature workspaces (options.hpp FeatureWorkspace). The workspace of the options'
  // name: nullopt when none is visible (Error when several are). Sets workspace_id().
  Expected<std::optional<nlohmann::json>> find_workspace();
  // POST workspaces {displayName, description, capacityId}; sets workspace_id(). A
  // name already in use (409, e.g. an earlier run's create whose answer was lost) or
  // a lost answer: the workspace of that name is looked up and used.
  Expected<nlohmann::json> create_workspace(const std::string& name, const std::string& description,
                                            const std::string& capacity_id);
  Expected<void> assign_capacity(const std::string& capacity_id);
  // false when it was already gone (404).
  Expected<bool> delete_workspace();
  // GET git/connection: {gitConnectionState, gitProviderDetails?, gitSyncDetails?}.
  Expected<nlohmann::json> git_connection();
  // POST git/connect, git/initializeConnection (PreferRemote) and, when that says
  // UpdateFromGit, git/updateFromGit (remote wins, items overridden), each followed to
  // its end. Returns the commit the workspace was updated to ("" when none was needed).
  Expected<std::string> git_connect_and_update(const nlohmann::json& provider_details,
                                               const nlohmann::json& credentials);

  int tokens_fetched() const { return token_.fetched(); }

 private:
  std::string url(const std::string& path) const;
  http::Request request(const std::string& method, const std::string& url, const std::string& label) const;
  // Sends with the token; a TokenExpired answer renews it and sends once more.
  Expected<http::Response> send(http::Request request);
  // send(), then a 202 followed to its end.
  Expected<http::Operation> run(http::Request request);
  // A 202 answer of `request` followed to its end (a 200/201 is final at once).
  Expected<http::Operation> follow(const http::Request& request, const http::Response& response);
  Expected<nlohmann::json> json_of(const http::Request& request, const http::Response& response) const;
  Expected<std::vector<nlohmann::json>> list(const std::string& path);
  // GET /v1/workspaces/{this workspace}<suffix>, its answer as JSON.
  Expected<nlohmann::json> get_in_workspace(const std::string& suffix);
  // DELETE /v1/workspaces/{this workspace}<suffix>; false when it was already gone (404).
  Expected<bool> delete_in_workspace(const std::string& suffix);
  // POST `path` with `body` (JSON), followed to its end when it is long-running; the
  // operation's result (or the final answer's body) as JSON, null when it has none.
  Expected<nlohmann::json> post(const std::string& path, const nlohmann::json& body);

  const Options& options_;
  std::unique_ptr<http::Transport> transport_;
  http::Sleeper sleeper_;
  http::Client client_;
  TokenSource token_;
  std::string workspace_id_;
};

// "POST /v1/workspaces/…/items: HTTP 400: ItemDisplayNameAlreadyInUse: <message>"
// from Fabric's error body {errorCode, message, moreDetails}.
Error fabric_error(const http::Request& request, const http::Response& response);

}  // namespace converge::providers::fabric
