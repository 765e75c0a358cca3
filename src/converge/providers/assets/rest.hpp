// The runtime of an `assets` target: a REST item API with one collection per kind
// (GET list with paging, GET/POST/PUT|PATCH/DELETE of JSON items keyed by the kind's
// id field), through http::Client (retries, backoff). ETags: an item read with an
// ETag is written and deleted with If-Match, and 412 reports the item changed.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "converge/http/client.hpp"
#include "converge/http/paging.hpp"
#include "converge/providers/assets/options.hpp"

namespace converge::providers::assets {

struct Fetched {
  nlohmann::json item;
  std::string etag;  // "" when the server sent none
};

class ItemApi {
 public:
  // `max_pages` bounds list(): a collection of more pages is an Error.
  explicit ItemApi(const Options& options, int max_pages = http::kMaxPages);

  // Every item of the kind's collection. Paging (`paging: json-server`): asks with
  // ?_page=N&_per_page=S&_limit=S and follows json-server 1.x's {"data": [...],
  // "next": …} envelope, or, for a plain array, pages while X-Total-Count says more
  // exist; an array without X-Total-Count is the whole collection. Error (runtime)
  // for a network failure, a non-2xx status, a body that is not a list of objects,
  // or more than max_pages pages (a server whose paging does not end).
  Expected<std::vector<nlohmann::json>> list(const KindSpec& kind);

  // The item; nullopt on 404. Error (runtime) otherwise.
  Expected<std::optional<Fetched>> get(const KindSpec& kind, const std::string& id);

  // POST to the collection. Error (runtime) for any non-2xx status.
  Expected<void> create(const KindSpec& kind, const nlohmann::json& item);

  // PUT or PATCH (options' update_method) of the item, If-Match `etag` when given.
  Expected<void> update(const KindSpec& kind, const std::string& id, const nlohmann::json& body,
                        const std::string& etag);

  // DELETE of the item, If-Match `etag` when given. Returns false when it was
  // already gone (404). Error (runtime) otherwise.
  Expected<bool> remove(const KindSpec& kind, const std::string& id, const std::string& etag);

 private:
  http::Request request(std::string method, std::string url) const;
  Expected<http::Response> send(http::Request request);
  std::string item_url(const KindSpec& kind, const std::string& id) const;

  const Options& options_;
  int max_pages_;
  std::unique_ptr<http::Transport> transport_;
  http::Client client_;
};

}  // namespace converge::providers::assets
