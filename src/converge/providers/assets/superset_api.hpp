// Apache Superset's REST API as the superset and preset runtimes use it
// (docs/providers/superset.md): the login (Superset's database login with its refresh
// token, or a Preset API token exchanged for a JWT), the CSRF token and session cookie
// writes need, the asset bundle's import and export, the per-kind lists (rison paging)
// and deletes, and who a user is. Every request goes through http::Client (retries,
// backoff); an expired token is renewed once and the request asked again.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "converge/http/client.hpp"
#include "converge/providers/assets/options.hpp"

namespace converge::providers::assets {

// One asset as Superset's list shows it.
struct SupersetRow {
  long long id = 0;
  std::string uuid;
  long long changed_by_id = 0;     // 0: unknown
  std::string changed_by_name;     // "First Last"; "" when unknown
  std::string changed_on;          // changed_on_utc as Superset gives it
  bool managed_externally = false;
};

class SupersetApi {
 public:
  // `transport`: the curl transport when null (tests pass their own); `sleeper` for retries.
  explicit SupersetApi(const Options& options, std::unique_ptr<http::Transport> transport = nullptr,
                       http::Sleeper sleeper = {});

  // Every asset of `kind` ("database", "dataset", "chart", "dashboard"): GET
  // /api/v1/<kind>/?q=(columns:!(…),page:N,page_size:S) until `count` rows came (a
  // row read twice, moved by an edit meanwhile, is kept once).
  Expected<std::vector<SupersetRow>> list(const std::string& kind);

  // GET /api/v1/assets/export/: the bundle's YAML files by their path without the root
  // folder ("charts/Sales_3.yaml"); metadata.yaml and non-YAML files left out.
  Expected<std::map<std::string, std::string>> export_assets();

  // POST /api/v1/assets/import/ (multipart: bundle, passwords as JSON by file path,
  // overwrite=true). Error (runtime) with Superset's messages, file by file where it
  // gives them; `lost` set when no answer came (the import may have happened).
  Expected<void> import_assets(const std::string& zip, const nlohmann::json& passwords, bool* lost);

  // DELETE /api/v1/<kind>/<id>: false when it was already gone (404).
  Expected<bool> remove(const std::string& kind, long long id);

  // The e-mail of user `id` (FAB's GET /api/v1/security/users/<id>); nullopt when the
  // server does not say (the security API off, no permission, no such user).
  std::optional<std::string> user_email(long long id);

 private:
  Expected<http::Response> call(http::Request request, bool write);
  Expected<void> sign_in();
  Expected<bool> refresh();
  Expected<void> fetch_csrf();
  http::Request request(std::string method, const std::string& path) const;

  const Options& options_;
  std::unique_ptr<http::Transport> transport_;
  http::Client client_;
  std::string access_token_, refresh_token_;
  std::string csrf_token_, cookie_;
  std::map<long long, std::optional<std::string>> emails_;
};

// Superset's import and per-file errors as one line: {"errors":[{"message", "extra":
// {"<file>": …}}]} → "Error importing assets; charts/x.yaml: {…}"; {"message": …} → it.
std::string superset_error_text(const std::string& body);

}  // namespace converge::providers::assets
