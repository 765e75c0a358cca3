// Typed reads of JSON that came from outside converge (an event payload, a GitHub
// API response), checked where it enters. Each read names the field by its path
// ("pull_request.head.sha", "[3].user.login"); the first field of the wrong type is
// recorded as ONE error "<source>: <path>: expected an integer, got \"5\"" with the
// exit code of its source (2 for the event a runner gave, 3 for a server's answer),
// and reads go on returning empty values, so a parser is a plain list of reads with
// one check of error() at the end.
//
// Absent and null read the same: empty for an optional field, "missing" for a
// required one.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "converge/util/error.hpp"

namespace converge::github {

enum class Need { optional, required };

class JsonReader {
 public:
  // `source` names where the JSON came from ("GITHUB_EVENT_PATH /x/event.json",
  // "GET /repos/o/r/pulls/5"); `code` is the exit code of an error in it.
  JsonReader(std::string source, ExitCode code) : source_(std::move(source)), code_(code) {}

  // The first error recorded; nullopt while every read was fine.
  const std::optional<Error>& error() const { return error_; }
  // Records "<source>: <path>: <what>" unless an error is recorded already.
  void reject(std::string_view path, std::string_view what);
  // Records "<source>: <what>" (a problem with the whole document).
  void reject_document(std::string_view what);

 private:
  std::string source_;
  ExitCode code_;
  std::optional<Error> error_;
};

// A JSON value (an object, or absent) at a path, read through a JsonReader.
class JsonObject {
 public:
  // `value` may be null (absent); anything but an object or null is rejected.
  JsonObject(JsonReader& reader, const nlohmann::json* value, std::string path, Need need = Need::required);

  bool present() const { return value_ != nullptr; }
  const std::string& path() const { return path_; }

  // A string; "" when absent or null (optional) or on a recorded error.
  std::string string(std::string_view key, Need need = Need::optional) const;
  // A full 40-digit hexadecimal commit SHA; "" as string() does.
  std::string sha(std::string_view key, Need need = Need::optional) const;
  // A whole number within 64 bits (5.0 and 5.7 are not); `fallback` when absent or
  // null (optional) or on a recorded error.
  std::int64_t integer(std::string_view key, Need need = Need::optional, std::int64_t fallback = 0) const;
  // integer(), also rejecting zero and negative numbers (ids, numbers).
  std::int64_t positive(std::string_view key, Need need = Need::optional) const;
  // A boolean; nullopt when absent or null (optional) or on a recorded error.
  std::optional<bool> boolean(std::string_view key, Need need = Need::optional) const;
  // A nested object; not present() when absent or null (optional) or on an error.
  JsonObject object(std::string_view key, Need need = Need::optional) const;
  // An array member, or nullptr when absent or null (optional) or on an error.
  const nlohmann::json* array(std::string_view key, Need need = Need::optional) const;
  // Any JSON at `key` (nullptr when absent), unchecked.
  const nlohmann::json* raw(std::string_view key) const;

  // "<path>.<key>" (or "<key>" at the top).
  std::string path_of(std::string_view key) const;

 private:
  // The member, or nullptr when absent or null (recording "missing" when required).
  const nlohmann::json* member(std::string_view key, Need need) const;
  void wrong_type(std::string_view key, std::string_view expected, const nlohmann::json& got) const;

  JsonReader* reader_;
  const nlohmann::json* value_ = nullptr;
  std::string path_;
};

// A short one-line rendering of a JSON value for an error message (at most about
// 40 characters: a payload field can be long).
std::string json_excerpt(const nlohmann::json& value);

}  // namespace converge::github
