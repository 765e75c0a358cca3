// Small filesystem helpers: whole-file reads and output writes (atomic where the
// target is a regular file, in place where it is a device, a FIFO or a symlink).
#pragma once

#include <cstddef>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <string_view>

#include "converge/util/error.hpp"

namespace converge::util {

// Whole file as bytes. Error (runtime) naming the path when it cannot be read, is a
// directory, or holds more than `max_bytes` (checked before and while reading, so a
// huge file is never read into memory).
Expected<std::string> read_file(const std::filesystem::path& path,
                                std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

// Writes a file converge owns (a bundle, a schema snapshot, an apply result) so a
// reader never sees half of it: through a new temporary file in the same directory,
// renamed over `path`; an existing file keeps its permission bits; missing parent
// directories are created. Never writes through a symlink: a symlink at `path` is
// replaced by the file (a link committed to the repository cannot make converge
// write outside it). A character device or FIFO at `path` is written in place, never
// replaced (`/dev/null` stays a device). A directory, a block device or a socket is
// an Error (usage). Error (runtime) naming the path when the write fails.
Expected<void> write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// Writes an output a user named on the command line (`--out`):
// - "-": standard output.
// - the file this process's standard output or standard error already writes to
//   (`/dev/stdout`, `/proc/self/fd/1`, the very file stdout is redirected to):
//   written through that descriptor, after what was printed before.
// - a symlink (to anything but a directory), a character device or a FIFO: opened
//   and written in place (truncated first), never replaced: `/dev/stdout` stays a
//   symlink, a link keeps pointing where its owner pointed it. A symlink to a
//   regular file is written in place too, through the link (not atomic): it may be a
//   redirection (`/dev/fd/N`) that renaming would detach.
// - otherwise as write_file_atomic (a regular file or a new one: atomic).
Expected<void> write_output(const std::filesystem::path& path, std::string_view bytes);

// Makes `dir` hold exactly `files` (path relative to `dir` → bytes): written into a
// new sibling directory, which then takes the place of `dir` by rename, and the old
// `dir` is removed. A file of `dir` that is not in `files` does not linger, a reader
// finds the old tree or the new one (a run killed between the two renames leaves
// the new one beside as `<dir>.new.<pid>`, which the next run removes with its own
// leftovers), and no file is written through a symlink. One create and one write
// per file: no temporary file and rename per file (a 10,000-item bundle's write cost
// most of `converge compile`). Error (runtime) naming the path when a write fails;
// `dir` is then unchanged.
Expected<void> replace_tree(const std::filesystem::path& dir, const std::map<std::string, std::string>& files);

}  // namespace converge::util
