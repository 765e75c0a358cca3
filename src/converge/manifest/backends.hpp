// Internal to manifest/: the store backends that open.cpp's scheme table points at,
// and the helpers they share (URL redaction, the test-only fault hook).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "converge/manifest/store.hpp"

namespace converge::manifest::detail {

// `path` is what follows "sqlite://" ("/relative" or "//absolute"). Creates the file,
// its parent directories and the schema as needed.
Expected<std::unique_ptr<Store>> open_sqlite(std::string_view url, std::string_view path,
                                             const std::filesystem::path& base_dir);

// `url` is a libpq URI (postgres:// or postgresql://). Creates the schema as needed.
Expected<std::unique_ptr<Store>> open_postgres(std::string_view url, std::string_view path,
                                               const std::filesystem::path& base_dir);

// The URL with any password replaced by "***" (user:***@host, ?password=***), safe
// for errors and logs.
std::string redact_url(std::string_view url);

// `text` with every occurrence of the URL's password (raw and percent-decoded)
// replaced by "***": for driver messages that might echo it back.
std::string scrub_password(std::string text, std::string_view url);

// TEST-ONLY HOOK: when CONVERGE_FAULT_PAUSE_IN_RECORD_MS is set, sleeps that many
// milliseconds. Stores call it in record() after inserting and before COMMIT, so a
// test can SIGKILL the process in the middle of the transaction.
void pause_for_fault_injection();

}  // namespace converge::manifest::detail
