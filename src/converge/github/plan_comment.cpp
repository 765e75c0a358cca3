// Sticky plan comment: marker, body within GitHub's size limit, status line.
#include "converge/github/plan_comment.hpp"

#include "converge/github/sticky.hpp"
#include "converge/plan/markdown.hpp"
#include "converge/plan/render.hpp"

namespace converge::github {
namespace {

constexpr std::string_view kMarkerStart = "<!-- converge:plan ";
constexpr std::string_view kStatusStart = "<!-- converge:status -->";

std::string field(std::string_view line, std::string_view name) {
  auto key = std::string(name) + "=";
  auto pos = line.find(" " + key);
  if (pos == std::string_view::npos) return {};
  pos += key.size() + 1;
  auto end = line.find(' ', pos);
  return std::string(line.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
}

}  // namespace

// Built by appending: g++ 12 reports a false -Warray-bounds on long `+` chains of
// std::string temporaries at -O2.
std::string marker_line(const Marker& m) {
  std::string line(kMarkerStart);
  for (std::string_view part : {std::string_view("v=1 env="), std::string_view(m.environment),
                                std::string_view(" sha="), std::string_view(m.sha), std::string_view(" plan="),
                                std::string_view(m.plan_hash), std::string_view(" -->")})
    line += part;
  return line;
}

std::optional<Marker> find_marker(std::string_view body) {
  auto start = body.find(kMarkerStart);
  if (start == std::string_view::npos) return std::nullopt;
  auto end = body.find("-->", start);
  if (end == std::string_view::npos) return std::nullopt;
  auto line = body.substr(start, end - start);
  Marker m{field(line, "env"), field(line, "sha"), field(line, "plan")};
  if (m.environment.empty()) return std::nullopt;
  return m;
}

bool is_plan_comment(std::string_view body, std::string_view environment) {
  auto m = find_marker(body);
  return m && m->environment == environment;
}

std::string comment_body(const plan::Plan& p, const std::string& head_sha, const std::string& run_url, size_t limit) {
  std::string head = marker_line({p.environment, head_sha, plan::hash(p)}) + "\n";
  std::string foot = run_url.empty() ? "" : "\n<sub>[workflow run](" + run_url + ")</sub>\n";
  const size_t room = limit > head.size() + foot.size() ? limit - head.size() - foot.size() : 0;
  return head + plan::render_markdown(p, room) + foot;
}

std::string with_status(std::string_view body, std::string_view status) {
  std::string out(body);
  if (auto pos = out.find(kStatusStart); pos != std::string::npos) {
    auto end = out.find('\n', pos);
    out.erase(pos, end == std::string::npos ? std::string::npos : end - pos + 1);
  }
  auto line_end = out.find('\n');
  std::string line(kStatusStart);
  line += " **";
  line += plan::md_plain(status);  // plain text: the status carries a break-glass reason
  line += "**\n";
  if (line_end == std::string::npos) return out + "\n" + line;
  out.insert(line_end + 1, line);
  return out;
}

}  // namespace converge::github

namespace converge::github {

namespace {

// Every plan comment of `environment` on `pr`, oldest first.
Expected<std::vector<Comment>> plan_comments(Api& api, std::int64_t pr, std::string_view environment) {
  auto comments = api.issue_comments(pr);
  if (!comments) return fail(comments.error());
  std::vector<Comment> out;
  for (auto& c : *comments)
    if (is_plan_comment(c.body, environment)) out.push_back(std::move(c));
  return out;
}

}  // namespace

Expected<std::optional<Comment>> find_plan_comment(Api& api, std::int64_t pr, std::string_view environment) {
  auto found = plan_comments(api, pr, environment);
  if (!found) return fail(found.error());
  if (found->empty()) return std::optional<Comment>();
  return std::optional<Comment>(std::move(found->front()));
}

Expected<Comment> upsert_plan_comment(Api& api, std::int64_t pr, std::string_view environment,
                                      const std::string& body) {
  StickyOps<Comment> ops{
      [&] { return plan_comments(api, pr, environment); },
      [&](const Comment& c) { return c.body == body; },
      [&](const Comment& c) { return api.update_comment(c.id, body); },
      [&] { return api.create_comment(pr, body); },
      [&](const Comment& c) { return api.delete_comment(c.id); },
  };
  return keep_one(ops, "plan comment");
}

}  // namespace converge::github
