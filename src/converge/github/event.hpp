// The event payload a runner hands a step (the JSON file at GITHUB_EVENT_PATH),
// reduced to the fields converge reads, each checked where it enters: a field of
// the wrong type is a usage error (exit 2) naming the variable, the file and the
// field, e.g. `GITHUB_EVENT_PATH /x/event.json: pull_request.number: expected an
// integer, got "5"`. Fields converge does not read are not looked at.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "converge/util/error.hpp"

namespace converge::github {

// The largest payload read (GitHub caps webhook payloads at 25 MB).
inline constexpr std::size_t kEventLimit = 32u << 20;

// `pull_request` of a pull_request, pull_request_target or pull_request_review event.
struct EventPull {
  std::int64_t number = 0;  // positive
  std::string base_ref;     // base.ref, not empty
  std::string head_sha;     // head.sha, 40 hexadecimal digits
  std::string base_sha;     // base.sha, 40 hexadecimal digits; "" when absent
};

struct Event {
  std::string ref;             // `ref` (push, workflow_dispatch); "" when absent
  std::string before;          // `before` (push; pull_request synchronize): the previous tip or head, 40 hex digits; "" when absent
  std::optional<EventPull> pull_request;
  std::string default_branch;  // repository.default_branch; "" when absent
};

// Parses a payload. `source` names it in errors ("GITHUB_EVENT_PATH /x/event.json").
// Error (usage) for text that is not a JSON object or a read field of the wrong type.
Expected<Event> parse_event(std::string_view text, std::string_view source);

// Reads and parses the payload file `path` (at most kEventLimit bytes). Error (usage)
// "GITHUB_EVENT_PATH: cannot read <path>: <why>" when it cannot be read (missing, a
// directory, too large); parse_event's errors when it cannot be parsed.
Expected<Event> read_event(const std::string& path);

}  // namespace converge::github
