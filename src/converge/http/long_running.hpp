// Long-running operations, as Microsoft's REST APIs run them (Fabric, Azure): a
// request answered 202 Accepted with a `Location` to poll (which may be on another
// host), `x-ms-operation-id` and `Retry-After`; each poll answers the operation's
// JSON state, {"status": "NotStarted" | "Running" | "Succeeded" | "Failed" |
// "Cancelled" | "Undefined", "error": {"errorCode", "message"}}, until it ends. Where
// the operation produces something (an item, a definition) it is at
// `<operation URL>/result`. Knows nothing of Fabric's items.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "converge/http/client.hpp"
#include "converge/util/error.hpp"

namespace converge::http {

struct OperationPolicy {
  std::chrono::milliseconds first_wait{std::chrono::seconds(1)};  // when a poll has no Retry-After
  std::chrono::milliseconds max_wait{std::chrono::seconds(60)};   // cap on one Retry-After
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};    // of the whole operation
  int max_polls = 2000;
};

struct Operation {
  std::string url;     // the operation's URL (Location), "" when the answer was final at once
  std::string id;      // x-ms-operation-id ("" when the server sent none)
  Response final;      // the last poll's answer (status Succeeded)
  std::string result_url() const { return url.empty() ? "" : url + "/result"; }
};

// Makes the request for a URL (the caller's headers: its authorization).
using RequestFor = std::function<Request(const std::string& url)>;

// Follows the operation `accepted` started. `accepted` must be a 202 with a Location;
// a 200 or 201 is returned as an Operation with no url (the server finished at once).
// Each poll goes through `client` (its retries: a 429 or 5xx poll is asked again).
// Error (runtime) naming `label` when the operation ends Failed or Cancelled (with its
// errorCode and message), when a poll answers a status other than 200/202 or a body
// without a status, after policy.timeout or max_polls, and for a 202 without Location.
Expected<Operation> follow_operation(Client& client, const Response& accepted, const std::string& label,
                                     const RequestFor& request_for, const Sleeper& sleeper = {},
                                     const OperationPolicy& policy = {});

}  // namespace converge::http
