// RAII temporary directory for tests (git repositories, SQLite files, repos).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace converge::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  // Writes `text` to path()/relative, creating parent directories.
  void write(std::string_view relative, std::string_view text) const;

 private:
  std::filesystem::path path_;
};

// The whole file as bytes; "" when it cannot be read.
std::string slurp(const std::filesystem::path& path);

}  // namespace converge::testing
