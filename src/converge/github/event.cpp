// Reading and checking the event payload (see event.hpp).
#include "converge/github/event.hpp"

#include <nlohmann/json.hpp>

#include "converge/github/json_fields.hpp"
#include "converge/util/fs.hpp"

namespace converge::github {

Expected<Event> parse_event(std::string_view text, std::string_view source) {
  JsonReader reader{std::string(source), ExitCode::usage};
  nlohmann::json document = nlohmann::json::parse(text, nullptr, false);
  if (document.is_discarded()) {
    reader.reject_document("not valid JSON");
    return fail(*reader.error());
  }
  JsonObject root(reader, &document, "", Need::required);
  Event event;
  event.ref = root.string("ref");
  event.before = root.sha("before");
  if (auto pull = root.object("pull_request"); pull.present()) {
    EventPull p;
    p.number = pull.positive("number", Need::required);
    p.base_ref = pull.object("base", Need::required).string("ref", Need::required);
    p.base_sha = pull.object("base", Need::required).sha("sha");
    p.head_sha = pull.object("head", Need::required).sha("sha", Need::required);
    if (!reader.error() && p.base_ref.empty()) reader.reject(pull.path_of("base.ref"), "empty");
    event.pull_request = p;
  }
  event.default_branch = root.object("repository").string("default_branch");
  if (reader.error()) return fail(*reader.error());
  return event;
}

Expected<Event> read_event(const std::string& path) {
  const std::string source = "GITHUB_EVENT_PATH " + path;
  auto text = util::read_file(path, kEventLimit);
  if (!text) return fail(Error::usage("GITHUB_EVENT_PATH: " + text.error().message));
  return parse_event(*text, source);
}

}  // namespace converge::github
