// SPDX-License-Identifier: MIT
// The API calls behind the approval of a re-plan (github/replan.hpp): the reactions
// to a comment and a person's permission on the repository. Same rules as api.cpp:
// every field read is type-checked, errors name the request and never the token.
#include "converge/github/api.hpp"
#include "converge/github/json_fields.hpp"

namespace converge::github {

using nlohmann::json;

Expected<std::vector<Reaction>> Api::comment_reactions(std::int64_t comment_id) {
  auto items = paginate("/repos/" + repository_ + "/issues/comments/" + std::to_string(comment_id) + "/reactions");
  if (!items) return fail(items.error());
  JsonReader reader(items->label, ExitCode::failure);
  std::vector<Reaction> out;
  for (size_t i = 0; i < items->items.size(); ++i) {
    JsonObject j(reader, &items->items[i], "[" + std::to_string(i) + "]");
    Reaction r{j.positive("id", Need::required), j.string("content", Need::required), {}, j.string("created_at")};
    if (auto u = j.object("user"); u.present()) {  // null: a deleted account, which counts for nobody
      r.user.login = u.string("login", Need::required);
      r.user.bot = u.string("type") == "Bot" || r.user.login.ends_with("[bot]");
    }
    if (reader.error()) return fail(*reader.error());
    out.push_back(std::move(r));
  }
  return out;
}

Expected<std::string> Api::collaborator_permission(const std::string& login) {
  const auto path = "/repos/" + repository_ + "/collaborators/" + http::percent_encode(login) + "/permission";
  auto response = call("GET", path, nullptr, /*missing_ok=*/true);
  if (!response) return fail(response.error());
  if (response->status == 404) return std::string("none");  // not a collaborator (or no such user)
  JsonReader reader("GET " + path, ExitCode::failure);
  json body = json::parse(response->body, nullptr, false);
  JsonObject j(reader, &body, "");
  auto permission = j.string("permission", Need::required);
  if (reader.error()) return fail(*reader.error());
  return permission;
}

}  // namespace converge::github
