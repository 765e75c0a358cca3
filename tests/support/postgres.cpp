// Scratch databases on the test PostgreSQL server (libpq).
#include "support/postgres.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <random>
#include <stdexcept>

namespace converge::testing {
namespace {

std::string server_url() {
  const char* url = std::getenv("CONVERGE_TEST_POSTGRES_URL");
  return url ? url : "";
}

// Replaces the database name (the path) of a postgres:// URL.
std::string with_database(const std::string& url, const std::string& db) {
  auto scheme_end = url.find("://");
  auto slash = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  auto query = url.find('?');
  std::string base = slash == std::string::npos ? url.substr(0, query) : url.substr(0, slash);
  std::string rest = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + db + rest;
}

void run(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("test postgres: " + msg);
  }
  PGresult* res = PQexec(conn, sql.c_str());
  auto status = PQresultStatus(res);
  std::string msg = PQresultErrorMessage(res);
  PQclear(res);
  PQfinish(conn);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw std::runtime_error("test postgres: " + msg);
}

}  // namespace

bool postgres_configured() { return !server_url().empty(); }

bool postgres_skipped() {
  const char* skip = std::getenv("CONVERGE_TEST_SKIP_POSTGRES");
  return skip && std::string(skip) == "1";
}

ScratchDatabase::ScratchDatabase() {
  std::random_device rd;
  name_ = "converge_test_" + std::to_string(rd()) + std::to_string(rd() % 1000);
  run(with_database(server_url(), "postgres"), "CREATE DATABASE " + name_);
  url_ = with_database(server_url(), name_);
}

ScratchDatabase::~ScratchDatabase() {
  try {
    run(with_database(server_url(), "postgres"), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
  }
}

void ScratchDatabase::exec(const std::string& sql) const { run(url_, sql); }

std::string ScratchDatabase::query_value(const std::string& sql) const {
  PGconn* conn = PQconnectdb(url_.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("test postgres: " + msg);
  }
  PGresult* res = PQexec(conn, sql.c_str());
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    std::string msg = PQresultErrorMessage(res);
    PQclear(res);
    PQfinish(conn);
    throw std::runtime_error("test postgres: " + msg);
  }
  std::string out = PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "";
  PQclear(res);
  PQfinish(conn);
  return out;
}

}  // namespace converge::testing
