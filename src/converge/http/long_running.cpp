// Following a long-running operation to its end (long_running.hpp).
#include "converge/http/long_running.hpp"

#include <charconv>
#include <nlohmann/json.hpp>
#include <thread>

namespace converge::http {
namespace {

using std::chrono::milliseconds;

milliseconds wait_of(const Response& r, const OperationPolicy& policy) {
  const std::string text = r.header("retry-after");
  long long seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || seconds < 0) return policy.first_wait;
  return std::min(milliseconds(seconds * 1000), policy.max_wait);
}

std::string one_line(std::string text, std::size_t limit) {
  if (text.size() > limit) text = text.substr(0, limit) + "…";
  for (auto& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

}  // namespace

Expected<Operation> follow_operation(Client& client, const Response& accepted, const std::string& label,
                                     const RequestFor& request_for, const Sleeper& sleeper,
                                     const OperationPolicy& policy) {
  Operation op;
  if (accepted.status == 200 || accepted.status == 201) {
    op.final = accepted;
    return op;
  }
  if (accepted.status != 202)
    return fail(Error::runtime(label + ": HTTP " + std::to_string(accepted.status) + " is not a long-running operation"));
  op.url = accepted.header("location");
  op.id = accepted.header("x-ms-operation-id");
  if (op.url.empty()) return fail(Error::runtime(label + ": answered 202 Accepted without a Location to follow"));
  const auto sleep = [&](milliseconds wait) {
    if (sleeper) sleeper(wait);
    else std::this_thread::sleep_for(wait);
  };
  const std::string what = label + " (operation " + (op.id.empty() ? op.url : op.id) + ")";
  milliseconds waited{0};
  milliseconds wait = wait_of(accepted, policy);
  for (int poll = 0;; ++poll) {
    if (poll >= policy.max_polls || waited + wait > policy.timeout)
      return fail(Error::runtime(what + ": still not finished after " +
                                 std::to_string(std::chrono::duration_cast<std::chrono::seconds>(waited).count()) +
                                 " s and " + std::to_string(poll) + " polls; it may still finish in the runtime"));
    sleep(wait);
    waited += wait;
    auto response = client.send(request_for(op.url));
    if (!response) return fail(response.error().with_context(what));
    if (response->status != 200 && response->status != 202)
      return fail(Error::runtime(what + ": polling answered HTTP " + std::to_string(response->status) + ": " +
                                 one_line(response->body, 300)));
    auto state = nlohmann::json::parse(response->body, nullptr, false);
    if (!state.is_object() || !state.contains("status") || !state["status"].is_string())
      return fail(Error::runtime(what + ": polling answered no operation status: " + one_line(response->body, 300)));
    const std::string status = state["status"].get<std::string>();
    if (status == "Succeeded") {
      op.final = std::move(*response);
      return op;
    }
    if (status == "Failed" || status == "Cancelled") {
      std::string detail;
      if (const auto& e = state.value("error", nlohmann::json()); e.is_object()) {
        auto text = [&](const char* field) {
          return e.contains(field) && e[field].is_string() ? e[field].get<std::string>() : std::string();
        };
        std::string code = text("errorCode"), message = text("message");
        detail = ": " + (code.empty() ? "" : code + ": ") + one_line(message, 500);
      }
      return fail(Error::runtime(what + " ended " + status + detail));
    }
    wait = wait_of(*response, policy);
  }
}

}  // namespace converge::http
