// The two kinds of failure converge knows: expected ones are values (Error in a
// std::expected), unexpected ones are thrown as Failure and caught once per step.
#pragma once

#include <expected>
#include <optional>
#include <stdexcept>
#include <string>

namespace converge {

// Exit codes shared by every step (docs/exit-codes.md).
enum class ExitCode : int {
  ok = 0,        // done, no changes, no drift
  refused = 1,   // drift found, or a gate refused
  usage = 2,     // bad flags or configuration
  failure = 3,   // runtime or provider failure
};

// Where in a parsed file something was found. line/column are 1-based; 0 = unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  std::string to_string() const;  // "file:line:column", shorter when parts are unknown
};

struct Error {
  ExitCode code = ExitCode::failure;
  std::string message;
  std::optional<SourceLocation> where;

  static Error usage(std::string message);
  static Error config(std::string message, SourceLocation where);
  static Error refused(std::string message);
  static Error runtime(std::string message);

  // One line: "file:line:column: message" or just the message.
  std::string to_string() const;
  // The same error with more context in front: "<context>: <message>".
  Error with_context(std::string_view context) const;
};

template <class T>
using Expected = std::expected<T, Error>;

inline std::unexpected<Error> fail(Error e) { return std::unexpected<Error>(std::move(e)); }

// Unexpected failure (a broken invariant, an unusable runtime). Thrown, caught once per step.
class Failure : public std::runtime_error {
 public:
  explicit Failure(const std::string& what, ExitCode code = ExitCode::failure)
      : std::runtime_error(what), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

}  // namespace converge
