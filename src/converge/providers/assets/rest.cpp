// The REST item API of an `assets` runtime (see rest.hpp).
#include "converge/providers/assets/rest.hpp"

#include <charconv>

#include "converge/providers/assets/secrets.hpp"

namespace converge::providers::assets {
namespace {

using nlohmann::json;


bool ok_status(long status) { return status >= 200 && status < 300; }

// "POST /charts: HTTP 422: <start of the body>"; a body that echoes the request
// would repeat the secrets sent in it: the known ones are replaced by "***".
Error status_error(const http::Request& request, const http::Response& response, const Options& options) {
  std::string body = redact_known_secrets(response.body, options.secrets).substr(0, 300);
  for (auto& c : body)
    if (c == '\n' || c == '\r') c = ' ';
  std::string what = request.label + ": HTTP " + std::to_string(response.status);
  if (response.status == 412) what += " (the item changed on the server since it was read: If-Match failed)";
  return Error::runtime(body.empty() ? what : what + ": " + body);
}

}  // namespace

ItemApi::ItemApi(const Options& options, int max_pages)
    : options_(options), max_pages_(max_pages), transport_(http::make_curl_transport()), client_(*transport_) {}

http::Request ItemApi::request(std::string method, std::string url) const {
  http::Request r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.headers["Accept"] = "application/json";
  if (!options_.auth_header.empty()) r.headers["Authorization"] = options_.auth_header;
  // The label names the request in errors: method and path, never the query.
  std::string path = r.url.substr(options_.url.size());
  r.label = r.method + " " + path.substr(0, path.find('?'));
  return r;
}

Expected<http::Response> ItemApi::send(http::Request request) { return client_.send(std::move(request)); }

std::string ItemApi::item_url(const KindSpec& kind, const std::string& id) const {
  return options_.url + kind.path + "/" + http::percent_encode(id);
}

Expected<std::vector<json>> ItemApi::list(const KindSpec& kind) {
  std::vector<json> items;
  std::string collection = options_.url + kind.path;
  std::string size = std::to_string(options_.page_size);
  http::PageGuard guard("GET " + kind.path, max_pages_);
  for (int page = 1;; ++page) {
    if (auto ok = guard.visit(std::to_string(page)); !ok) return fail(ok.error());
    std::string url = collection;
    if (options_.paging == "json-server")
      url += (collection.find('?') == std::string::npos ? "?" : "&") + ("_page=" + std::to_string(page)) +
             "&_per_page=" + size + "&_limit=" + size;
    auto r = request("GET", url);
    auto response = send(r);
    if (!response) return fail(response.error());
    if (!ok_status(response->status)) return fail(status_error(r, *response, options_));
    json body = json::parse(response->body, nullptr, false);
    bool more = false;
    const json* list = &body;
    if (body.is_object() && body.contains("data") && body["data"].is_array()) {  // json-server 1.x
      list = &body["data"];
      more = body.contains("next") && !body["next"].is_null();
    }
    if (!list->is_array())
      return fail(Error::runtime("GET " + kind.path + ": expected a JSON list of items (or {\"data\": [...]})"));
    for (const auto& item : *list) {
      if (!item.is_object()) return fail(Error::runtime("GET " + kind.path + ": an item is not a JSON object"));
      items.push_back(item);
    }
    if (list == &body && options_.paging == "json-server") {
      std::string total = response->header("x-total-count");
      std::size_t count = 0;
      bool known = std::from_chars(total.data(), total.data() + total.size(), count).ec == std::errc();
      more = known && !list->empty() && items.size() < count;
    }
    if (!more || options_.paging == "none") break;
  }
  return items;
}

Expected<std::optional<Fetched>> ItemApi::get(const KindSpec& kind, const std::string& id) {
  auto r = request("GET", item_url(kind, id));
  auto response = send(r);
  if (!response) return fail(response.error());
  if (response->status == 404) return std::optional<Fetched>();
  if (!ok_status(response->status)) return fail(status_error(r, *response, options_));
  json item = json::parse(response->body, nullptr, false);
  if (!item.is_object()) return fail(Error::runtime(r.label + ": the item is not a JSON object"));
  return std::optional<Fetched>(Fetched{std::move(item), response->header("etag")});
}

Expected<void> ItemApi::create(const KindSpec& kind, const json& item) {
  auto r = request("POST", options_.url + kind.path);
  r.headers["Content-Type"] = "application/json";
  r.body = item.dump();
  auto response = send(r);
  if (!response) return fail(response.error());
  if (!ok_status(response->status)) return fail(status_error(r, *response, options_));
  return {};
}

Expected<void> ItemApi::update(const KindSpec& kind, const std::string& id, const json& body, const std::string& etag) {
  auto r = request(options_.update_method, item_url(kind, id));
  r.headers["Content-Type"] = "application/json";
  if (!etag.empty()) r.headers["If-Match"] = etag;
  r.body = body.dump();
  auto response = send(r);
  if (!response) return fail(response.error());
  if (!ok_status(response->status)) return fail(status_error(r, *response, options_));
  return {};
}

Expected<bool> ItemApi::remove(const KindSpec& kind, const std::string& id, const std::string& etag) {
  auto r = request("DELETE", item_url(kind, id));
  if (!etag.empty()) r.headers["If-Match"] = etag;
  auto response = send(r);
  if (!response) return fail(response.error());
  if (response->status == 404) return false;
  if (!ok_status(response->status)) return fail(status_error(r, *response, options_));
  return true;
}

}  // namespace converge::providers::assets
