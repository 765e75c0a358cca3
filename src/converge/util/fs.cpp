// Whole-file reads, atomic writes of converge's own files and writes of outputs a
// user named (see fs.hpp for which targets are replaced and which written in place).
#include "converge/util/fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <iostream>

namespace converge::util {
namespace {

std::string why() { return std::strerror(errno); }

Error cannot(std::string_view what, const std::filesystem::path& path, const std::string& reason) {
  return Error::runtime("cannot " + std::string(what) + " " + path.string() + ": " + reason);
}

// Closes the descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now; false when close reports an error (a write that failed late).
  bool close() {
    int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool same_file(const struct stat& a, int fd) {
  struct stat b {};
  return ::fstat(fd, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// A new file next to `path`, opened exclusively (never through a planted symlink).
Expected<std::filesystem::path> create_temporary(const std::filesystem::path& path, int& fd) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto tmp = path;
    tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd >= 0) return tmp;
    if (errno != EEXIST) return fail(cannot("write", tmp, why()));
  }
  return fail(cannot("write", path, "no free temporary name beside it"));
}

Expected<void> replace_atomically(const std::filesystem::path& path, std::string_view bytes,
                                  const struct stat* existing) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  int raw = -1;
  auto tmp = create_temporary(path, raw);
  if (!tmp) return fail(tmp.error());
  Fd fd(raw);
  auto discard = [&](Error e) {
    std::filesystem::remove(*tmp, ec);
    return fail(std::move(e));
  };
  if (existing && ::fchmod(fd.get(), existing->st_mode & 07777) != 0) return discard(cannot("write", *tmp, why()));
  if (!write_all(fd.get(), bytes)) return discard(cannot("write", *tmp, why()));
  if (!fd.close()) return discard(cannot("write", *tmp, why()));
  if (::rename(tmp->c_str(), path.c_str()) != 0) return discard(cannot("rename into", path, why()));
  return {};
}

Expected<void> write_in_place(const std::filesystem::path& path, std::string_view bytes) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC | O_NOCTTY, 0666));
  if (fd.get() < 0) return fail(cannot("write", path, why()));
  if (!write_all(fd.get(), bytes) || !fd.close()) return fail(cannot("write", path, why()));
  return {};
}

Error refuse(const std::filesystem::path& path, mode_t mode) {
  return Error::usage("cannot write " + path.string() + ": " +
                      (S_ISDIR(mode) ? "it is a directory" : "it is a block device or a socket, not a file"));
}

Expected<void> write_to_stream(int fd, std::ostream& stream, const std::filesystem::path& path,
                               std::string_view bytes) {
  stream.flush();  // what the step printed before comes first
  if (!write_all(fd, bytes)) return fail(cannot("write", path, why()));
  return {};
}

}  // namespace

Expected<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return fail(cannot("read", path, why()));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail(cannot("read", path, why()));
  if (S_ISDIR(st.st_mode)) return fail(cannot("read", path, "it is a directory"));
  const std::string too_big = "it is larger than " + std::to_string(max_bytes) + " bytes";
  if (S_ISREG(st.st_mode) && static_cast<std::size_t>(st.st_size) > max_bytes)
    return fail(cannot("read", path, too_big));
  std::string out;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(cannot("read", path, why()));
    if (n == 0) break;
    if (static_cast<std::size_t>(n) > max_bytes - out.size()) return fail(cannot("read", path, too_big));
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

Expected<void> write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
  struct stat link {};
  if (::lstat(path.c_str(), &link) != 0) {
    if (errno != ENOENT) return fail(cannot("write", path, why()));
    return replace_atomically(path, bytes, nullptr);
  }
  if (S_ISREG(link.st_mode)) return replace_atomically(path, bytes, &link);
  if (S_ISLNK(link.st_mode)) return replace_atomically(path, bytes, nullptr);  // the link, not its target
  if (S_ISCHR(link.st_mode) || S_ISFIFO(link.st_mode)) return write_in_place(path, bytes);
  return fail(refuse(path, link.st_mode));
}

Expected<void> write_output(const std::filesystem::path& path, std::string_view bytes) {
  if (path == "-") return write_to_stream(STDOUT_FILENO, std::cout, "standard output", bytes);
  struct stat link {};
  if (::lstat(path.c_str(), &link) != 0) return write_file_atomic(path, bytes);
  struct stat target {};
  const bool resolved = ::stat(path.c_str(), &target) == 0;  // false for a dangling symlink
  if (resolved && same_file(target, STDOUT_FILENO)) return write_to_stream(STDOUT_FILENO, std::cout, path, bytes);
  if (resolved && same_file(target, STDERR_FILENO)) return write_to_stream(STDERR_FILENO, std::cerr, path, bytes);
  if (!S_ISLNK(link.st_mode)) return write_file_atomic(path, bytes);
  if (resolved && !S_ISREG(target.st_mode) && !S_ISCHR(target.st_mode) && !S_ISFIFO(target.st_mode))
    return fail(refuse(path, target.st_mode));
  return write_in_place(path, bytes);  // through the link
}

Expected<void> replace_tree(const std::filesystem::path& dir, const std::map<std::string, std::string>& files) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  const std::string name = dir.filename().string();
  // Leftovers of runs killed between their renames (their pid is in the name).
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const auto leftover = entry.path().filename().string();
    if (leftover.starts_with(name + ".new.") || leftover.starts_with(name + ".old.")) fs::remove_all(entry.path(), ec);
  }
  const std::string pid = std::to_string(::getpid());
  const fs::path staging = parent / (name + ".new." + pid);
  fs::create_directories(staging, ec);
  if (ec) return fail(cannot("create", staging, ec.message()));
  auto discard = [&](Error e) {
    fs::remove_all(staging, ec);
    return fail(std::move(e));
  };
  fs::path made = staging;  // the last directory made: files of one folder come together in path order
  for (const auto& [relative, bytes] : files) {
    const fs::path path = staging / relative;
    if (path.parent_path() != made) {
      fs::create_directories(path.parent_path(), ec);
      if (ec) return discard(cannot("create", dir / fs::path(relative).parent_path(), ec.message()));
      made = path.parent_path();
    }
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666));
    if (fd.get() < 0 || !write_all(fd.get(), bytes) || !fd.close()) return discard(cannot("write", dir / relative, why()));
  }
  const fs::path old = parent / (name + ".old." + pid);
  const bool existed = fs::symlink_status(dir, ec).type() != fs::file_type::not_found;
  if (existed && ::rename(dir.c_str(), old.c_str()) != 0) return discard(cannot("replace", dir, why()));
  if (::rename(staging.c_str(), dir.c_str()) != 0) {
    const Error e = cannot("replace", dir, why());
    if (existed) (void)::rename(old.c_str(), dir.c_str());
    return discard(e);
  }
  if (existed) fs::remove_all(old, ec);
  return {};
}

}  // namespace converge::util
