// A real json-server (npm json-server 0.17.4, pinned in server/package-lock.json)
// on a free loopback port with a fresh database file, for the assets provider's
// integration tests. Started by the constructor (which waits until it answers) and
// stopped by the destructor. Install it first with server/install.sh (the CTest
// fixture `assets_server_install` does).
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/temp_dir.hpp"

namespace converge::testing {

class JsonServer {
 public:
  // `database`: json-server's db.json content (collections → arrays). Items are
  // keyed by `id_field` (json-server --id).
  explicit JsonServer(const nlohmann::json& database, const std::string& id_field = "uuid");
  // The BI runtime with nothing in it: empty databases, datasets, charts, dashboards.
  static nlohmann::json empty_bi();
  ~JsonServer();
  JsonServer(const JsonServer&) = delete;
  JsonServer& operator=(const JsonServer&) = delete;

  const std::string& url() const { return url_; }  // http://127.0.0.1:<port>

  // The whole database as json-server holds it now (GET /db).
  nlohmann::json database() const;
  // Direct requests, as a UI or another client would make them; returns the status.
  long send(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr) const;
  // Request log lines ("METHOD /path if-match=…") since the last clear_log().
  std::vector<std::string> log() const;
  void clear_log() const;
  // Injected faults for the next requests (server/middleware.js, CONVERGE_ASSETS_FAULTS):
  // a JSON array of rules, replacing any left; [] clears them.
  void set_faults(const nlohmann::json& rules) const;
  // The rules not yet fired ([] when every one has).
  nlohmann::json faults() const;

 private:
  TempDir dir_;
  std::string url_;
  pid_t pid_ = -1;
};

}  // namespace converge::testing
