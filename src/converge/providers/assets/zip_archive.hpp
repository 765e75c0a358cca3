// ZIP archives in memory through libzip, for Superset's asset bundles: the import's
// upload is written here, the export's download read here within budgets (a bundle
// is YAML text; a ZIP that expands past the budget is refused before it is inflated).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "converge/util/error.hpp"

namespace converge::providers::assets {

struct ZipLimits {
  std::size_t max_entries = 20000;
  std::size_t max_entry_bytes = 16u << 20;   // one file, uncompressed
  std::size_t max_total_bytes = 256u << 20;  // every file, uncompressed
};

// A ZIP of `files` (name → content) in the given order, deflated, every entry dated
// 1980-01-01 so the same files give the same bytes. Error (runtime) when libzip fails.
Expected<std::string> write_zip(const std::vector<std::pair<std::string, std::string>>& files);

// The files of the ZIP `bytes` (name as stored → content; folders left out). Error
// (runtime) naming `what` when it is not a ZIP, an entry is damaged, a name repeats, or
// a budget of `limits` is passed.
Expected<std::map<std::string, std::string>> read_zip(std::string_view bytes, std::string_view what,
                                                      const ZipLimits& limits = {});

}  // namespace converge::providers::assets
