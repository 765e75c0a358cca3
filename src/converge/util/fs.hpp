// Small filesystem helpers: whole-file reads and output writes (atomic where the
// target is a regular file, in place where it is a device, a FIFO or a symlink).
#pragma once

#include <cstddef>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>

#include "converge/util/error.hpp"

namespace converge::util {

// Whole file as bytes. Error (runtime) naming the path when it cannot be read, is a
// directory, or holds more than `max_bytes` (checked before and while reading, so a
// huge file is never read into memory).
Expected<std::string> read_file(const std::filesystem::path& path,
                                std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

// Writes `bytes` to `path`; what happens depends on what `path` is now:
// - nothing, or a regular file (not a symlink): written to a new temporary file in the
//   same directory and renamed over the path, so a reader never sees half a file (an
//   existing file keeps its permission bits). Creates missing parent directories.
// - the file this process's standard output or standard error already writes to
//   (`/dev/stdout`, `/proc/self/fd/1`, or the very file stdout is redirected to):
//   written through that descriptor, after what was printed before.
// - a symlink (to anything but a directory), a character device or a FIFO: opened
//   and written in place (truncated first), never replaced: a symlink stays the same
//   symlink, `/dev/null` stays a device. Not atomic. A symlink to a regular file is
//   written in place too, through the link: it may be a redirection (`/dev/fd/N`)
//   that renaming would detach, and its owner chose where it points.
// - a directory, a block device or a socket: Error (usage), nothing is written.
// Error (runtime) naming the path when the write fails.
Expected<void> write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// write_file_atomic for an output a user named on the command line, where "-" means
// standard output.
Expected<void> write_output(const std::filesystem::path& path, std::string_view bytes);

}  // namespace converge::util
