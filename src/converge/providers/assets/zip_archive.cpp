// ZIP archives in memory through libzip (see zip_archive.hpp).
#include "converge/providers/assets/zip_archive.hpp"

#include <zip.h>

#include <cstdio>
#include <memory>

namespace converge::providers::assets {
namespace {

// 1980-01-01 00:00 local time as DOS date and time: the earliest a ZIP holds.
constexpr zip_uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;
constexpr zip_uint16_t kDosTime = 0;

std::string zip_message(zip_error_t* error) {
  std::string text = zip_error_strerror(error);
  zip_error_fini(error);
  return text;
}

}  // namespace

Expected<std::string> write_zip(const std::vector<std::pair<std::string, std::string>>& files) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (!buffer) return fail(Error::runtime("making a ZIP: " + zip_message(&error)));
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (!archive) {
    zip_source_free(buffer);
    return fail(Error::runtime("making a ZIP: " + zip_message(&error)));
  }
  zip_error_fini(&error);
  zip_source_keep(buffer);  // the bytes are read from it after zip_close
  auto give_up = [&](const std::string& why) {
    zip_discard(archive);
    zip_source_free(buffer);
    return Error::runtime("making a ZIP: " + why);
  };
  for (const auto& [name, content] : files) {
    zip_source_t* source = zip_source_buffer(archive, content.data(), content.size(), 0);
    if (!source) return fail(give_up(zip_strerror(archive)));
    zip_int64_t index = zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(source);
      return fail(give_up(name + ": " + zip_strerror(archive)));
    }
    if (zip_file_set_dostime(archive, static_cast<zip_uint64_t>(index), kDosTime, kDosDate, 0) < 0)
      return fail(give_up(name + ": " + zip_strerror(archive)));
  }
  if (zip_close(archive) < 0) return fail(give_up(zip_strerror(archive)));

  std::string out;
  if (zip_source_open(buffer) < 0) {
    zip_source_free(buffer);
    return fail(Error::runtime("making a ZIP: its buffer cannot be read"));
  }
  zip_source_seek(buffer, 0, SEEK_END);
  zip_int64_t size = zip_source_tell(buffer);
  zip_source_seek(buffer, 0, SEEK_SET);
  if (size > 0) {
    out.resize(static_cast<std::size_t>(size));
    zip_int64_t read = zip_source_read(buffer, out.data(), static_cast<zip_uint64_t>(size));
    if (read != size) out.clear();
  }
  zip_source_close(buffer);
  zip_source_free(buffer);
  if (out.empty()) return fail(Error::runtime("making a ZIP: its buffer cannot be read"));
  return out;
}

Expected<std::map<std::string, std::string>> read_zip(std::string_view bytes, std::string_view what,
                                                      const ZipLimits& limits) {
  const std::string prefix = std::string(what) + ": ";
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (!source) return fail(Error::runtime(prefix + zip_message(&error)));
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (!archive) {
    zip_source_free(source);
    return fail(Error::runtime(prefix + "cannot be read as a ZIP archive (" + zip_message(&error) + ")"));
  }
  zip_error_fini(&error);
  std::unique_ptr<zip_t, decltype(&zip_discard)> owned(archive, &zip_discard);  // frees the source too

  zip_int64_t count = zip_get_num_entries(archive, 0);
  if (count < 0 || static_cast<std::size_t>(count) > limits.max_entries)
    return fail(Error::runtime(prefix + "more than " + std::to_string(limits.max_entries) + " files"));
  std::map<std::string, std::string> files;
  std::size_t total = 0;
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t stat;
    if (zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &stat) < 0 || !(stat.valid & ZIP_STAT_NAME) ||
        !(stat.valid & ZIP_STAT_SIZE))
      return fail(Error::runtime(prefix + "entry " + std::to_string(i) + " cannot be read"));
    std::string name = stat.name;
    if (name.ends_with('/')) continue;
    if (stat.size > limits.max_entry_bytes)
      return fail(Error::runtime(prefix + name + " expands to more than " +
                                 std::to_string(limits.max_entry_bytes >> 20) + " MiB"));
    total += stat.size;
    if (total > limits.max_total_bytes)
      return fail(Error::runtime(prefix + "its files expand to more than " +
                                 std::to_string(limits.max_total_bytes >> 20) + " MiB"));
    zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(i), 0);
    if (!file) return fail(Error::runtime(prefix + name + ": " + zip_strerror(archive)));
    std::string content(stat.size, '\0');
    zip_int64_t read = stat.size ? zip_fread(file, content.data(), stat.size) : 0;
    char extra;
    bool longer = zip_fread(file, &extra, 1) > 0;  // a size that lies is damage, not a truncation to keep
    zip_fclose(file);
    if (read != static_cast<zip_int64_t>(stat.size) || longer)
      return fail(Error::runtime(prefix + name + " is damaged (its size does not match its data)"));
    if (!files.emplace(name, std::move(content)).second)
      return fail(Error::runtime(prefix + name + " is in it twice"));
  }
  return files;
}

}  // namespace converge::providers::assets
