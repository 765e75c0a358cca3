// Formatting of Error and SourceLocation.
#include "converge/util/error.hpp"

namespace converge {

std::string SourceLocation::to_string() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

Error Error::usage(std::string message) { return {ExitCode::usage, std::move(message), std::nullopt}; }

Error Error::config(std::string message, SourceLocation where) {
  return {ExitCode::usage, std::move(message), std::move(where)};
}

Error Error::refused(std::string message) { return {ExitCode::refused, std::move(message), std::nullopt}; }

Error Error::runtime(std::string message) { return {ExitCode::failure, std::move(message), std::nullopt}; }

std::string Error::to_string() const {
  if (where && !where->file.empty()) return where->to_string() + ": " + message;
  return message;
}

Error Error::with_context(std::string_view context) const {
  Error e = *this;
  e.message = std::string(context) + ": " + message;
  return e;
}

}  // namespace converge
