// Apache Superset's REST API for the superset and preset runtimes (see superset_api.hpp).
#include "converge/providers/assets/superset_api.hpp"

#include <set>

#include "converge/http/multipart.hpp"
#include "converge/http/paging.hpp"
#include "converge/providers/assets/zip_archive.hpp"

namespace converge::providers::assets {
namespace {

using nlohmann::json;

bool is_ok(long status) { return status >= 200 && status < 300; }

std::string one_line(std::string text, std::size_t limit = 400) {
  for (auto& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  if (text.size() > limit) text = text.substr(0, limit) + "…";
  return text;
}

std::string status_text(const http::Request& request, const http::Response& response) {
  std::string why = superset_error_text(response.body);
  return request.label + ": HTTP " + std::to_string(response.status) + (why.empty() ? "" : ": " + why);
}

// The `session=…` pair of a Set-Cookie header ("" when it sets none).
std::string session_cookie(const std::string& set_cookie) {
  auto end = set_cookie.find(';');
  std::string pair = set_cookie.substr(0, end);
  return pair.starts_with("session=") ? pair : "";
}

}  // namespace

std::string superset_error_text(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (!parsed.is_object()) return one_line(body);
  std::string out;
  if (parsed.contains("errors") && parsed["errors"].is_array()) {
    for (const auto& e : parsed["errors"]) {
      if (!e.is_object()) continue;
      if (e.contains("message") && e["message"].is_string())
        out += (out.empty() ? "" : "; ") + e["message"].get<std::string>();
      if (e.contains("extra") && e["extra"].is_object())
        for (const auto& [file, why] : e["extra"].items())
          if (file != "issue_codes") out += "; " + file + ": " + (why.is_string() ? why.get<std::string>() : why.dump());
    }
  } else if (parsed.contains("message")) {
    out = parsed["message"].is_string() ? parsed["message"].get<std::string>() : parsed["message"].dump();
  } else if (parsed.contains("msg") && parsed["msg"].is_string()) {
    out = parsed["msg"].get<std::string>();
  }
  return one_line(out.empty() ? body : out);
}

SupersetApi::SupersetApi(const Options& options, std::unique_ptr<http::Transport> transport, http::Sleeper sleeper)
    : options_(options),
      // An export of a large instance is a ZIP of tens of MiB: answers up to 256 MiB, as its reader.
      transport_(transport ? std::move(transport) : http::make_curl_transport(std::chrono::minutes(5), 256u << 20)),
      client_(*transport_, http::RetryPolicy{}, std::move(sleeper)) {}

http::Request SupersetApi::request(std::string method, const std::string& path) const {
  http::Request r;
  r.method = std::move(method);
  r.url = options_.url + path;
  r.headers["Accept"] = "application/json";
  r.label = r.method + " " + path.substr(0, path.find('?'));
  return r;
}

Expected<void> SupersetApi::sign_in() {
  const auto& s = options_.superset;
  http::Request r;
  r.method = "POST";
  r.headers["Content-Type"] = "application/json";
  r.headers["Accept"] = "application/json";
  json body;
  if (options_.runtime == Runtime::preset) {
    r.url = s.api_url + "/v1/auth/";
    r.label = "POST " + s.api_url + "/v1/auth/ (the Preset API token's exchange)";
    body = {{"name", s.api_token}, {"secret", s.api_secret}};
  } else {
    r.url = options_.url + "/api/v1/security/login";
    r.label = "POST /api/v1/security/login";
    body = {{"username", s.username}, {"password", s.password}, {"provider", s.login_provider}, {"refresh", true}};
  }
  r.body = body.dump();
  auto response = client_.send(r);
  if (!response) return fail(response.error());
  if (!is_ok(response->status))
    return fail(Error::runtime(status_text(r, *response) +
                               (response->status == 401 ? (options_.runtime == Runtime::preset
                                                               ? " (check api_token and api_secret)"
                                                               : " (check username and password)")
                                                        : "")));
  json answer = json::parse(response->body, nullptr, false);
  const json* token = nullptr;
  if (options_.runtime == Runtime::preset) {
    if (answer.is_object() && answer.contains("payload") && answer["payload"].is_object() &&
        answer["payload"].contains("access_token"))
      token = &answer["payload"]["access_token"];
  } else if (answer.is_object() && answer.contains("access_token")) {
    token = &answer["access_token"];
    if (answer.contains("refresh_token") && answer["refresh_token"].is_string())
      refresh_token_ = answer["refresh_token"];
  }
  if (!token || !token->is_string() || token->get<std::string>().empty())
    return fail(Error::runtime(r.label + ": the answer holds no access token"));
  access_token_ = *token;
  return {};
}

Expected<bool> SupersetApi::refresh() {
  if (refresh_token_.empty()) return false;
  auto r = request("POST", "/api/v1/security/refresh");
  r.headers["Authorization"] = "Bearer " + refresh_token_;
  auto response = client_.send(r);
  if (!response) return fail(response.error());
  if (!is_ok(response->status)) return false;  // the refresh token expired too: log in again
  json answer = json::parse(response->body, nullptr, false);
  if (!answer.is_object() || !answer.contains("access_token") || !answer["access_token"].is_string()) return false;
  access_token_ = answer["access_token"];
  return true;
}

Expected<void> SupersetApi::fetch_csrf() {
  auto r = request("GET", "/api/v1/security/csrf_token/");
  r.headers["Authorization"] = "Bearer " + access_token_;
  if (!cookie_.empty()) r.headers["Cookie"] = cookie_;
  auto response = client_.send(r);
  if (!response) return fail(response.error());
  if (!is_ok(response->status)) return fail(Error::runtime(status_text(r, *response)));
  json answer = json::parse(response->body, nullptr, false);
  if (!answer.is_object() || !answer.contains("result") || !answer["result"].is_string())
    return fail(Error::runtime(r.label + ": the answer holds no CSRF token"));
  csrf_token_ = answer["result"];
  if (auto cookie = session_cookie(response->header("set-cookie")); !cookie.empty()) cookie_ = cookie;
  return {};
}

Expected<http::Response> SupersetApi::call(http::Request r, bool write) {
  if (access_token_.empty())
    if (auto ok = sign_in(); !ok) return fail(ok.error());
  for (int attempt = 0;; ++attempt) {
    if (write && options_.superset.csrf && csrf_token_.empty())
      if (auto ok = fetch_csrf(); !ok) return fail(ok.error());
    r.headers["Authorization"] = "Bearer " + access_token_;
    if (!cookie_.empty()) r.headers["Cookie"] = cookie_;
    if (write && options_.superset.csrf) {
      r.headers["X-CSRFToken"] = csrf_token_;
      r.headers["Referer"] = options_.url + "/";  // Flask-WTF checks it on https
    }
    auto response = client_.send(r);
    if (!response) return response;
    // An expired access token: refreshed (superset) or exchanged again, and asked once
    // more; a CSRF token whose session ended: fetched again, asked once more.
    if (attempt == 0 && response->status == 401) {
      auto renewed = options_.runtime == Runtime::superset ? refresh() : Expected<bool>(false);
      if (!renewed) return fail(renewed.error());
      if (!*renewed)
        if (auto ok = sign_in(); !ok) return fail(ok.error());
      csrf_token_.clear();
      continue;
    }
    if (attempt == 0 && write && response->status == 400 &&
        response->body.find("CSRF") != std::string::npos) {
      csrf_token_.clear();
      cookie_.clear();
      continue;
    }
    return response;
  }
}

Expected<std::vector<SupersetRow>> SupersetApi::list(const std::string& kind) {
  std::vector<SupersetRow> rows;
  const std::string path = "/api/v1/" + kind + "/";
  const std::string size = std::to_string(options_.page_size);
  http::PageGuard guard("GET " + path);
  std::set<long long> seen;
  std::size_t seen_rows = 0;
  for (int page = 0;; ++page) {
    if (auto ok = guard.visit(std::to_string(page)); !ok) return fail(ok.error());
    // Superset's own order (changed_on, newest first; its order_columns hold no id): a row
    // an edit moves across a page boundary meanwhile is read twice and kept once.
    std::string q = "(columns:!(id,uuid,changed_by.id,changed_by.first_name,changed_by.last_name,changed_on_utc,"
                    "is_managed_externally),page:" +
                    std::to_string(page) + ",page_size:" + size + ")";
    auto r = request("GET", path + "?q=" + http::percent_encode(q));
    auto response = call(r, false);
    if (!response) return fail(response.error());
    if (!is_ok(response->status)) return fail(Error::runtime(status_text(r, *response)));
    json body = json::parse(response->body, nullptr, false);
    if (!body.is_object() || !body.contains("result") || !body["result"].is_array() || !body.contains("count") ||
        !body["count"].is_number_integer())
      return fail(Error::runtime(r.label + ": expected Superset's list answer {\"count\", \"result\": [...]}"));
    for (const auto& row : body["result"]) {
      if (!row.is_object() || !row.contains("id") || !row["id"].is_number_integer())
        return fail(Error::runtime(r.label + ": a row has no integer id"));
      SupersetRow out;
      out.id = row["id"];
      out.uuid = row.contains("uuid") && row["uuid"].is_string() ? row["uuid"].get<std::string>() : "";
      if (row.contains("changed_by") && row["changed_by"].is_object()) {
        const json& by = row["changed_by"];
        out.changed_by_id = by.contains("id") && by["id"].is_number_integer() ? by["id"].get<long long>() : 0;
        std::string first = by.value("first_name", json("")).is_string() ? by.value("first_name", "") : "";
        std::string last = by.value("last_name", json("")).is_string() ? by.value("last_name", "") : "";
        out.changed_by_name = first + (first.empty() || last.empty() ? "" : " ") + last;
      }
      if (row.contains("changed_on_utc") && row["changed_on_utc"].is_string()) out.changed_on = row["changed_on_utc"];
      out.managed_externally = row.value("is_managed_externally", json(false)) == json(true);
      if (seen.insert(out.id).second) rows.push_back(std::move(out));
    }
    seen_rows += body["result"].size();
    if (body["result"].empty() || seen_rows >= body["count"].get<std::size_t>()) break;
  }
  return rows;
}

Expected<std::map<std::string, std::string>> SupersetApi::export_assets() {
  auto r = request("GET", "/api/v1/assets/export/");
  r.headers["Accept"] = "application/zip";
  auto response = call(r, false);
  if (!response) return fail(response.error());
  if (!is_ok(response->status)) return fail(Error::runtime(status_text(r, *response)));
  auto files = read_zip(response->body, r.label);
  if (!files) return fail(files.error());
  std::map<std::string, std::string> out;
  for (auto& [name, text] : *files) {
    auto slash = name.find('/');
    if (slash == std::string::npos) continue;  // the bundle's files sit in its root folder
    std::string path = name.substr(slash + 1);
    if (path == "metadata.yaml" || !(path.ends_with(".yaml") || path.ends_with(".yml"))) continue;
    out[path] = std::move(text);
  }
  return out;
}

Expected<void> SupersetApi::import_assets(const std::string& zip, const json& passwords, bool* lost) {
  *lost = false;
  auto r = request("POST", "/api/v1/assets/import/");
  auto form = http::multipart_form({{"bundle", zip, "bundle.zip", "application/zip"},
                                    {"passwords", passwords.dump()},
                                    {"overwrite", "true"}});
  r.headers["Content-Type"] = form.content_type;
  r.body = std::move(form.body);
  const std::string label = r.label;
  auto response = call(std::move(r), true);
  if (!response) {
    *lost = true;
    return fail(response.error());
  }
  if (is_ok(response->status)) return {};
  // Superset runs the import as one transaction and answers its own failures (a 500
  // too) after the rollback; a gateway's 502-504 says nothing of what Superset did.
  *lost = response->status == 502 || response->status == 503 || response->status == 504;
  std::string why = superset_error_text(response->body);
  return fail(Error::runtime("Superset refused the import (" + label + ": HTTP " + std::to_string(response->status) +
                             ")" + (why.empty() ? "" : ": " + why)));
}

Expected<bool> SupersetApi::remove(const std::string& kind, long long id) {
  auto r = request("DELETE", "/api/v1/" + kind + "/" + std::to_string(id));
  auto response = call(r, true);
  if (!response) return fail(response.error());
  if (response->status == 404) return false;
  if (!is_ok(response->status)) return fail(Error::runtime(status_text(r, *response)));
  return true;
}

std::optional<std::string> SupersetApi::user_email(long long id) {
  if (auto known = emails_.find(id); known != emails_.end()) return known->second;
  std::optional<std::string> email;
  auto r = request("GET", "/api/v1/security/users/" + std::to_string(id));
  if (auto response = call(r, false); response && is_ok(response->status)) {
    json body = json::parse(response->body, nullptr, false);
    if (body.is_object() && body.contains("result") && body["result"].is_object() &&
        body["result"].contains("email") && body["result"]["email"].is_string() &&
        !body["result"]["email"].get<std::string>().empty())
      email = body["result"]["email"].get<std::string>();
  }
  emails_[id] = email;
  return email;
}

}  // namespace converge::providers::assets
