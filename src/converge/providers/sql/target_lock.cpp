// The apply lock of a sql target's database, held for a whole apply so two runs
// never apply the same migration twice (a transaction:false migration cannot be
// undone by a rollback).
//
// PostgreSQL: a session-level advisory lock, key (0x636f6e76 'conv', 0x61706c79
// 'aply') in the target database, on a connection of its own that stays open while
// the Lock lives. The server releases it when that connection closes, also when the
// process is killed. The holding connection's last statement carries the holder's
// line as a comment ("-- holder: …"), so a waiting run names it from
// pg_stat_activity.
//
// SQLite: flock(LOCK_EX) on "<database file>.converge-lock" beside the file; the
// kernel releases it when the process dies. The holder's line is the file's content
// while it is held (emptied on release; the file itself stays, unlinking it would
// race with a waiter).
//
// Two targets of one run on the same database share one lock (a second advisory
// lock on another connection, or a second flock, would wait for the first forever).
#include <fcntl.h>
#include <libpq-fe.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <system_error>

#include "converge/providers/sql/database.hpp"

namespace converge::providers::sql {
namespace {

constexpr const char* kTryLock = "SELECT pg_try_advisory_lock(1668247158, 1634757753)";
constexpr const char* kHolderMark = "-- holder: ";
constexpr const char* kFindHolder = R"sql(
SELECT a.query, a.pid::text, a.application_name, coalesce(host(a.client_addr), 'a local socket'),
       coalesce(to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '')
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 1668247158 AND l.objid = 1634757753
  AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
LIMIT 1)sql";

std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

class PostgresLock final : public Lock {
 public:
  explicit PostgresLock(PGconn* conn) : conn_(conn) {}
  ~PostgresLock() override { PQfinish(conn_); }  // closing the session releases the lock
  PostgresLock(const PostgresLock&) = delete;
  PostgresLock& operator=(const PostgresLock&) = delete;

 private:
  PGconn* conn_;
};

struct FinishConn {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using Conn = std::unique_ptr<PGconn, FinishConn>;

// The first row of `sql` (empty when none); Error (runtime) with the server's message.
Expected<std::vector<std::string>> first_row(PGconn* conn, const std::string& sql, const std::string& label) {
  PGresult* res = PQexec(conn, sql.c_str());
  auto status = PQresultStatus(res);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    std::string why = one_line(res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
    PQclear(res);
    return fail(Error::runtime("apply lock on " + label + ": " + why));
  }
  std::vector<std::string> row;
  if (PQntuples(res) > 0)
    for (int c = 0; c < PQnfields(res); ++c) row.emplace_back(PQgetvalue(res, 0, c));
  PQclear(res);
  return row;
}

Expected<std::unique_ptr<Lock>> lock_postgres(const std::string& url, const LockRequest& request) {
  const std::string label = redact_url(url);
  const char* keys[] = {"connect_timeout", "dbname", "application_name", nullptr};
  const char* values[] = {"10", url.c_str(), "converge apply lock", nullptr};
  Conn conn(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  if (PQstatus(conn.get()) != CONNECTION_OK)
    return fail(Error::runtime("apply lock: cannot connect to " + label + ": " +
                               redact_url(one_line(PQerrorMessage(conn.get())))));
  auto attempt = [&]() -> Expected<LockAttempt> {
    auto got = first_row(conn.get(), kTryLock, label);
    if (!got) return fail(got.error());
    if (!got->empty() && got->front() == "t") {
      // The holder's line stays visible as this session's last statement.
      auto marked = first_row(conn.get(), "SELECT 'converge apply lock' " + std::string(kHolderMark) +
                                              one_line(request.holder) + "\n", label);
      if (!marked) return fail(marked.error());
      return LockAttempt{std::make_unique<PostgresLock>(conn.release()), ""};
    }
    auto row = first_row(conn.get(), kFindHolder, label);
    if (!row) return fail(row.error());
    if (row->size() < 5) return LockAttempt{nullptr, ""};  // released meanwhile: try again
    const auto& query = (*row)[0];
    if (auto mark = query.find(kHolderMark); mark != std::string::npos)
      return LockAttempt{nullptr, one_line(query.substr(mark + std::strlen(kHolderMark)))};
    return LockAttempt{nullptr, "PostgreSQL session " + (*row)[1] + " (" + (*row)[2] + ") from " + (*row)[3] +
                                    ", connected since " + (*row)[4]};
  };
  return wait_for_lock("the apply lock of database " + label, request, attempt);
}

class FileLock final : public Lock {
 public:
  explicit FileLock(int fd) : fd_(fd) {}
  ~FileLock() override {
    if (::ftruncate(fd_, 0) != 0) {
      // The holder line stays behind; the lock itself goes with close().
    }
    ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  off_t at = 0;
  while ((n = ::pread(fd, buf, sizeof buf, at)) > 0) {
    out.append(buf, static_cast<size_t>(n));
    at += n;
  }
  return one_line(out);
}

Expected<std::unique_ptr<Lock>> lock_sqlite(const std::filesystem::path& file, const LockRequest& request) {
  std::filesystem::path path = file;
  path += ".converge-lock";
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return fail(Error::runtime("apply lock " + path.string() + ": cannot open: " + std::strerror(errno)));
  auto attempt = [&]() -> Expected<LockAttempt> {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      std::string line = one_line(request.holder) + "\n";
      if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, line.data(), line.size(), 0) < 0) {
        // The lock holds without its holder line; a waiter then says "another run".
      }
      auto lock = std::make_unique<FileLock>(fd);
      fd = -1;
      return LockAttempt{std::move(lock), ""};
    }
    if (errno != EWOULDBLOCK && errno != EINTR)
      return fail(Error::runtime("apply lock " + path.string() + ": " + std::strerror(errno)));
    return LockAttempt{nullptr, read_all(fd)};
  };
  auto lock = wait_for_lock("the apply lock of database " + file.string(), request, attempt);
  if (fd >= 0) ::close(fd);
  return lock;
}

// The locks this process holds, by database, so its targets on one database share one.
// A forked child inherits the map but not the locks (flock and a connection belong to
// the parent), so entries carry the pid that holds them.
struct Held {
  std::mutex mutex;
  std::map<std::string, std::pair<pid_t, std::weak_ptr<Lock>>> by_database;
};
Held& held() {
  static Held instance;
  return instance;
}

class SharedLock final : public Lock {
 public:
  explicit SharedLock(std::shared_ptr<Lock> lock) : lock_(std::move(lock)) {}

 private:
  std::shared_ptr<Lock> lock_;
};

Expected<std::unique_ptr<Lock>> take(std::string_view url, const std::filesystem::path& repo_root,
                                     const LockRequest& request) {
  if (is_sqlite_url(url)) return lock_sqlite(sqlite_path(url, repo_root), request);
  if (is_postgres_url(url)) return lock_postgres(std::string(url), request);
  return fail(Error::runtime("unsupported database URL '" + redact_url(url) + "' (expected sqlite:///path or postgres://…)"));
}

}  // namespace

Expected<std::unique_ptr<Lock>> lock_database(std::string_view url, const std::filesystem::path& repo_root,
                                              const LockRequest& request) {
  const std::string key = is_sqlite_url(url)
                              ? std::filesystem::absolute(sqlite_path(url, repo_root)).lexically_normal().string()
                              : std::string(url);
  auto& registry = held();
  std::lock_guard guard(registry.mutex);
  auto& entry = registry.by_database[key];
  if (entry.first == ::getpid())
    if (auto shared = entry.second.lock()) return std::make_unique<SharedLock>(std::move(shared));
  auto lock = take(url, repo_root, request);
  if (!lock) return fail(lock.error());
  std::shared_ptr<Lock> shared(std::move(*lock));
  entry = {::getpid(), shared};
  return std::make_unique<SharedLock>(std::move(shared));
}

}  // namespace converge::providers::sql
