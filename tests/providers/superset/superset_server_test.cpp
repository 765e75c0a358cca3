// SPDX-License-Identifier: MIT
// The local Superset REST API (tests/providers/superset/server) route by route: logins,
// refresh and expiry, the CSRF rule, the real example export of
// ../shared/testdata/superset-assets/apache-superset zipped, imported and exported back
// with the same assets, the import errors with Superset's error bodies, rison paging and
// filters, deletes, UI edits, faults and the request log; Preset's API-token exchange and
// its JWT on the workspace routes, FAB's security users API.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "converge/http/client.hpp"
#include "converge/util/error.hpp"
#include "providers/superset/server/superset_server.hpp"

namespace {

using converge::testing::SupersetFault;
using converge::testing::SupersetFaultKind;
using converge::testing::SupersetServer;
using nlohmann::json;

const std::filesystem::path kAssets = std::filesystem::path(CONVERGE_SHARED_TESTDATA) / "superset-assets/apache-superset";
const char* const kDatabase = "databases/examples.yaml";
const char* const kDataset = "datasets/examples/video_game_sales.yaml";
const char* const kChart = "charts/Games_per_Genre.yaml";
const char* const kDashboard = "dashboards/Video_Game_Sales.yaml";
const char* const kChartUuid = "0499bdec-0837-44f3-ae8a-8c670de81afd";
const char* const kDatasetUuid = "53d47c0c-c03d-47f0-b9ac-81225f808283";

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The example export's four files, as they are (the dashboard's CRLF line ends included).
json example_files() {
  json files = json::object();
  for (const char* f : {kDatabase, kDataset, kChart, kDashboard}) files[f] = read(kAssets / f);
  return files;
}

const std::string kMetadata = "version: 1.0.0\ntype: assets\ntimestamp: '2026-01-01T00:00:00.000000+00:00'\n";

struct Part {
  std::string name;
  std::string value;
  bool file = false;
};

std::string multipart(const std::vector<Part>& parts) {
  std::string body;
  for (const auto& p : parts) {
    body += "--converge-boundary\r\nContent-Disposition: form-data; name=\"" + p.name + "\"";
    if (p.file) body += "; filename=\"bundle.zip\"\r\nContent-Type: application/zip";
    body += "\r\n\r\n" + p.value + "\r\n";
  }
  return body + "--converge-boundary--\r\n";
}

const char* const kIssue1010 = R"({"code":1010,"message":"Issue 1010 - Superset encountered an error while running a command."})";

// A caller of the API with one login: Bearer token, session cookie and CSRF token.
struct Client {
  const SupersetServer& server;
  SupersetServer::Login login;
  std::unique_ptr<converge::http::Transport> transport = converge::http::make_curl_transport(std::chrono::seconds(10));

  explicit Client(const SupersetServer& s, const std::string& user = "admin", const std::string& pw = "admin")
      : server(s), login(s.login(user, pw)) {}

  converge::http::Response call(const std::string& method, const std::string& path, const std::string& body = "",
                                const std::string& content_type = "", bool csrf = true) {
    converge::http::Request request;
    request.method = method;
    request.url = server.url() + path;
    request.headers["Authorization"] = "Bearer " + login.access_token;
    if (csrf) {
      request.headers["X-CSRFToken"] = login.csrf_token;
      request.headers["Cookie"] = login.cookie;
    }
    if (!content_type.empty()) request.headers["Content-Type"] = content_type;
    request.body = body;
    auto response = transport->send(request);
    if (!response) throw std::runtime_error(method + " " + path + ": " + response.error().message);
    return *response;
  }

  converge::http::Response import(const std::string& zip, const std::vector<Part>& fields = {{"overwrite", "true"}}) {
    std::vector<Part> parts = {{"bundle", zip, true}};
    parts.insert(parts.end(), fields.begin(), fields.end());
    return call("POST", "/api/v1/assets/import/", multipart(parts), "multipart/form-data; boundary=converge-boundary");
  }
};

json body_of(const converge::http::Response& r) { return json::parse(r.body); }

// A caller as preset-cli's PresetAuth: the JWT of POST /v1/auth/ as a Bearer token and no
// CSRF token or session cookie.
struct PresetCaller {
  const SupersetServer& server;
  std::string jwt;
  std::unique_ptr<converge::http::Transport> transport = converge::http::make_curl_transport(std::chrono::seconds(10));

  converge::http::Response call(const std::string& method, const std::string& path, const std::string& body = "",
                                const std::string& content_type = "") {
    converge::http::Request request;
    request.method = method;
    request.url = server.url() + path;
    request.headers["Authorization"] = "Bearer " + jwt;
    if (!content_type.empty()) request.headers["Content-Type"] = content_type;
    request.body = body;
    auto response = transport->send(request);
    if (!response) throw std::runtime_error(method + " " + path + ": " + response.error().message);
    return *response;
  }
};

// POST /v1/auth/ with `body` as preset-cli's get_access_token sends it.
converge::http::Response preset_auth(const SupersetServer& server, const std::string& body,
                                     const std::string& method = "POST", const std::string& path = "/v1/auth/") {
  auto transport = converge::http::make_curl_transport(std::chrono::seconds(10));
  converge::http::Request request;
  request.method = method;
  request.url = server.url() + path;
  request.headers["Content-Type"] = "application/json";
  request.body = body;
  auto response = transport->send(request);
  if (!response) throw std::runtime_error("POST /v1/auth/: " + response.error().message);
  return *response;
}

json command_error(const std::string& message, const std::string& level, json extra) {
  extra["issue_codes"] = json::array({json::parse(kIssue1010)});
  return {{"errors", {{{"message", message}, {"error_type", "GENERIC_COMMAND_ERROR"}, {"level", level}, {"extra", extra}}}}};
}

// The assets of state() without what every import changes (changed_on) or a UI edit
// would show, for "nothing else changed" comparisons.
json without_changed_on(json state) {
  for (const char* kind : {"databases", "datasets", "charts", "dashboards"}) {
    for (auto& a : state[kind]) a.erase("changed_on");
  }
  return state;
}

class SupersetServerTest : public ::testing::Test {
 protected:
  SupersetServer server;
  std::string bundle(json files, const std::string& metadata = kMetadata) const {
    files["metadata.yaml"] = metadata;
    return server.zip(files, "export_20260101T000000");
  }
};

// ---- login, refresh, expiry ---------------------------------------------------------

TEST_F(SupersetServerTest, LoginGivesJwtTokensAndRefreshGivesANewAccessToken) {
  auto transport = converge::http::make_curl_transport(std::chrono::seconds(10));
  converge::http::Request login;
  login.method = "POST";
  login.url = server.url() + "/api/v1/security/login";
  login.headers["Content-Type"] = "application/json";
  login.body = R"({"username":"admin","password":"admin","provider":"db","refresh":true})";
  auto ok = transport->send(login);
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200) << ok->body;
  const json tokens = json::parse(ok->body);
  const std::string access = tokens.at("access_token");
  EXPECT_EQ(std::count(access.begin(), access.end(), '.'), 2);
  EXPECT_TRUE(tokens.contains("refresh_token"));

  login.body = R"({"username":"admin","password":"admin","provider":"db"})";
  EXPECT_FALSE(json::parse(transport->send(login)->body).contains("refresh_token"));
  login.body = R"({"username":"admin","password":"wrong","provider":"db"})";
  auto bad = transport->send(login);
  EXPECT_EQ(bad->status, 401);
  EXPECT_EQ(json::parse(bad->body), json({{"message", "Not authorized"}}));
  login.body = R"({"username":"admin","password":"admin","provider":"oauth"})";
  auto provider = transport->send(login);
  EXPECT_EQ(provider->status, 400);
  EXPECT_EQ(json::parse(provider->body), json({{"message", "Provider oauth not supported"}}));
  login.body = R"({"username":"admin","provider":"db"})";
  EXPECT_EQ(json::parse(transport->send(login)->body), json({{"message", "Missing required parameter"}}));

  converge::http::Request refresh;
  refresh.method = "POST";
  refresh.url = server.url() + "/api/v1/security/refresh";
  refresh.headers["Authorization"] = "Bearer " + tokens.at("refresh_token").get<std::string>();
  auto refreshed = transport->send(refresh);
  ASSERT_EQ(refreshed->status, 200) << refreshed->body;
  const std::string fresh = json::parse(refreshed->body).at("access_token");
  EXPECT_NE(fresh, access);
  refresh.headers["Authorization"] = "Bearer " + access;
  auto wrong = transport->send(refresh);
  EXPECT_EQ(wrong->status, 422);
  EXPECT_EQ(json::parse(wrong->body), json({{"msg", "Only refresh tokens are allowed"}}));

  converge::http::Request list;
  list.method = "GET";
  list.url = server.url() + "/api/v1/chart/";
  list.headers["Authorization"] = "Bearer " + fresh;
  EXPECT_EQ(transport->send(list)->status, 200);
  list.headers.erase("Authorization");
  auto anonymous = transport->send(list);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(json::parse(anonymous->body), json({{"message", "Not authorized"}}));
}

TEST(SupersetServerExpiry, AccessTokensExpireAfterTheirLifetimeAndOnDemand) {
  SupersetServer server({.token_lifetime_s = 1});
  Client client(server);
  EXPECT_EQ(client.call("GET", "/api/v1/dataset/").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto expired = client.call("GET", "/api/v1/dataset/");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(body_of(expired), json({{"msg", "Token has expired"}}));

  converge::http::Request refresh;  // the refresh token outlives the access token
  refresh.method = "POST";
  refresh.url = server.url() + "/api/v1/security/refresh";
  refresh.headers["Authorization"] = "Bearer " + client.login.refresh_token;
  auto refreshed = client.transport->send(refresh);
  ASSERT_TRUE(refreshed);
  EXPECT_EQ(refreshed->status, 200) << refreshed->body;
  server.configure({{"token_lifetime", 900}});
  Client third(server);
  EXPECT_EQ(third.call("GET", "/api/v1/dataset/").status, 200);
  server.expire_tokens();
  EXPECT_EQ(third.call("GET", "/api/v1/dataset/").status, 401);
}

// ---- CSRF -------------------------------------------------------------------------------

TEST_F(SupersetServerTest, WritesNeedTheCsrfTokenWithItsSessionCookieEvenWithABearerToken) {
  Client client(server);
  const std::string zip = bundle(example_files());
  const std::string form = multipart({{"bundle", zip, true}});
  const std::string type = "multipart/form-data; boundary=converge-boundary";
  auto csrf_error = [](const std::string& reason) {
    return json{{"errors",
                 {{{"message", "400 Bad Request: " + reason},
                   {"error_type", "GENERIC_BACKEND_ERROR"},
                   {"level", "error"},
                   {"extra",
                    {{"issue_codes",
                      {{{"code", 1011}, {"message", "Issue 1011 - Superset encountered an unexpected error."}}}}}}}}}};
  };
  auto no_session = client.call("POST", "/api/v1/assets/import/", form, type, false);
  EXPECT_EQ(no_session.status, 400);
  EXPECT_EQ(body_of(no_session), csrf_error("The CSRF session token is missing."));

  converge::http::Request request;
  request.method = "POST";
  request.url = server.url() + "/api/v1/assets/import/";
  request.headers = {{"Authorization", "Bearer " + client.login.access_token}, {"Cookie", client.login.cookie},
                     {"Content-Type", type}};
  request.body = form;
  auto no_token = client.transport->send(request);
  EXPECT_EQ(no_token->status, 400);
  EXPECT_EQ(json::parse(no_token->body), csrf_error("The CSRF token is missing."));
  request.headers["X-CSRFToken"] = "not-the-token";
  auto invalid = client.transport->send(request);
  EXPECT_EQ(json::parse(invalid->body), csrf_error("The CSRF token is invalid."));
  EXPECT_TRUE(server.state()["charts"].empty());  // nothing was imported

  request.headers["X-CSRFToken"] = client.login.csrf_token;
  EXPECT_EQ(client.transport->send(request)->status, 200);
  EXPECT_EQ(server.state()["charts"].size(), 1u);

  Client other(server, "alice", "alice-pw");  // another session's token does not fit this cookie
  request.headers["X-CSRFToken"] = other.login.csrf_token;
  EXPECT_EQ(client.transport->send(request)->status, 400);

  server.configure({{"csrf", false}});
  EXPECT_EQ(client.call("DELETE", "/api/v1/chart/1", "", "", false).status, 200);
}

// ---- Preset: the manager's token exchange and its JWT on the workspace ---------------------

TEST_F(SupersetServerTest, PresetExchangesAnApiTokenForAJwtAndRefusesWrongCredentials) {
  server.preset_token("ci-token", "ci-secret", "alice");
  auto ok = preset_auth(server, R"({"name":"ci-token","secret":"ci-secret"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  json answer = body_of(ok);
  ASSERT_EQ(answer.size(), 1u) << ok.body;
  ASSERT_EQ(answer["payload"].size(), 1u) << ok.body;
  const std::string jwt = answer["payload"]["access_token"];
  EXPECT_EQ(std::count(jwt.begin(), jwt.end(), '.'), 2);

  const json refused = {{"message", "Invalid API token or secret"}};
  auto wrong_secret = preset_auth(server, R"({"name":"ci-token","secret":"nope"})");
  EXPECT_EQ(wrong_secret.status, 401);
  EXPECT_EQ(body_of(wrong_secret), refused);
  auto wrong_name = preset_auth(server, R"({"name":"other","secret":"ci-secret"})");
  EXPECT_EQ(wrong_name.status, 401);
  EXPECT_EQ(body_of(wrong_name), refused);

  auto not_json = preset_auth(server, "name=ci-token");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(body_of(not_json), json({{"message", "Request payload is not JSON"}}));
  for (const char* missing :
       {R"({"name":"ci-token"})", R"({"secret":"ci-secret"})", R"({"name":"ci-token","secret":7})", "[]"}) {
    auto bad = preset_auth(server, missing);
    EXPECT_EQ(bad.status, 400) << missing;
  }
  EXPECT_EQ(body_of(preset_auth(server, R"({"name":"ci-token"})")), json({{"message", "Missing required parameter"}}));
  EXPECT_EQ(preset_auth(server, "", "GET").status, 405);
  EXPECT_EQ(preset_auth(server, "{}", "POST", "/v1/teams/").status, 404);

  // The driver's exchange gives a working token too; a second token replaces the first of its name.
  EXPECT_FALSE(server.preset_exchange("ci-token", "ci-secret").empty());
  server.preset_token("ci-token", "rotated", "bob");
  EXPECT_EQ(preset_auth(server, R"({"name":"ci-token","secret":"ci-secret"})").status, 401);
  EXPECT_THROW(server.preset_exchange("ci-token", "ci-secret"), converge::Failure);
  EXPECT_EQ(server.state()["preset_tokens"], json::parse(R"([{"name":"ci-token","user":"bob"}])"));
  EXPECT_THROW(server.preset_token("x", "y", "mallory"), converge::Failure) << "no such user";
  EXPECT_THROW(server.preset_token("", "y", "alice"), converge::Failure);
  server.reset();
  EXPECT_EQ(preset_auth(server, R"({"name":"ci-token","secret":"rotated"})").status, 401) << "reset forgets the tokens";
}

TEST_F(SupersetServerTest, APresetJwtActsAsItsUserOnTheWorkspaceWithoutCsrfButALoginTokenStillNeedsIt) {
  server.preset_token("ci-token", "ci-secret", "alice");
  PresetCaller preset{server, server.preset_exchange("ci-token", "ci-secret")};
  server.clear_log();
  EXPECT_EQ(preset.call("GET", "/api/v1/chart/").status, 200);
  auto imported = preset.call("POST", "/api/v1/assets/import/", multipart({{"bundle", bundle(example_files()), true}}),
                              "multipart/form-data; boundary=converge-boundary");
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(server.asset("chart", kChartUuid)["changed_by"]["username"], "alice");
  const json log = server.log();
  ASSERT_EQ(log.size(), 2u) << log.dump();
  EXPECT_TRUE(log[1]["authorization"]);
  EXPECT_FALSE(log[1]["csrf"]);
  EXPECT_FALSE(log[1]["cookie"]);

  // A login's access token, the same write without the CSRF token: refused.
  Client login(server);
  auto refused = login.call("DELETE", "/api/v1/chart/1", "", "", false);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(body_of(refused)["errors"][0]["message"], "400 Bad Request: The CSRF session token is missing.");
  EXPECT_EQ(preset.call("DELETE", "/api/v1/chart/1").status, 200);
  EXPECT_EQ(server.asset("chart", kChartUuid), nullptr);

  // It is not a refresh token, and a tampered one is refused.
  auto refresh = preset.call("POST", "/api/v1/security/refresh");
  EXPECT_EQ(refresh.status, 422);
  EXPECT_EQ(body_of(refresh), json({{"msg", "Only refresh tokens are allowed"}}));
  PresetCaller forged{server, preset.jwt.substr(0, preset.jwt.rfind('.') + 1) + "AAAA"};
  auto bad = forged.call("GET", "/api/v1/chart/");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(body_of(bad), json({{"msg", "Signature verification failed"}}));
}

TEST(SupersetServerPresetExpiry, APresetJwtExpiresAfterItsOwnLifetimeAndOnDemandAndIsExchangedAgain) {
  SupersetServer server({.preset_token_lifetime_s = 1});
  server.preset_token("ci-token", "ci-secret", "alice");
  PresetCaller preset{server, server.preset_exchange("ci-token", "ci-secret")};
  Client login(server);  // an access token of the default 900 s
  EXPECT_EQ(preset.call("GET", "/api/v1/dataset/").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto expired = preset.call("GET", "/api/v1/dataset/");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(body_of(expired), json({{"msg", "Token has expired"}}));
  EXPECT_EQ(login.call("GET", "/api/v1/dataset/").status, 200) << "the access token has its own lifetime";

  server.configure({{"preset_token_lifetime", 900}});
  preset.jwt = server.preset_exchange("ci-token", "ci-secret");  // as preset-cli's reauth on a 401
  EXPECT_EQ(preset.call("GET", "/api/v1/dataset/").status, 200);
  server.expire_tokens();
  EXPECT_EQ(preset.call("GET", "/api/v1/dataset/").status, 401);
  EXPECT_EQ(login.call("GET", "/api/v1/dataset/").status, 401);
  preset.jwt = server.preset_exchange("ci-token", "ci-secret");
  EXPECT_EQ(preset.call("GET", "/api/v1/dataset/").status, 200);
}

// ---- FAB's security users API ------------------------------------------------------------------

TEST_F(SupersetServerTest, TheSecurityUsersApiShowsAUserAsFlaskAppBuilderDoes) {
  Client admin(server);
  Client alice(server, "alice", "alice-pw");  // a login: login_count 1
  auto shown = admin.call("GET", "/api/v1/security/users/2");
  ASSERT_EQ(shown.status, 200) << shown.body;
  json b = body_of(shown);  // not const: [] of a missing key is null, not an assertion
  EXPECT_EQ(b["id"], "2") << "FAB echoes the route's <pk>, a string";
  EXPECT_EQ(b["show_title"], "Show User");
  EXPECT_EQ(b["label_columns"]["first_name"], "First Name");
  json user = b["result"];
  std::vector<std::string> keys;
  for (const auto& [key, value] : user.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"active", "changed_by", "changed_on", "created_by", "created_on", "email",
                                            "fail_login_count", "first_name", "id", "last_login", "last_name",
                                            "login_count", "roles", "username"}));
  EXPECT_EQ(user["id"], 2);
  EXPECT_EQ(user["username"], "alice");
  EXPECT_EQ(user["email"], "alice@example.com");
  EXPECT_EQ(user["first_name"], "Alice");
  EXPECT_EQ(user["last_name"], "Analyst");
  EXPECT_EQ(user["active"], true);
  EXPECT_EQ(user["roles"], json::parse(R"([{"id":1,"name":"Admin"}])"));
  EXPECT_EQ(user["login_count"], 1);
  EXPECT_TRUE(user["last_login"].is_string());

  EXPECT_EQ(body_of(admin.call("GET", "/api/v1/security/users/3"))["result"]["email"], "bob@example.com");
  server.preset_token("ci-token", "ci-secret", "alice");  // a Preset JWT will do (alice is Admin)
  PresetCaller preset{server, server.preset_exchange("ci-token", "ci-secret")};
  auto by_preset = preset.call("GET", "/api/v1/security/users/1");
  ASSERT_EQ(by_preset.status, 200) << by_preset.body;
  EXPECT_EQ(body_of(by_preset)["result"]["email"], "admin@example.com");

  for (const char* none : {"/api/v1/security/users/99", "/api/v1/security/users/abc"}) {
    auto missing = admin.call("GET", none);
    EXPECT_EQ(missing.status, 404) << none;
    EXPECT_EQ(body_of(missing), json({{"message", "Not found"}})) << none;
  }
  Client bob(server, "bob", "bob-pw");  // Gamma
  auto forbidden = bob.call("GET", "/api/v1/security/users/2");
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(body_of(forbidden), json({{"message", "Forbidden"}}));
  converge::http::Request anonymous;
  anonymous.method = "GET";
  anonymous.url = server.url() + "/api/v1/security/users/2";
  auto unauthorized = admin.transport->send(anonymous);
  ASSERT_TRUE(unauthorized);
  EXPECT_EQ(unauthorized->status, 401);
}

TEST(SupersetServerSecurityApi, WithoutFabAddSecurityApiTheUsersRouteIsMissing) {
  SupersetServer server({.security_api = false});
  Client admin(server);
  auto transport = converge::http::make_curl_transport(std::chrono::seconds(10));
  converge::http::Request request;
  request.method = "GET";
  request.url = server.url() + "/api/v1/security/users/1";
  request.headers = {{"Authorization", "Bearer " + admin.login.access_token}, {"Accept", "application/json"}};
  auto as_json = transport->send(request);
  ASSERT_TRUE(as_json);
  EXPECT_EQ(as_json->status, 404);
  json errors = json::parse(as_json->body)["errors"];
  ASSERT_EQ(errors.size(), 1u) << as_json->body;
  EXPECT_EQ(errors[0]["message"],
            "404 Not Found: The requested URL was not found on the server. If you entered the URL manually please "
            "check your spelling and try again.");
  EXPECT_EQ(errors[0]["error_type"], "GENERIC_BACKEND_ERROR");
  EXPECT_EQ(errors[0]["extra"]["issue_codes"][0]["code"], 1011);

  request.headers["Accept"] = "*/*";  // curl's default: Superset sends its 404.html
  auto as_html = transport->send(request);
  EXPECT_EQ(as_html->status, 404);
  EXPECT_TRUE(as_html->headers["content-type"].starts_with("text/html")) << as_html->headers["content-type"];
  request.headers.erase("Authorization");  // missing before any authentication
  EXPECT_EQ(transport->send(request)->status, 404);

  server.configure({{"security_api", true}});
  request.headers["Authorization"] = "Bearer " + admin.login.access_token;
  EXPECT_EQ(transport->send(request)->status, 200);
}

// ---- import and export round trip --------------------------------------------------------

// A parsed asset without what the server sets from its own ids (Superset's exports
// carry them too, which is why converge normalises them away).
json normalised(json asset) {
  if (asset.contains("params") && asset["params"].is_object()) asset["params"].erase("datasource");
  if (asset.contains("position")) {
    for (auto& [key, node] : asset["position"].items()) {
      if (node.is_object() && node.contains("meta") && node["meta"].is_object()) node["meta"].erase("chartId");
    }
  }
  return asset;
}

TEST_F(SupersetServerTest, TheExampleExportImportsAndExportsBackWithTheSameAssets) {
  Client client(server);
  auto imported = client.import(bundle(example_files()));
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(body_of(imported), json({{"message", "OK"}}));

  const json state = server.state();
  ASSERT_EQ(state["databases"].size(), 1u);
  ASSERT_EQ(state["charts"].size(), 1u);
  const json chart = state["charts"][0];
  EXPECT_EQ(chart["uuid"], kChartUuid);
  EXPECT_EQ(chart["changed_by"]["username"], "admin");
  EXPECT_EQ(chart["config"]["params"]["datasource"], std::to_string(state["datasets"][0]["id"].get<int>()) + "__table");

  auto exported = client.call("GET", "/api/v1/assets/export/");
  ASSERT_EQ(exported.status, 200);
  EXPECT_EQ(exported.headers["content-type"], "application/zip");
  EXPECT_NE(exported.headers["content-disposition"].find("attachment; filename=assets_export_"), std::string::npos);
  const json files = server.unzip(exported.body);
  std::string root;
  for (const auto& [name, text] : files.items()) {
    if (name.ends_with("/metadata.yaml")) root = name.substr(0, name.size() - std::string("metadata.yaml").size());
  }
  ASSERT_TRUE(root.starts_with("assets_export_")) << files.dump();
  const json metadata = server.parse_yaml(files[root + "metadata.yaml"]);
  EXPECT_EQ(metadata["version"], "1.0.0");
  EXPECT_EQ(metadata["type"], "assets");
  EXPECT_TRUE(metadata.contains("timestamp"));

  const int chart_id = chart["id"];
  const int dashboard_id = state["dashboards"][0]["id"];
  const std::vector<std::pair<std::string, std::string>> expected = {
      {kDatabase, "databases/examples.yaml"},
      {kDataset, "datasets/examples/video_game_sales.yaml"},
      {kChart, "charts/Games_per_Genre_" + std::to_string(chart_id) + ".yaml"},
      {kDashboard, "dashboards/Video_Game_Sales_" + std::to_string(dashboard_id) + ".yaml"}};
  EXPECT_EQ(files.size(), expected.size() + 1);
  for (const auto& [source, path] : expected) {
    ASSERT_TRUE(files.contains(root + path)) << path << " in " << files.dump().substr(0, 400);
    json original = server.parse_yaml(read(kAssets / source));
    const json back = server.parse_yaml(files[root + path]);
    if (source == kDashboard) {
      // Chart 3547 (the filter box) is not in this bundle: update_id_refs drops the
      // metadata's references to it, as Superset's import does.
      ASSERT_TRUE(original["metadata"]["filter_scopes"].contains("3547"));
      EXPECT_EQ(back["metadata"]["filter_scopes"], json::object());
      EXPECT_EQ(back["metadata"]["default_filters"], "{}");
      original["metadata"]["filter_scopes"] = json::object();
      original["metadata"]["default_filters"] = "{}";
    }
    EXPECT_EQ(normalised(back), normalised(original)) << path;
  }
  // The dashboard's chart reference now names the server's chart id.
  const json dashboard = server.parse_yaml(files[root + expected[3].second]);
  EXPECT_EQ(dashboard["position"]["CHART-7mKdnU7OUJ"]["meta"]["chartId"], chart_id);

  // A second import with overwrite changes nothing but changed_on.
  const json before = server.state();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(client.import(bundle(example_files())).status, 200);
  const json after = server.state();
  EXPECT_EQ(without_changed_on(after), without_changed_on(before));
  EXPECT_NE(after["charts"][0]["changed_on"], before["charts"][0]["changed_on"]);

  // The export ZIP imports as it is (its own root folder and metadata.yaml).
  EXPECT_EQ(client.import(exported.body).status, 200);
  EXPECT_EQ(without_changed_on(server.state()), without_changed_on(before));
}

TEST_F(SupersetServerTest, PerKindExportTakesRisonIdsAndBringsWhatTheAssetReferences) {
  Client client(server);
  const json ids = server.seed(example_files());
  const int chart = ids["charts"][kChartUuid];
  auto exported = client.call("GET", "/api/v1/chart/export/?q=!(" + std::to_string(chart) + ")");
  ASSERT_EQ(exported.status, 200) << exported.body;
  const json files = server.unzip(exported.body);
  std::vector<std::string> names;
  for (const auto& [name, text] : files.items()) names.push_back(name.substr(name.find('/') + 1));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"charts/Games_per_Genre_" + std::to_string(chart) + ".yaml",
                                             "databases/examples.yaml", "datasets/examples/video_game_sales.yaml",
                                             "metadata.yaml"}));
  EXPECT_TRUE(files.begin().key().starts_with("chart_export_"));
  for (const auto& [name, text] : files.items()) {
    if (name.ends_with("metadata.yaml")) {
      EXPECT_EQ(server.parse_yaml(text)["type"], "Slice");
    }
  }
  EXPECT_EQ(client.call("GET", "/api/v1/chart/export/?q=!(999)").status, 404);
  EXPECT_EQ(client.call("GET", "/api/v1/chart/export/?q=!(1").status, 400);
}

// ---- import errors -------------------------------------------------------------------------

// Superset 4.1 and later: every failure inside the import command is ImportFailedError.
TEST_F(SupersetServerTest, SinceSuperset41EveryImportCommandFailureIsAGeneric500) {
  Client client(server);
  const json generic = command_error("Import failed for an unknown reason", "error", json::object());
  json masked = example_files();
  masked[kDatabase] = "database_name: w\nsqlalchemy_uri: postgresql://u:XXXXXXXXXX@db/s\nuuid: a2dc77af-e654-49bb-b321-40f6b559a1ee\n"
                      "version: 1.0.0\n";
  json dangling = example_files();
  dangling.erase(kDataset);
  for (const std::string& zip : {bundle(example_files(), "version: 2.0.0\ntype: assets\n"),
                                 bundle(example_files(), "version: 1.0.0\ntype: Dashboard\n"), bundle(masked),
                                 bundle(dangling)}) {
    auto failed = client.import(zip);
    EXPECT_EQ(failed.status, 500);
    EXPECT_EQ(body_of(failed), generic);
  }
  EXPECT_TRUE(server.state()["databases"].empty());
  // What api.py raises before the command keeps its status.
  EXPECT_EQ(client.import("this is not a zip").status, 422);
  auto empty = client.import(server.zip({{"README.md", "no yaml"}}, "export"));
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(body_of(empty), command_error("No valid import files were found", "warning", json::object()));
}

TEST_F(SupersetServerTest, ImportErrorsAnswerSupersetsBodiesAndChangeNothing) {
  server.configure({{"version", "4.0"}});  // the command's own errors reach the client
  Client client(server);
  auto wrong_version = client.import(bundle(example_files(), "version: 2.0.0\ntype: assets\n"));
  EXPECT_EQ(wrong_version.status, 422);
  EXPECT_EQ(body_of(wrong_version), command_error("Must be equal to 1.0.0.", "warning", json::object()));

  auto wrong_type = client.import(bundle(example_files(), "version: 1.0.0\ntype: Dashboard\n"));
  EXPECT_EQ(wrong_type.status, 422);
  EXPECT_EQ(body_of(wrong_type),
            command_error("Error importing assets", "warning", {{"metadata.yaml", {{"type", {"Must be equal to assets."}}}}}));

  json no_metadata = example_files();
  auto missing = client.import(server.zip(no_metadata, "export"));
  EXPECT_EQ(body_of(missing), command_error("Missing metadata.yaml", "warning", json::object()));

  json dangling = example_files();
  dangling.erase(kDataset);  // the chart's dataset_uuid names nothing in the bundle or the server
  auto failed = client.import(bundle(dangling));
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(body_of(failed), command_error("Import failed for an unknown reason", "error", json::object()));
  const json state = server.state();
  EXPECT_TRUE(state["databases"].empty()) << "a failed import is one transaction";
  EXPECT_TRUE(state["charts"].empty());

  json broken = example_files();
  broken[kChart] = "slice_name: [unclosed\n";
  auto bad_yaml = client.import(bundle(broken));
  EXPECT_EQ(body_of(bad_yaml), command_error("Error importing assets", "warning", {{kChart, "Not a valid YAML file"}}));

  auto not_zip = client.import("this is not a zip");
  EXPECT_EQ(not_zip.status, 422);
  auto no_bundle = client.call("POST", "/api/v1/assets/import/", multipart({{"overwrite", "true"}}),
                               "multipart/form-data; boundary=converge-boundary");
  EXPECT_EQ(no_bundle.status, 400);
  EXPECT_EQ(body_of(no_bundle), json({{"message", "Bad request"}}));
  EXPECT_TRUE(server.state()["datasets"].empty());
}

TEST_F(SupersetServerTest, ADatabaseWithAMaskedPasswordNeedsItAndExportsItMasked) {
  server.configure({{"version", "4.0"}});
  Client client(server);
  json files = example_files();
  files[kDatabase] = "database_name: warehouse\nsqlalchemy_uri: postgresql://reader:XXXXXXXXXX@db:5432/sales\n"
                     "expose_in_sqllab: true\nuuid: a2dc77af-e654-49bb-b321-40f6b559a1ee\nversion: 1.0.0\n";
  auto refused = client.import(bundle(files));
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(body_of(refused), command_error("Error importing assets", "warning",
                                            {{kDatabase, {{"_schema", {"Must provide a password for the database"}}}}}));

  auto accepted = client.import(bundle(files), {{"overwrite", "true"}, {"passwords", json{{kDatabase, "s3cret"}}.dump()}});
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(server.asset("database", "a2dc77af-e654-49bb-b321-40f6b559a1ee")["password"], "s3cret");
  // Re-importing the same masked file needs no password now: the existing database's is kept.
  EXPECT_EQ(client.import(bundle(files)).status, 200);

  const json exported = server.unzip(client.call("GET", "/api/v1/assets/export/").body);
  for (const auto& [name, text] : exported.items()) {
    EXPECT_EQ(text.get<std::string>().find("s3cret"), std::string::npos) << name;
    if (name.ends_with("databases/warehouse.yaml")) {
      const json db = server.parse_yaml(text);
      EXPECT_EQ(db["sqlalchemy_uri"], "postgresql://reader:XXXXXXXXXX@db:5432/sales");
      EXPECT_FALSE(db.contains("password"));
    }
  }
  EXPECT_TRUE(exported.dump().find("datasets/warehouse/video_game_sales.yaml") != std::string::npos)
      << "datasets are exported under their database's name";
}

TEST_F(SupersetServerTest, WithoutOverwriteExistingAssetsAreRefusedByName) {
  server.configure({{"version", "4.0"}});
  Client client(server);
  server.seed(example_files());
  auto refused = client.import(bundle(example_files()), {{"overwrite", "false"}});
  EXPECT_EQ(refused.status, 422);
  const std::string tail = " already exists and `overwrite=true` was not passed";
  EXPECT_EQ(body_of(refused), command_error("Error importing assets", "warning",
                                            {{kDatabase, "Database" + tail},
                                             {kDataset, "SqlaTable" + tail},
                                             {kChart, "Slice" + tail},
                                             {kDashboard, "Dashboard" + tail}}));
}

// ---- lists, get, delete ---------------------------------------------------------------------

TEST_F(SupersetServerTest, ListsPageAndFilterWithRison) {
  Client client(server);
  json files = example_files();
  const std::string chart = files[kChart];
  for (int i = 0; i < 4; ++i) {  // four more charts on the same dataset
    std::string copy = chart;
    const std::string uuid = std::string("0499bdec-0837-44f3-ae8a-8c670de81af") + char('0' + i);
    copy.replace(copy.find(kChartUuid), std::string(kChartUuid).size(), uuid);
    files["charts/copy_" + std::to_string(i) + ".yaml"] = copy;
  }
  server.seed(files);
  std::vector<int> seen;
  for (int page = 0; page < 3; ++page) {
    auto r = client.call("GET", "/api/v1/chart/?q=(page:" + std::to_string(page) + ",page_size:2,columns:!(id,uuid))");
    ASSERT_EQ(r.status, 200) << r.body;
    const json b = body_of(r);
    EXPECT_EQ(b["count"], 5);
    for (const auto& row : b["result"]) {
      EXPECT_EQ(row.size(), 2u);
      seen.push_back(row["id"]);
    }
  }
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3, 4, 5}));

  auto one = body_of(client.call(
      "GET", std::string("/api/v1/chart/?q=(filters:!((col:uuid,opr:eq,value:'") + kChartUuid + "')))"));
  EXPECT_EQ(one["count"], 1);
  EXPECT_EQ(one["result"][0]["uuid"], kChartUuid);
  EXPECT_EQ(one["result"][0]["changed_by"], json({{"first_name", "Superset"}, {"last_name", "Admin"}, {"id", 1}}));
  EXPECT_FALSE(one["result"][0]["is_managed_externally"]);

  auto bad = client.call("GET", "/api/v1/chart/?q=(page:0");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(body_of(bad), json({{"message", "Not a valid rison argument"}}));
  EXPECT_EQ(client.call("GET", "/api/v1/chart/?q=(filters:!((col:uuid,opr:sw,value:x)))").status, 400);
  EXPECT_EQ(client.call("GET", "/api/v1/chart/?q=(nonsense:1)").status, 400);

  auto shown = client.call("GET", "/api/v1/chart/1");
  ASSERT_EQ(shown.status, 200);
  EXPECT_EQ(body_of(shown)["result"]["slice_name"], "Games per Genre");
  auto none = client.call("GET", "/api/v1/chart/99");
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(body_of(none), json({{"message", "Not found"}}));
}

TEST_F(SupersetServerTest, ListsCarryChangedByAndWhenAsSupersetsListColumnsDo) {
  Client client(server);
  server.seed(example_files(), json::object(), "bob");
  for (const char* kind : {"database", "dataset", "chart", "dashboard"}) {
    // Not const: [] of a missing key is null (a failure), not an assertion.
    json row = body_of(client.call("GET", std::string("/api/v1/") + kind + "/"))["result"][0];
    EXPECT_EQ(row["changed_by"], json({{"first_name", "Bob"}, {"last_name", "Builder"}, {"id", 3}})) << kind;
    EXPECT_TRUE(row["changed_on_utc"].get<std::string>().ends_with("+0000")) << kind;
    EXPECT_TRUE(row["changed_on_delta_humanized"].is_string()) << kind;
    if (std::string(kind) == "database") {
      EXPECT_FALSE(row.contains("changed_by_name")) << "DatabaseRestApi's list_columns have none";
    } else {
      EXPECT_EQ(row["changed_by_name"], "Bob Builder") << kind;
    }
  }
}

TEST_F(SupersetServerTest, DeletesFollowSupersetsRules) {
  Client client(server);
  const json ids = server.seed(example_files());
  const std::string database = std::to_string(ids["databases"].begin().value().get<int>());
  const std::string dataset = std::to_string(ids["datasets"][kDatasetUuid].get<int>());
  const std::string chart = std::to_string(ids["charts"][kChartUuid].get<int>());

  auto in_use = client.call("DELETE", "/api/v1/database/" + database);
  EXPECT_EQ(in_use.status, 422);
  EXPECT_EQ(body_of(in_use), json({{"message", "Cannot delete a database that has datasets attached"}}));
  EXPECT_EQ(client.call("DELETE", "/api/v1/chart/" + chart).status, 200);
  EXPECT_EQ(server.asset("chart", kChartUuid), nullptr);
  EXPECT_EQ(server.state()["dashboards"][0]["chart_ids"], json::array());
  EXPECT_EQ(client.call("DELETE", "/api/v1/chart/" + chart).status, 404);
  EXPECT_EQ(client.call("DELETE", "/api/v1/dataset/" + dataset).status, 200);
  EXPECT_EQ(client.call("DELETE", "/api/v1/database/" + database).status, 200);
  EXPECT_TRUE(server.state()["databases"].empty());
}

// ---- UI edits, faults, the log --------------------------------------------------------------

TEST_F(SupersetServerTest, AUiEditMovesChangedByAndShowsInTheExport) {
  Client client(server);
  server.seed(example_files());
  const json before = server.asset("chart", kChartUuid);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const json edited = server.ui_edit("chart", kChartUuid, {{"slice_name", "Games by Genre"}, {"params", {{"row_limit", 50}}}});
  EXPECT_EQ(edited["changed_by"]["username"], "alice");
  EXPECT_NE(edited["changed_on"], before["changed_on"]);
  EXPECT_EQ(edited["config"]["params"]["row_limit"], 50);
  EXPECT_EQ(edited["config"]["params"]["viz_type"], before["config"]["params"]["viz_type"]) << "a deep merge";

  const json listed = body_of(client.call("GET", "/api/v1/chart/?q=(columns:!(slice_name,changed_by))"));
  EXPECT_EQ(listed["result"][0]["slice_name"], "Games by Genre");
  EXPECT_EQ(listed["result"][0]["changed_by"]["first_name"], "Alice");
  EXPECT_EQ(body_of(client.call("GET", "/api/v1/chart/"))["result"][0]["changed_by_name"], "Alice Analyst");
  const json files = server.unzip(client.call("GET", "/api/v1/assets/export/").body);
  bool found = false;
  for (const auto& [name, text] : files.items()) {
    if (name.find("/charts/Games_by_Genre_") != std::string::npos) found = server.parse_yaml(text)["params"]["row_limit"] == 50;
  }
  EXPECT_TRUE(found) << "the export names the chart by its new name and has the edit";
}

TEST_F(SupersetServerTest, FaultsAndTheRequestLog) {
  Client client(server);
  server.clear_log();
  server.inject({.method = "GET", .path = "^/api/v1/chart/$", .kind = SupersetFaultKind::throttle, .retry_after_s = 7});
  auto throttled = client.call("GET", "/api/v1/chart/");
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.headers["retry-after"], "7");
  EXPECT_EQ(client.call("GET", "/api/v1/chart/").status, 200) << "count 1: the next one passes";

  server.inject({.path = "/export/", .kind = SupersetFaultKind::server_error, .status = 503});
  EXPECT_EQ(client.call("GET", "/api/v1/assets/export/").status, 503);
  server.inject({.path = "/api/v1/dataset/", .kind = SupersetFaultKind::drop});
  // On a new connection: libcurl sends a request again once when a reused keep-alive
  // connection closes without an answer (that retry would be the next request, and pass).
  client.transport = converge::http::make_curl_transport(std::chrono::seconds(10));
  EXPECT_THROW(client.call("GET", "/api/v1/dataset/"), std::runtime_error);
  server.inject({.path = "/api/v1/database/", .kind = SupersetFaultKind::slow, .delay_ms = 300});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client.call("GET", "/api/v1/database/").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
  server.inject({.kind = SupersetFaultKind::server_error, .count = -1});
  server.clear_faults();
  EXPECT_EQ(client.call("GET", "/api/v1/database/").status, 200);

  client.import(bundle(example_files()), {{"overwrite", "true"}, {"passwords", "{}"}});
  const json log = server.log();
  ASSERT_EQ(log.size(), 7u) << log.dump();
  EXPECT_EQ(log[0]["status"], 429);
  EXPECT_EQ(log[0]["fault"], "throttle");
  EXPECT_EQ(log[0]["path"], "/api/v1/chart/");
  EXPECT_EQ(log[1]["fault"], nullptr);
  EXPECT_EQ(log[3]["fault"], "drop");
  EXPECT_EQ(log[3]["status"], 0);
  const json last = log.back();
  EXPECT_EQ(last["method"], "POST");
  EXPECT_EQ(last["status"], 200);
  EXPECT_TRUE(last["authorization"]);
  EXPECT_TRUE(last["csrf"]);
  EXPECT_TRUE(last["cookie"]);
  EXPECT_EQ(last["multipart_fields"], json({"bundle", "overwrite", "passwords"}));
}

}  // namespace
