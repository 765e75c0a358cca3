// Scratch databases for replaying migrations (scratch.hpp): made on the target's
// PostgreSQL server or as a temporary SQLite file, and always dropped again.
#include "converge/providers/sql/scratch.hpp"
#include "converge/util/utc_time.hpp"

#include <chrono>
#include <ctime>
#include <system_error>

#include "converge/util/hex.hpp"

namespace converge::providers::sql {
namespace {

namespace fs = std::filesystem;

constexpr auto kLeftoverAge = std::chrono::hours(24);

std::string ident(std::string_view name) { return "\"" + std::string(name) + "\""; }

// Drops a scratch database; a session still on it is ended (WITH (FORCE), PostgreSQL
// 13+; older servers take the plain form). Never fails loudly: cleanup.
void drop(Database& admin, std::string_view name) {
  if (!admin.exec("DROP DATABASE IF EXISTS " + ident(name) + " WITH (FORCE)"))
    (void)admin.exec("DROP DATABASE IF EXISTS " + ident(name));
}

// "20261206104700": the UTC time a scratch name carries.
std::string stamp(std::chrono::system_clock::time_point at) { return util::utc_time("%Y%m%d%H%M%S", at); }

// When the scratch database `name` was made; nullopt for a name that is not one.
std::optional<std::chrono::system_clock::time_point> made_at(std::string_view name) {
  if (!name.starts_with(kScratchPrefix)) return std::nullopt;
  std::string_view digits = name.substr(kScratchPrefix.size(), 14);
  if (digits.size() != 14 || digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  std::tm tm{};
  auto number = [&](size_t at, size_t n) { return std::stoi(std::string(digits.substr(at, n))); };
  tm.tm_year = number(0, 4) - 1900;
  tm.tm_mon = number(4, 2) - 1;
  tm.tm_mday = number(6, 2);
  tm.tm_hour = number(8, 2);
  tm.tm_min = number(10, 2);
  tm.tm_sec = number(12, 2);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// Drops the scratch databases of killed runs (older than a day) that this role may
// drop; the others stay, harmlessly.
void drop_leftovers(Database& admin) {
  auto rows = admin.query("SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
                          {std::string(kScratchPrefix)});
  if (!rows) return;
  auto now = std::chrono::system_clock::now();
  for (const auto& row : *rows) {
    auto at = made_at(row.at(0));
    if (at && now - *at > kLeftoverAge) drop(admin, row.at(0));
  }
}

class PostgresScratch final : public Scratch {
 public:
  PostgresScratch(std::unique_ptr<Database> admin, std::string name, std::unique_ptr<Database> db, std::string label)
      : admin_(std::move(admin)), name_(std::move(name)), db_(std::move(db)), label_(std::move(label)) {}
  ~PostgresScratch() override {
    db_.reset();  // its connection closes before the drop
    drop(*admin_, name_);
  }
  PostgresScratch(const PostgresScratch&) = delete;
  PostgresScratch& operator=(const PostgresScratch&) = delete;
  Database& db() override { return *db_; }
  std::string label() const override { return label_; }

 private:
  std::unique_ptr<Database> admin_;
  std::string name_;
  std::unique_ptr<Database> db_;
  std::string label_;
};

class SqliteScratch final : public Scratch {
 public:
  SqliteScratch(fs::path file, std::unique_ptr<Database> db) : file_(std::move(file)), db_(std::move(db)) {}
  ~SqliteScratch() override {
    db_.reset();
    std::error_code ec;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(file_.string() + suffix, ec);
  }
  SqliteScratch(const SqliteScratch&) = delete;
  SqliteScratch& operator=(const SqliteScratch&) = delete;
  Database& db() override { return *db_; }
  std::string label() const override { return file_.string(); }

 private:
  fs::path file_;
  std::unique_ptr<Database> db_;
};

ScratchOrWhyNot make_postgres_scratch(std::string_view url, const DumpSettings& dump) {
  const std::string where = "the server of " + redact_url(url);
  auto admin = open_postgres(std::string(url), dump);
  if (!admin) return {nullptr, "cannot connect to " + where + ": " + admin.error().message};
  auto role = (*admin)->query("SELECT (rolcreatedb OR rolsuper)::text, current_user FROM pg_roles"
                              " WHERE rolname = current_user", {});
  if (!role) return {nullptr, "cannot read the role's privileges on " + where + ": " + role.error().message};
  if (role->empty() || role->front().at(0) != "true")
    return {nullptr, "role " + (role->empty() ? std::string("(unknown)") : role->front().at(1)) +
                         " may not create databases (CREATEDB) on " + where};
  drop_leftovers(**admin);
  std::string name = std::string(kScratchPrefix) + stamp(std::chrono::system_clock::now()) + "_" + util::random_hex(12);
  if (auto made = (*admin)->exec("CREATE DATABASE " + ident(name)); !made)
    return {nullptr, "CREATE DATABASE failed on " + where + ": " + made.error().message};
  const std::string scratch_url = with_database(url, name);
  auto db = open_postgres(scratch_url, dump);
  if (!db) {
    drop(**admin, name);
    return {nullptr, "cannot connect to the scratch database on " + where + ": " + db.error().message};
  }
  return {std::make_unique<PostgresScratch>(std::move(*admin), name, std::move(*db), redact_url(scratch_url)), ""};
}

ScratchOrWhyNot make_sqlite_scratch() {
  std::error_code ec;
  fs::path dir = fs::temp_directory_path(ec);
  if (ec) return {nullptr, "no temporary directory: " + ec.message()};
  fs::path file = dir / (std::string(kScratchPrefix) + util::random_hex(12) + ".db");
  auto db = open_sqlite(file, OpenMode::write);
  if (!db) return {nullptr, "cannot create " + file.string() + ": " + db.error().message};
  return {std::make_unique<SqliteScratch>(file, std::move(*db)), ""};
}

}  // namespace

std::string with_database(std::string_view url, std::string_view name) {
  std::string out(url);
  size_t scheme = out.find("://");
  if (scheme == std::string::npos) return out;
  size_t path = out.find_first_of("/?#", scheme + 3);
  if (path == std::string::npos) {
    out += "/" + std::string(name);
  } else if (out[path] == '/') {
    size_t end = out.find_first_of("?#", path);
    out.replace(path + 1, (end == std::string::npos ? out.size() : end) - path - 1, name);
  } else {
    out.insert(path, "/" + std::string(name));
  }
  // A dbname= query parameter wins over the path in libpq: replace it too.
  size_t query = out.find('?');
  for (size_t at = query; at != std::string::npos && at < out.size(); at = out.find('&', at + 1)) {
    if (out.compare(at + 1, 7, "dbname=") != 0) continue;
    size_t value = at + 8;
    size_t end = out.find_first_of("&#", value);
    out.replace(value, (end == std::string::npos ? out.size() : end) - value, name);
  }
  return out;
}

ScratchOrWhyNot make_scratch(std::string_view url, const DumpSettings& dump) {
  if (is_postgres_url(url)) return make_postgres_scratch(url, dump);
  if (is_sqlite_url(url)) return make_sqlite_scratch();
  return {nullptr, "no scratch database for '" + redact_url(url) + "'"};
}

}  // namespace converge::providers::sql
