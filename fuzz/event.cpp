// Fuzz target: the event payload a runner gives a step (the JSON file at
// GITHUB_EVENT_PATH), reduced to the fields converge reads (github/event.hpp).
// The input is the payload's content. Any input must end as an Event or one usage
// Error: a crash, hang, leak or exception fails, and so does an Event that breaks
// what event.hpp promises (a positive PR number, a 40-digit head SHA, ...).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "converge/github/approvals.hpp"
#include "converge/github/event.hpp"
#include "converge/util/error.hpp"

using converge::github::is_sha;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto event = converge::github::parse_event(text, "GITHUB_EVENT_PATH /fuzz/event.json");
  if (!event) {
    if (event.error().code != converge::ExitCode::usage || event.error().message.empty()) std::abort();
    return 0;
  }
  if (!event->before.empty() && !is_sha(event->before)) std::abort();
  if (const auto& pr = event->pull_request) {
    if (pr->number <= 0 || pr->base_ref.empty() || !is_sha(pr->head_sha)) std::abort();
  }
  return 0;
}
