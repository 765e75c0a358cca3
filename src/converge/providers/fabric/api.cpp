// The Fabric REST API of one workspace (api.hpp).
#include "converge/providers/fabric/api.hpp"

#include "converge/http/paging.hpp"
#include "converge/util/base64.hpp"

namespace converge::providers::fabric {
namespace {

using nlohmann::json;

bool ok_status(long status) { return status >= 200 && status < 300; }

std::string text_of(const json& object, const char* field) {
  return object.is_object() && object.contains(field) && object[field].is_string() ? object[field].get<std::string>()
                                                                                   : "";
}

std::string one_line(std::string text, std::size_t limit) {
  if (text.size() > limit) text = text.substr(0, limit) + "…";
  for (auto& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

RemoteItem item_of(const json& j) {
  return {text_of(j, "id"), text_of(j, "type"), text_of(j, "displayName"), text_of(j, "description"),
          text_of(j, "folderId")};
}

json parts_json(const std::vector<Part>& parts) {
  json out = json::array();
  for (const auto& part : parts)
    out.push_back({{"path", part.path}, {"payload", util::base64_encode(part.bytes)}, {"payloadType", "InlineBase64"}});
  return out;
}

}  // namespace

Error fabric_error(const http::Request& request, const http::Response& response) {
  std::string what = request.label + ": HTTP " + std::to_string(response.status);
  auto body = json::parse(response.body, nullptr, false);
  std::string code = text_of(body, "errorCode"), message = text_of(body, "message");
  if (body.is_object() && body.contains("moreDetails") && body["moreDetails"].is_array())
    for (const auto& detail : body["moreDetails"]) {
      std::string more = text_of(detail, "message");
      if (!more.empty()) message += (message.empty() ? "" : " (") + more + (message.empty() ? "" : ")");
      break;
    }
  if (code.empty() && message.empty()) return Error::runtime(what + (response.body.empty() ? "" : ": " + one_line(response.body, 300)));
  return Error::runtime(what + ": " + (code.empty() ? "" : code + ": ") + one_line(message, 500));
}

FabricApi::FabricApi(const Options& options, std::unique_ptr<http::Transport> transport, http::Sleeper sleeper)
    : options_(options),
      transport_(transport ? std::move(transport) : http::make_curl_transport(std::chrono::seconds(120))),
      sleeper_(sleeper),
      client_(*transport_, {}, sleeper),
      token_(options_, client_),
      workspace_id_(options.workspace_id) {}

std::string FabricApi::url(const std::string& path) const { return options_.api_url + path; }

http::Request FabricApi::request(const std::string& method, const std::string& url, const std::string& label) const {
  http::Request r;
  r.method = method;
  r.url = url;
  r.label = method + " " + label;
  r.headers["Accept"] = "application/json";
  r.headers["User-Agent"] = "converge";
  return r;
}

Expected<http::Response> FabricApi::send(http::Request r) {
  for (int attempt = 0;; ++attempt) {
    auto token = token_.get(attempt > 0);
    if (!token) return fail(token.error());
    r.headers["Authorization"] = "Bearer " + *token;
    auto response = client_.send(r);
    if (!response) return fail(response.error());
    if (response->status == 401 && attempt == 0 && options_.auth != Auth::token) {
      auto body = json::parse(response->body, nullptr, false);
      if (text_of(body, "errorCode") == "TokenExpired" ||
          response->header("x-ms-public-api-error-code") == "TokenExpired")
        continue;
    }
    return response;
  }
}

Expected<http::Operation> FabricApi::run(http::Request r) {
  auto response = send(r);
  if (!response) return fail(response.error());
  if (!ok_status(response->status)) return fail(fabric_error(r, *response));
  return follow(r, *response);
}

Expected<http::Operation> FabricApi::follow(const http::Request& r, const http::Response& response) {
  auto poll = [&](const std::string& location) {
    // The operation's host (Fabric's home cluster) gets the same token.
    http::Request p = request("GET", location, r.label.substr(r.label.find(' ') + 1) + " (polling)");
    p.label = "GET " + location.substr(0, location.find('?'));
    if (auto token = token_.get(); token) p.headers["Authorization"] = "Bearer " + *token;
    return p;
  };
  return http::follow_operation(client_, response, r.label, poll, sleeper_);
}

Expected<json> FabricApi::json_of(const http::Request& r, const http::Response& response) const {
  auto body = json::parse(response.body, nullptr, false);
  if (body.is_discarded()) return fail(Error::runtime(r.label + ": the answer is not JSON"));
  return body;
}

Expected<std::vector<json>> FabricApi::list(const std::string& path) {
  std::vector<json> out;
  std::string token;
  http::PageGuard guard("GET " + path);
  for (;;) {
    if (auto ok = guard.visit(token); !ok) return fail(ok.error());
    std::string u = url(path) + (token.empty() ? "" : "?continuationToken=" + http::percent_encode(token));
    auto r = request("GET", u, path);
    auto response = send(r);
    if (!response) return fail(response.error());
    if (!ok_status(response->status)) return fail(fabric_error(r, *response));
    auto body = json_of(r, *response);
    if (!body) return fail(body.error());
    if (!body->is_object() || !body->contains("value") || !(*body)["value"].is_array())
      return fail(Error::runtime(r.label + ": expected {\"value\": [...]}"));
    for (auto& v : (*body)["value"]) {
      if (!v.is_object()) return fail(Error::runtime(r.label + ": a listed value is not an object"));
      out.push_back(std::move(v));
    }
    token = text_of(*body, "continuationToken");
    if (token.empty()) break;
  }
  return out;
}

Expected<std::string> FabricApi::workspace_id() {
  if (!workspace_id_.empty()) return workspace_id_;
  auto all = list("/v1/workspaces");
  if (!all) return fail(all.error());
  std::vector<std::string> ids;
  for (const auto& w : *all)
    if (text_of(w, "displayName") == options_.workspace_name) ids.push_back(text_of(w, "id"));
  if (ids.empty())
    return fail(Error::runtime("no Fabric workspace named '" + options_.workspace_name +
                               "' is visible to converge's identity"));
  if (ids.size() > 1)
    return fail(Error::runtime(std::to_string(ids.size()) + " Fabric workspaces are named '" +
                               options_.workspace_name + "'; name the target by workspace_id"));
  workspace_id_ = ids.front();
  return workspace_id_;
}

Expected<json> FabricApi::workspace() { return get_in_workspace(""); }

Expected<json> FabricApi::get_in_workspace(const std::string& suffix) {
  auto id = workspace_id();
  if (!id) return fail(id.error());
  const std::string path = "/v1/workspaces/" + *id + suffix;
  auto r = request("GET", url(path), path);
  auto response = send(r);
  if (!response) return fail(response.error());
  if (!ok_status(response->status)) return fail(fabric_error(r, *response));
  return json_of(r, *response);
}

Expected<void> FabricApi::set_description(const std::string& description) {
  auto id = workspace_id();
  if (!id) return fail(id.error());
  const std::string path = "/v1/workspaces/" + *id;
  auto r = request("PATCH", url(path), path);
  r.headers["Content-Type"] = "application/json";
  r.body = json{{"description", description}}.dump();
  auto response = send(r);
  if (!response) return fail(response.error());
  if (!ok_status(response->status)) return fail(fabric_error(r, *response));
  return {};
}

Expected<std::vector<RemoteItem>> FabricApi::items() {
  auto id = workspace_id();
  if (!id) return fail(id.error());
  auto all = list("/v1/workspaces/" + *id + "/items");
  if (!all) return fail(all.error());
  std::vector<RemoteItem> out;
  for (const auto& j : *all) out.push_back(item_of(j));
  return out;
}

Expected<std::vector<RemoteFolder>> FabricApi::folders() {
  auto id = workspace_id();
  if (!id) return fail(id.error());
  auto all = list("/v1/workspaces/" + *id + "/folders");
  if (!all) return fail(all.error());
  std::vector<RemoteFolder> out;
  for (const auto& j : *all) out.push_back({text_of(j, "id"), text_of(j, "displayName"), text_of(j, "parentFolderId")});
  return out;
}

Expected<RemoteFolder> FabricApi::create_folder(const std::string& name, const std::string& parent_id) {
  auto id = workspace_id();
  if (!id) return fail(id.error());
  const std::string path = "/v1/workspaces/" + *id + "/folders";
  auto r = request("POST", url(path), path);
  r.headers["Content-Type"] = "application/json";
  json body{{"displayName", name}};
  if (!parent_id.empty()) body["parentFolderId"] = parent_id;
  r.body = body.dump();
  auto response = send(r);
  if (!response) return fail(response.error());
  if (!ok_status(response->status)) return fail(fabric_error(r, *response));
  auto created = json_of(r, *response);
  if (!created) return fail(created.error());
  return RemoteFolder{text_of(*created, "id"), name, parent_id};
}

Expected<std::vector<Part>> FabricApi::definition(const std::string& item_id) {
  auto id = workspace_id();
  if (!id) return fail(id.error());
  const std::string path = "/v1/workspaces/" + *id + "/items/" + item_id + "/getDefinition";
  auto r = request("POST", url(path), path);
  auto op = run(r);
  if (!op) return fail(op.error());
  http::Response result = op->final;
  if (!op->url.empty()) {
    auto g = request("GET", op->result_url(), "the result of " + r.label);
    g.label = "GET " + op->result_url();
    auto got = send(g);
    if (!got) return fail(got.error());
    if (!ok_status(got->status)) return fail(fabric_error(g, *got));
    result = std::move(*got);
  }
  auto body = json_of(r, result);
  if (!body) return fail(body.error());
  const json* parts = body->is_object() && body->contains("definition") && (*body)["definition"].is_object() &&
                              (*body)["definition"].contains("parts") && (*body)["definition"]["parts"].is_array()
                          ? &(*body)["definition"]["parts"]
                          : nullptr;
  if (!parts) return fail(Error::runtime(r.label + ": the answer holds no definition.parts"));
  std::vector<Part> out;
  for (const auto& p : *parts) {
    std::string part_path = text_of(p, "path");
    if (part_path.empty()) return fail(Error::runtime(r.label + ": a part has no path"));
    if (part_path == ".platform") continue;
    auto bytes = util::base64_decode(text_of(p, "payload"));
    if (!bytes) return fail(Error::runtime(r.label + ": the payload of " + part_path + " is not base64"));
    out.push_back({part_path, std::move(*bytes)});
  }
  std::sort(out.begin(), out.end(), [](const Part& a, const Part& b) { return a.path < b.path; });
  return out;
}

Expected<RemoteItem> FabricApi::create_item(const std::string& type, const std::string& name,
                                            const std::string& description, const std::string& folder_id,
                                            const std::optional<std::vector<Part>>& parts,
                                            const json& creation_payload) {
  auto id = workspace_id();
  if (!id) return fail(id.error());
  const std::string path = "/v1/workspaces/" + *id + "/items";
  auto r = request("POST", url(path), path);
  r.headers["Content-Type"] = "application/json";
  json body{{"displayName", name}, {"type", type}, {"description", description}};
  if (!folder_id.empty()) body["folderId"] = folder_id;
  if (parts) body["definition"] = {{"parts", parts_json(*parts)}};
  if (!creation_payload.is_null()) body["creationPayload"] = creation_payload;
  r.body = body.dump();
  auto op = run(r);
  if (!op) return fail(op.error());
  if (op->url.empty()) {
    auto created = json_of(r, op->final);
    if (!created) return fail(created.error());
    return item_of(*created);
  }
  auto g = request("GET", op->result_url(), "");
  g.label = "GET " + op->result_url();
  auto got = send(g);
  if (!got) return fail(got.error());
  if (!ok_status(got->status)) return fail(fabric_error(g, *got));
  auto created = json_of(g, *got);
  if (!created) return fail(created.error());
  return item_of(*created);
}

Expected<void> FabricApi::update_definition(const std::string& item_id, const std::vector<Part>& parts) {
  auto id = workspace_id();
  if (!id) return fail(id.error());
  const std::string path = "/v1/workspaces/" + *id + "/items/" + item_id + "/updateDefinition";
  auto r = request("POST", url(path), path);
  r.headers["Content-Type"] = "application/json";
  r.body = json{{"definition", {{"parts", parts_json(parts)}}}}.dump();
  auto op = run(r);
  if (!op) return fail(op.error());
  return {};
}

Expected<void> FabricApi::update_item(const std::string& item_id, const json& fields) {
  auto id = workspace_id();
  if (!id) return fail(id.error());
  const std::string path = "/v1/workspaces/" + *id + "/items/" + item_id;
  auto r = request("PATCH", url(path), path);
  r.headers["Content-Type"] = "application/json";
  r.body = fields.dump();
  auto response = send(r);
  if (!response) return fail(response.error());
  if (!ok_status(response->status)) return fail(fabric_error(r, *response));
  return {};
}

Expected<void> FabricApi::move_item(const std::string& item_id, const std::string& folder_id) {
  auto id = workspace_id();
  if (!id) return fail(id.error());
  const std::string path = "/v1/workspaces/" + *id + "/items/" + item_id + "/move";
  auto r = request("POST", url(path), path);
  r.headers["Content-Type"] = "application/json";
  r.body = folder_id.empty() ? json::object().dump() : json{{"targetFolderId", folder_id}}.dump();
  auto response = send(r);
  if (!response) return fail(response.error());
  if (!ok_status(response->status)) return fail(fabric_error(r, *response));
  return {};
}

Expected<bool> FabricApi::delete_item(const std::string& item_id) { return delete_in_workspace("/items/" + item_id); }

Expected<bool> FabricApi::delete_in_workspace(const std::string& suffix) {
  auto id = workspace_id();
  if (!id) return fail(id.error());
  const std::string path = "/v1/workspaces/" + *id + suffix;
  auto r = request("DELETE", url(path), path);
  auto response = send(r);
  if (!response) return fail(response.error());
  if (response->status == 404) return false;
  if (!ok_status(response->status)) return fail(fabric_error(r, *response));
  return true;
}

Expected<void> FabricApi::deploy_stage(const std::string& pipeline_id, const std::string& source_stage,
                                       const std::string& target_stage, const std::string& note) {
  const std::string path = "/v1/deploymentPipelines/" + pipeline_id + "/deploy";
  auto r = request("POST", url(path), path);
  r.headers["Content-Type"] = "application/json";
  r.body = json{{"sourceStageId", source_stage}, {"targetStageId", target_stage}, {"note", note.substr(0, 1024)}}
               .dump();
  auto op = run(r);
  if (!op) return fail(op.error());
  return {};
}

Expected<json> FabricApi::properties(const std::string& collection, const std::string& item_id) {
  return get_in_workspace("/" + collection + "/" + item_id);
}

Expected<json> FabricApi::post(const std::string& path, const json& body) {
  auto r = request("POST", url(path), path);
  r.headers["Content-Type"] = "application/json";
  r.body = body.dump();
  auto op = run(r);
  if (!op) return fail(op.error());
  if (op->url.empty()) {
    if (op->final.body.empty()) return json(nullptr);
    return json_of(r, op->final);
  }
  if (op->final.header("Location").empty()) return json(nullptr);  // an operation with no result
  auto g = request("GET", op->result_url(), "");
  g.label = "GET " + op->result_url();
  auto got = send(g);
  if (!got) return fail(got.error());
  if (!ok_status(got->status)) return fail(fabric_error(g, *got));
  return json_of(g, *got);
}

Expected<std::optional<json>> FabricApi::find_workspace() {
  auto all = list("/v1/workspaces");
  if (!all) return fail(all.error());
  std::vector<json> named;
  for (auto& w : *all)
    if (text_of(w, "displayName") == options_.workspace_name) named.push_back(std::move(w));
  if (named.size() > 1)
    return fail(Error::runtime(std::to_string(named.size()) + " Fabric workspaces are named '" +
                               options_.workspace_name + "'"));
  if (named.empty()) return std::optional<json>();
  workspace_id_ = text_of(named.front(), "id");
  return std::optional<json>(std::move(named.front()));
}

Expected<json> FabricApi::create_workspace(const std::string& name, const std::string& description,
                                           const std::string& capacity_id) {
  const std::string path = "/v1/workspaces";
  auto r = request("POST", url(path), path);
  r.headers["Content-Type"] = "application/json";
  json body{{"displayName", name}, {"description", description}};
  if (!capacity_id.empty()) body["capacityId"] = capacity_id;
  r.body = body.dump();
  auto response = send(r);
  // Never sent twice: a lost answer or a name in use (409) may be an earlier create
  // that went through; the workspace of this name, if there is one now, is it.
  auto adopt = [&](const Error& why) -> Expected<json> {
    auto found = find_workspace();
    if (found && *found) return **found;
    return fail(why);
  };
  if (!response) return adopt(response.error());
  if (!ok_status(response->status)) {
    if (response->status == 409) return adopt(fabric_error(r, *response));
    return fail(fabric_error(r, *response));
  }
  auto created = json_of(r, *response);
  if (!created) return fail(created.error());
  workspace_id_ = text_of(*created, "id");
  if (workspace_id_.empty()) return fail(Error::runtime(r.label + ": the answer names no workspace id"));
  return created;
}

Expected<void> FabricApi::assign_capacity(const std::string& capacity_id) {
  auto id = workspace_id();
  if (!id) return fail(id.error());
  const std::string path = "/v1/workspaces/" + *id + "/assignToCapacity";
  auto r = request("POST", url(path), path);
  r.headers["Content-Type"] = "application/json";
  r.body = json{{"capacityId", capacity_id}}.dump();
  auto response = send(r);
  if (!response) return fail(response.error());
  if (!ok_status(response->status)) return fail(fabric_error(r, *response));
  // 202: accepted; followed when the answer names an operation (the spec shows none).
  if (response->status == 202 && !response->header("Location").empty())
    if (auto op = follow(r, *response); !op) return fail(op.error());
  return {};
}

Expected<bool> FabricApi::delete_workspace() { return delete_in_workspace(""); }

Expected<json> FabricApi::git_connection() { return get_in_workspace("/git/connection"); }

Expected<std::string> FabricApi::git_connect_and_update(const json& provider_details, const json& credentials) {
  auto id = workspace_id();
  if (!id) return fail(id.error());
  const std::string git = "/v1/workspaces/" + *id + "/git/";
  json connect{{"gitProviderDetails", provider_details}};
  if (!credentials.is_null()) connect["myGitCredentials"] = credentials;
  if (auto ok = post(git + "connect", connect); !ok) return fail(ok.error());
  auto init = post(git + "initializeConnection", json{{"initializationStrategy", "PreferRemote"}});
  if (!init) return fail(init.error());
  const std::string action = init->is_object() ? text_of(*init, "requiredAction") : "";
  if (action != "UpdateFromGit") return std::string();
  const std::string remote = text_of(*init, "remoteCommitHash");
  json update{{"remoteCommitHash", remote},
              {"conflictResolution",
               {{"conflictResolutionType", "Workspace"}, {"conflictResolutionPolicy", "PreferRemote"}}},
              {"options", {{"allowOverrideItems", true}}}};
  const std::string head = text_of(*init, "workspaceHead");
  if (!head.empty()) update["workspaceHead"] = head;
  if (auto ok = post(git + "updateFromGit", update); !ok) return fail(ok.error());
  return remote;
}

}  // namespace converge::providers::fabric
