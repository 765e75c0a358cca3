// The schema preview of a plan (schema_preview.hpp): plan.json in and out, and the
// terminal and markdown renderings. Names and details come from the repository's
// migrations, so each is escaped for where it lands (markdown.hpp).
#include "converge/plan/schema_preview.hpp"

#include "converge/plan/markdown.hpp"
#include "converge/plan/plan.hpp"
#include "converge/plan/render.hpp"

namespace converge::plan {
namespace {

nlohmann::json change_json(const SchemaChange& c) {
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& p : c.parts) parts.push_back(change_json(p));
  return {{"action", to_string(c.action)}, {"kind", c.kind}, {"name", c.name}, {"detail", c.detail},
          {"parts", std::move(parts)}};
}

Expected<std::string> text_field(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string())
    return fail(Error::usage(where + ": '" + key + "' must be a string"));
  return j[key].get<std::string>();
}

// Parts nest one level in practice; the depth limit keeps a hostile plan.json from
// recursing without end.
Expected<SchemaChange> change_from_json(const nlohmann::json& j, const std::string& where, int depth) {
  if (depth > 4) return fail(Error::usage(where + ": schema changes nest too deep"));
  SchemaChange c;
  auto word = text_field(j, "action", where);
  if (!word) return fail(word.error());
  auto action = action_from_string(*word);
  if (!action) return fail(Error::usage(where + ": unknown action '" + *word + "'"));
  c.action = *action;
  for (auto [field, dest] : {std::pair{"kind", &c.kind}, {"name", &c.name}, {"detail", &c.detail}}) {
    auto v = text_field(j, field, where);
    if (!v) return fail(v.error());
    *dest = *v;
  }
  if (j.contains("parts")) {
    if (!j["parts"].is_array()) return fail(Error::usage(where + ": 'parts' must be a list"));
    for (size_t i = 0; i < j["parts"].size(); ++i) {
      auto part = change_from_json(j["parts"][i], where + ".parts[" + std::to_string(i) + "]", depth + 1);
      if (!part) return fail(part.error());
      c.parts.push_back(std::move(*part));
    }
  }
  return c;
}

size_t count_all(const std::vector<SchemaChange>& changes) {
  size_t n = 0;
  for (const auto& c : changes) n += 1 + count_all(c.parts);
  return n;
}

// What a schema change did, as a word: the comment's change headings use the signs.
const char* verb(Action action) {
  switch (action) {
    case Action::create: return "added";
    case Action::update: return "changed";
    case Action::remove: return "dropped";
    case Action::replace: return "replaced";
  }
  return "?";
}

// "**added** table `public.users`: 2 columns"
std::string item_markdown(const SchemaChange& c) {
  std::string out = "**";
  out += verb(c.action);
  out += "** ";
  out += md_text(c.kind) + " " + md_code(clip(c.name, 200));
  if (!c.detail.empty()) out += ": " + md_text(clip(c.detail, 300));
  return out;
}

std::string item_text(const SchemaChange& c) {
  return std::string(symbol(c.action)) + " " + visible(c.kind) + " " + visible(c.name) +
         (c.detail.empty() ? "" : ": " + visible(c.detail));
}

}  // namespace

nlohmann::json to_json(const SchemaPreview& preview) {
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& c : preview.changes) changes.push_back(change_json(c));
  return {{"changes", std::move(changes)},
          {"notes", preview.notes},
          {"snapshot", preview.snapshot},
          {"stale_diff", preview.stale_diff},
          {"regenerate", preview.regenerate}};
}

Expected<SchemaPreview> schema_preview_from_json(const nlohmann::json& json, const std::string& where) {
  SchemaPreview preview;
  if (!json.is_object()) return fail(Error::usage(where + ": 'schema_preview' must be an object"));
  for (auto [field, dest] : {std::pair{"snapshot", &preview.snapshot}, {"stale_diff", &preview.stale_diff},
                             {"regenerate", &preview.regenerate}}) {
    auto v = text_field(json, field, where);
    if (!v) return fail(v.error());
    *dest = *v;
  }
  if (json.contains("notes")) {
    if (!json["notes"].is_array()) return fail(Error::usage(where + ": 'notes' must be a list of strings"));
    for (const auto& n : json["notes"]) {
      if (!n.is_string()) return fail(Error::usage(where + ": 'notes' must be a list of strings"));
      preview.notes.push_back(n.get<std::string>());
    }
  }
  if (!json.contains("changes") || !json["changes"].is_array())
    return fail(Error::usage(where + ": 'changes' must be a list"));
  for (size_t i = 0; i < json["changes"].size(); ++i) {
    auto c = change_from_json(json["changes"][i], where + ".changes[" + std::to_string(i) + "]", 0);
    if (!c) return fail(c.error());
    preview.changes.push_back(std::move(*c));
  }
  return preview;
}

std::string schema_preview_text(const SchemaPreview& preview) {
  if (preview.empty()) return "";
  std::string out;
  for (const auto& n : preview.notes) out += "note: " + visible(n) + "\n";
  if (!preview.changes.empty()) {
    out += "schema diff (the pending migrations replayed on a scratch database):\n";
    for (const auto& c : preview.changes) {
      out += "  " + item_text(c) + "\n";
      for (const auto& p : c.parts) out += "      " + item_text(p) + "\n";
    }
  }
  if (!preview.stale_diff.empty()) {
    out += visible(preview.snapshot) + " is stale: the pending migrations produce this schema (run `" +
           visible(preview.regenerate) + "` and commit it):\n";
    out += preview.stale_diff;
    if (out.back() != '\n') out += '\n';
  }
  return out;
}

// The list is cut item by item, the diff by bytes (clip), so the sections stay within
// `limit`; what is cut is said in a last line, never silently.
std::string schema_preview_markdown(const std::string& target, const SchemaPreview& preview, size_t limit) {
  if (preview.empty()) return "";
  constexpr size_t kReserve = 200;  // the "… not shown" line
  std::string out;
  auto fits = [&](size_t more) { return limit == std::string::npos || out.size() + more + kReserve <= limit; };
  if (!preview.changes.empty() || !preview.notes.empty()) {
    std::string head = "#### Schema diff of " + md_code(target) + "\n\n";
    for (const auto& n : preview.notes) head += "_" + md_text(clip(n, 1000)) + "_\n\n";
    if (!preview.changes.empty()) head += "What the pending migrations change, replayed on a scratch database:\n\n";
    if (!fits(head.size())) return "";
    out += head;
    size_t shown = 0;
    bool full = false;
    for (const auto& c : preview.changes) {
      std::string item = "- " + item_markdown(c) + "\n";
      for (const auto& p : c.parts) item += "  - " + item_markdown(p) + "\n";
      if (full || !fits(item.size())) {
        full = true;
        continue;
      }
      out += item;
      shown += 1 + c.parts.size();
    }
    if (size_t total = count_all(preview.changes); shown < total)
      out += "- … " + std::to_string(total - shown) + " more schema changes are not shown (the full list is in `plan.json`)\n";
    if (!preview.changes.empty()) out += "\n";
  }
  if (!preview.stale_diff.empty()) {
    std::string head = "#### " + md_code(preview.snapshot) + " is stale\n\nThe pending migrations produce a different schema than the committed " +
                       md_code(preview.snapshot) + ". Run " + md_code(preview.regenerate) + " and commit it.\n\n";
    if (!fits(head.size())) return out;
    out += head;
    size_t room = limit == std::string::npos ? std::string::npos : limit - out.size() - kReserve;
    // The fence and escapes add a little: a quarter of the room is kept for them.
    std::string diff = room == std::string::npos ? preview.stale_diff : clip(preview.stale_diff, room - room / 4);
    std::string block = md_code_block(diff, "diff") + "\n";
    if (fits(block.size())) out += block;
    else out += "_(the diff does not fit in the comment; it is in `plan.json`)_\n\n";
  }
  return out;
}

std::string schema_preview_section(const Plan& plan, size_t limit) {
  size_t with = 0;
  for (const auto& t : plan.targets) with += t.schema_preview.empty() ? 0 : 1;
  if (with == 0) return "";
  std::string out = "\n" + std::string(kSchemaPreviewMarker) + "\n";
  if (limit != std::string::npos && limit <= out.size()) return "";
  const size_t share = limit == std::string::npos ? limit : (limit - out.size()) / with;
  for (const auto& t : plan.targets)
    if (!t.schema_preview.empty()) out += schema_preview_markdown(clip(t.target, 200), t.schema_preview, share);
  return out;
}

}  // namespace converge::plan
