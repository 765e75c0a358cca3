// Finding a pg_dump new enough for the server and running it with the password in
// its environment. The URL is parsed by libpq (PQconninfoParse) and handed to pg_dump
// as a keyword=value connection string without the password, which goes to
// PGPASSWORD; so neither pg_dump's command line (/proc/<pid>/cmdline, `ps`) nor an
// error message ever holds it.
#include "converge/providers/sql/pg_dump.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <vector>

#include "converge/providers/sql/database.hpp"
#include "converge/util/subprocess.hpp"

namespace converge::providers::sql {
namespace {

namespace fs = std::filesystem;

// Where Debian and Ubuntu install each PostgreSQL major's client programs.
constexpr const char* kInstalledMajors = "/usr/lib/postgresql";

// The major version `pg_dump --version` prints ("pg_dump (PostgreSQL) 15.18 (Debian …)");
// 0 when the program does not run or prints something else.
int run_version(const std::string& path) {
  auto ran = util::run_process({path, "--version"}, {}, {.time = std::chrono::seconds(10), .output_bytes = 4096});
  if (!ran || ran->exit_code != 0 || !ran->out.starts_with("pg_dump")) return 0;
  auto close = ran->out.find(") ");
  if (close == std::string::npos) return 0;
  return std::atoi(ran->out.c_str() + close + 2);
}

// run_version(), remembered per path for the life of the process (a step plans
// several targets; the tests plan hundreds of times).
int version_of(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, int> known;
  {
    std::lock_guard lock(mutex);
    if (auto found = known.find(path); found != known.end()) return found->second;
  }
  int major = run_version(path);
  std::lock_guard lock(mutex);
  known[path] = major;
  return major;
}

// The majors installed under kInstalledMajors, lowest first.
std::vector<int> installed_majors() {
  std::vector<int> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kInstalledMajors, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
      out.push_back(std::stoi(name));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string quoted_value(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

struct Connection {
  std::string conninfo;  // keyword=value, without the password
  std::string password;  // "" when the URL has none
};

Expected<Connection> split_password(const std::string& url) {
  char* why = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &why);
  if (!options) {
    std::string message = why ? why : "out of memory";
    PQfreemem(why);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return fail(Error::runtime("cannot read the URL " + redact_url(url) + ": " + redact_url(message)));
  }
  Connection out;
  bool ssl_password = false;  // no environment variable carries it
  for (auto* o = options; o->keyword; ++o) {
    if (!o->val) continue;
    std::string_view keyword(o->keyword);
    if (keyword == "password") {
      out.password = o->val;
      continue;
    }
    ssl_password = ssl_password || keyword == "sslpassword";
    out.conninfo += (out.conninfo.empty() ? "" : " ") + std::string(keyword) + "=" + quoted_value(o->val);
  }
  PQconninfoFree(options);
  if (ssl_password)
    return fail(Error::usage("the URL " + redact_url(url) + " has an sslpassword, which pg_dump could only get on "
                             "its command line: use a key without a passphrase, or `pg_dump: none`"));
  return out;
}

// The first non-empty line of pg_dump's stderr, with the password masked should it
// ever appear there.
std::string first_line(const std::string& err, const std::string& password) {
  std::string line;
  size_t start = err.find_first_not_of("\n");
  if (start != std::string::npos) line = err.substr(start, err.find('\n', start) - start);
  if (!password.empty())
    for (size_t at; (at = line.find(password)) != std::string::npos;) line.replace(at, password.size(), "***");
  return line.empty() ? "no error message" : line;
}

}  // namespace

Expected<PgDumpChoice> find_pg_dump(int server_major, const std::string& configured) {
  // The environment's override is read here, the one place that runs pg_dump.
  std::string chosen = configured;
  const char* from_env = std::getenv("CONVERGE_PG_DUMP");
  if (chosen.empty() && from_env) chosen = from_env;
  if (chosen == "none") return PgDumpChoice{.tool = std::nullopt, .missing = "pg_dump is set to none"};
  if (!chosen.empty()) {
    int major = version_of(chosen);
    if (major == 0)
      return fail(Error::usage("pg_dump '" + chosen + "' does not run (or is not pg_dump): `" + chosen +
                               " --version` failed"));
    if (major < server_major)
      return fail(Error::usage("pg_dump '" + chosen + "' is version " + std::to_string(major) +
                               ", older than the server (" + std::to_string(server_major) + "); pg_dump >= " +
                               std::to_string(server_major) + " is needed"));
    return PgDumpChoice{.tool = PgDumpTool{chosen, major}, .missing = {}};
  }
  std::vector<std::string> candidates;
  auto majors = installed_majors();
  auto at = [](int major) { return std::string(kInstalledMajors) + "/" + std::to_string(major) + "/bin/pg_dump"; };
  if (std::find(majors.begin(), majors.end(), server_major) != majors.end()) candidates.push_back(at(server_major));
  for (int major : majors)
    if (major > server_major) candidates.push_back(at(major));
  candidates.push_back("pg_dump");
  std::string seen;
  for (const auto& path : candidates) {
    int major = version_of(path);
    if (major >= server_major) return PgDumpChoice{.tool = PgDumpTool{path, major}, .missing = {}};
    if (major > 0) seen += (seen.empty() ? "" : ", ") + ("pg_dump " + std::to_string(major) + " at " + path);
  }
  return PgDumpChoice{.tool = std::nullopt,
                      .missing = seen.empty() ? "no pg_dump found" : seen + " (older than the server)"};
}

Expected<std::string> run_pg_dump(const PgDumpTool& tool, const std::string& url, const PgDumpOptions& options) {
  auto connection = split_password(url);
  if (!connection) return fail(connection.error());
  std::vector<std::string> argv{tool.path, "--no-password", "--schema-only", "--no-owner", "--format=plain",
                                "--encoding=UTF8"};
  if (!options.privileges) argv.push_back("--no-privileges");
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  argv.push_back("--dbname=" + connection->conninfo);
  std::map<std::string, std::string> env;
  if (!connection->password.empty()) env["PGPASSWORD"] = connection->password;
  std::string what = "pg_dump of " + redact_url(url);
  auto ran = util::run_process(argv, env, {.time = options.time_limit, .output_bytes = options.output_limit});
  if (!ran) return fail(ran.error().with_context(what));
  if (ran->exit_code != 0)
    return fail(Error::runtime(what + " failed (exit " + std::to_string(ran->exit_code) +
                               "): " + first_line(ran->err, connection->password)));
  return std::move(ran->out);
}

}  // namespace converge::providers::sql
