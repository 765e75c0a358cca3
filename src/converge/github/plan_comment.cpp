// Sticky plan comment: marker, body within GitHub's size limit, status line.
#include "converge/github/plan_comment.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "converge/github/approvals.hpp"
#include "converge/github/sticky.hpp"
#include "converge/plan/markdown.hpp"
#include "converge/plan/render.hpp"

namespace converge::github {
namespace {

constexpr std::string_view kMarkerStart = "<!-- converge:plan ";
constexpr std::string_view kStatusStart = "<!-- converge:status -->";
constexpr std::string_view kSectionStart = "<!-- converge:";  // a section converge appends (gate change)

// What a marker may carry: a name as converge.yaml allows it (letters, digits, '-',
// '_', '.'), a 40-digit SHA, a 64-digit plan hash; nothing that could end the HTML
// comment or add a field.
bool is_marker_name(std::string_view s) {
  return !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
                           std::string_view::npos;
}

bool is_hash(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// The value when `line` starts with "<name>=<value>" followed by `separator` (" ",
// or "" at the end), else nullopt; `line` moves past both.
std::optional<std::string_view> take(std::string_view& line, std::string_view name, std::string_view separator) {
  if (!line.starts_with(name) || line.substr(name.size()).substr(0, 1) != "=") return std::nullopt;
  std::string_view rest = line.substr(name.size() + 1);
  std::string_view value = rest.substr(0, rest.find(' '));
  rest.remove_prefix(value.size());
  if (separator.empty() ? !rest.empty() : !rest.starts_with(separator)) return std::nullopt;
  line = rest.substr(separator.size());
  return value;
}

std::string footer(const std::string& run_url) {
  return run_url.empty() ? "" : "\n<sub>[workflow run](" + run_url + ")</sub>\n";
}

// The body without the status line converge writes as the second line
// ("<!-- converge:status --> **text**", text without markup). Any other second
// line, or a status line elsewhere, stays and so makes the comparison fail.
std::string without_status(std::string_view body) {
  auto first = body.find('\n');
  if (first == std::string_view::npos) return std::string(body);
  auto second = body.find('\n', first + 1);
  std::string_view line = body.substr(first + 1, second == std::string_view::npos ? body.npos : second - first - 1);
  std::string_view text = line.substr(std::min(line.size(), kStatusStart.size()));
  const bool plain = text.starts_with(" **") && text.ends_with("**") && text.size() >= 5 &&
                     text.substr(3, text.size() - 5).find_first_of("<>*`[]\r\n") == std::string_view::npos;
  if (!line.starts_with(kStatusStart) || !plain) return std::string(body);
  std::string out(body.substr(0, first + 1));
  if (second != std::string_view::npos) out += body.substr(second + 1);
  return out;
}

}  // namespace

// Built by appending: g++ 12 reports a false -Warray-bounds on long `+` chains of
// std::string temporaries at -O2.
std::string marker_line(const Marker& m) {
  if (!is_marker_name(m.environment) || !is_sha(m.sha) || !is_hash(m.plan_hash))
    throw Failure("a plan comment marker with a field that would not read back (environment \"" + m.environment +
                  "\", sha \"" + m.sha + "\")");
  std::string line(kMarkerStart);
  for (std::string_view part : {std::string_view("v=1 env="), std::string_view(m.environment),
                                std::string_view(" sha="), std::string_view(m.sha), std::string_view(" plan="),
                                std::string_view(m.plan_hash), std::string_view(" -->")})
    line += part;
  return line;
}

std::optional<Marker> find_marker(std::string_view body) {
  std::string_view line = body.substr(0, body.find('\n'));
  if (line.ends_with('\r')) line.remove_suffix(1);
  if (!line.starts_with(kMarkerStart) || !line.ends_with(" -->")) return std::nullopt;
  line.remove_prefix(kMarkerStart.size());
  line.remove_suffix(4);
  // Exactly "v=1 env=<name> sha=<sha> plan=<hash>": each field once, in this order.
  auto version = take(line, "v", " ");
  auto env = version ? take(line, "env", " ") : std::nullopt;
  auto sha = env ? take(line, "sha", " ") : std::nullopt;
  auto hash = sha ? take(line, "plan", "") : std::nullopt;
  if (!hash || *version != "1" || !is_marker_name(*env) || !is_sha(*sha) || !is_hash(*hash)) return std::nullopt;
  return Marker{std::string(*env), std::string(*sha), std::string(*hash)};
}

bool is_plan_comment(std::string_view body, std::string_view environment) {
  auto m = find_marker(body);
  return m && m->environment == environment;
}

std::string comment_body(const plan::Plan& p, const std::string& head_sha, const std::string& run_url, size_t limit) {
  std::string head = marker_line({p.environment, head_sha, plan::hash(p)}) + "\n";
  std::string foot = footer(run_url);
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

bool shows_plan(std::string_view body, const plan::Plan& p, const std::string& head_sha, const std::string& run_url,
                const std::function<std::string(std::string_view)>& redact) {
  if (!is_sha(head_sha)) return false;  // no comment converge writes carries it
  const std::string text = without_status(body);
  std::string_view plan_part = text;
  std::string_view appendix;
  // A section plan-comment appends after the footer (the gate-change notice) is
  // converge's too, but is not the plan: it is not compared; it only takes room.
  if (const std::string foot = footer(run_url); !foot.empty()) {
    if (auto at = plan_part.find(foot); at != std::string_view::npos) {
      appendix = plan_part.substr(at + foot.size());
      plan_part = plan_part.substr(0, at + foot.size());
    }
    std::string_view section = appendix.starts_with('\n') ? appendix.substr(1) : appendix;
    if (!appendix.empty() && !section.starts_with(kSectionStart)) return false;
  }
  if (appendix.size() >= kCommentLimit) return false;
  const std::string written = comment_body(p, head_sha, run_url, kCommentLimit - appendix.size());
  return plan_part == (redact ? redact(written) : written);
}

}  // namespace converge::github

namespace converge::github {

namespace {

// converge's own plan comments of `environment` among `comments`, oldest first.
Expected<std::vector<Comment>> own_plan_comments(Api& api, std::vector<Comment> comments,
                                                 std::string_view environment) {
  auto self = api.identity();
  if (!self) return fail(self.error());
  std::vector<Comment> out;
  for (auto& c : comments)
    if (same_login(c.user.login, *self) && is_plan_comment(c.body, environment)) out.push_back(std::move(c));
  return out;
}

// Every plan comment of `environment` on `pr` written by converge's identity, oldest first.
Expected<std::vector<Comment>> plan_comments(Api& api, std::int64_t pr, std::string_view environment) {
  auto comments = api.issue_comments(pr);
  if (!comments) return fail(comments.error());
  return own_plan_comments(api, std::move(*comments), environment);
}

// A minute before `timestamp` (is_timestamp): a `since` that GitHub might read as
// "strictly after" still includes a comment updated in that very second, and a copy
// stamped by a GitHub server whose clock runs a little behind is still listed.
std::string minute_before(const std::string& timestamp) {
  std::tm t{};
  std::sscanf(timestamp.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ", &t.tm_year, &t.tm_mon, &t.tm_mday, &t.tm_hour, &t.tm_min,
              &t.tm_sec);
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  const std::time_t earlier = timegm(&t) - 60;
  std::tm out{};
  gmtime_r(&earlier, &out);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &out);
  return text;
}

// The plan comments the hint finds (those updated since it), when the oldest is the
// remembered one; nullopt when the hint does not hold (the caller lists everything).
std::optional<std::vector<Comment>> look_where_remembered(Api& api, std::int64_t pr, std::string_view environment,
                                                          const CommentPlace& hint) {
  if (hint.id <= 0 || !is_timestamp(hint.since)) return std::nullopt;
  auto recent = api.issue_comments_since(pr, minute_before(hint.since));
  if (!recent) return std::nullopt;
  auto own = own_plan_comments(api, std::move(*recent), environment);
  if (!own || own->empty() || own->front().id != hint.id) return std::nullopt;
  return std::move(*own);
}

}  // namespace

bool is_timestamp(std::string_view s) {
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:ddZ";
  if (s.size() != kShape.size()) return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (kShape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != kShape[i]) return false;
  return true;
}

Expected<std::optional<Comment>> find_plan_comment(Api& api, std::int64_t pr, std::string_view environment,
                                                   const std::optional<CommentPlace>& hint) {
  if (hint)
    if (auto remembered = look_where_remembered(api, pr, environment, *hint))
      return std::optional<Comment>(std::move(remembered->front()));
  auto found = plan_comments(api, pr, environment);
  if (!found) return fail(found.error());
  if (found->empty()) return std::optional<Comment>();
  return std::optional<Comment>(std::move(found->front()));
}

Expected<KeptComment> upsert_plan_comment(Api& api, std::int64_t pr, std::string_view environment,
                                          const std::string& body, const std::optional<CommentPlace>& hint) {
  std::optional<std::vector<Comment>> remembered;
  if (hint) remembered = look_where_remembered(api, pr, environment, *hint);
  bool unsure = false;     // a create was tried or a copy not removed: only a full listing finds every copy
  std::string seen_since;  // the sticky comment's updated_at as the last look found it
  StickyOps<Comment> ops{
      [&]() -> Expected<std::vector<Comment>> {
        auto found = remembered ? Expected<std::vector<Comment>>(std::move(*remembered))
                                : plan_comments(api, pr, environment);
        remembered.reset();  // a second look (after a failed write) lists everything
        if (found) seen_since = found->empty() ? std::string() : found->front().updated_at;
        return found;
      },
      [&](const Comment& c) { return c.body == body; },
      [&](const Comment& c) { return api.update_comment(c.id, body); },
      [&] {
        unsure = true;
        return api.create_comment(pr, body);
      },
      [&](const Comment& c) {
        auto gone = api.delete_comment(c.id);
        unsure = unsure || !gone;
        return gone;
      },
  };
  auto kept = keep_one(ops, "plan comment");
  if (!kept) return fail(kept.error());
  KeptComment out{std::move(*kept), std::nullopt};
  if (!unsure && is_timestamp(seen_since)) out.place = CommentPlace{out.comment.id, seen_since};
  return out;
}

}  // namespace converge::github
