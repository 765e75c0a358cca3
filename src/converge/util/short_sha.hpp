// The 12-character form of a commit SHA that logs, comments and errors show.
#pragma once

#include <string>
#include <string_view>

namespace converge::util {

inline std::string short_sha(std::string_view sha) { return std::string(sha.substr(0, 12)); }

}  // namespace converge::util
