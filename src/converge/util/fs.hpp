// Small filesystem helpers: whole-file reads and atomic writes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "converge/util/error.hpp"

namespace converge::util {

// Whole file as bytes. Error (runtime) names the path when it cannot be read.
Expected<std::string> read_file(const std::filesystem::path& path);

// Writes through a temporary file in the same directory and renames it into place,
// so a reader never sees half a file. Creates missing parent directories.
Expected<void> write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

}  // namespace converge::util
