// Terminal and markdown renderings of a plan. Each change's diff is a unified diff
// of its before/after rendered as text, so every provider gets readable output
// without a renderer of its own: a migration as its SQL, a structured item (an
// asset) as the YAML people write (template/yaml.hpp's writer: block style, keys
// sorted, strings quoted where YAML would read them as something else). Each item
// is named as people call it, its title, with the key after. Titles, names, notes
// and errors come from the repository or a runtime, so each is escaped for where it
// lands (markdown.hpp).
#include "converge/plan/render.hpp"

#include <algorithm>
#include <sstream>

#include "converge/plan/findings.hpp"
#include "converge/plan/markdown.hpp"
#include "converge/plan/markdown_cut.hpp"
#include "converge/template/yaml.hpp"
#include "converge/util/text_diff.hpp"
#include "converge/util/short_sha.hpp"

namespace converge::plan {
namespace {

// A migration's value ({"version", "name", "sql", "transaction"}, the sql provider's
// form) or any object of a text body ("sql" or "text") and fields that only name
// it: the body is what a reviewer reads. An asset item that has an "sql" field
// among others (a Superset dataset) is not one.
const char* body_field(const nlohmann::json& value) {
  if (!value.is_object()) return nullptr;
  const char* body = nullptr;
  for (const auto& [field, v] : value.items()) {
    if ((field == "sql" || field == "text") && v.is_string()) body = field == "sql" ? "sql" : "text";
    else if (field != "version" && field != "name" && field != "transaction") return nullptr;
  }
  return body;
}

std::string as_text(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (const char* body = body_field(value)) return value[body].get<std::string>();
  return tmpl::to_yaml(value);
}

std::string deletion_warning(const Counts& c) {
  int n = c.remove + c.replace;
  if (n == 0) return {};
  return "WARNING: this plan deletes " + std::to_string(n) + (n == 1 ? " item" : " items") +
         (c.replace ? " (replace = delete, then create)" : "") + ".";
}

std::string shown(std::string_view text) { return clip(text, kInlineLimit); }

// Notes are prose: surrounding spaces would stop the emphasis around them.
std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
}

// Bytes of a title shown: a name, not a document.
constexpr size_t kTitleLimit = 200;

// The change's title as shown (trimmed, cut to kTitleLimit); "" = none.
std::string shown_title(const Change& c) { return clip(trimmed(c.title), kTitleLimit); }

// True when the title is a file named by the key ("db/migrations/<key>.sql", a
// migration's): the key adds nothing to it. Otherwise the key follows the title, so
// no title can hide or fake it.
bool title_holds_key(const std::string& title, const std::string& key) {
  const std::string_view base = std::string_view(title).substr(title.rfind('/') + 1);  // npos + 1 = 0
  return !key.empty() && base.starts_with(key) && (base.size() == key.size() || base[key.size()] == '.');
}

// The item in markdown: "Revenue (`charts/9c2b…`)", the key alone as code without a
// title, the title alone as code when it is the key's file.
std::string item_markdown(const Change& c) {
  const std::string title = shown_title(c), key = shown(c.key);
  if (title.empty()) return md_code(key);
  if (title_holds_key(title, key)) return md_code(title);
  return md_text(title) + " (" + md_code(key) + ")";
}

// "`+` **create** chart Revenue (`charts/9c2b…`)"
std::string change_heading(const Change& c) {
  std::string out = "`";
  out += symbol(c.action);
  out += "` **";
  out += to_string(c.action);
  out += "** ";
  out += md_text(shown(c.kind));
  out += ' ';
  out += item_markdown(c);
  return out;
}

// What a cut comment leaves out, said where the reader looks.
struct Cut {
  int diffs = 0;     // changes listed without their diff
  int changes = 0;   // changes not listed at all
  int deletes = 0;   // of those, deletes and replaces
  int messages = 0;  // errors and notes not shown
  bool any() const { return diffs + changes + messages > 0; }
};

std::string cut_note(const Cut& cut, Medium medium) {
  std::string what;
  auto add = [&](const std::string& part) { what += (what.empty() ? "" : "; ") + part; };
  if (cut.changes > 0)
    add(std::to_string(cut.changes) + " changes are not shown" +
        (cut.deletes > 0 ? " (" + std::to_string(cut.deletes) + " of them delete or replace)" : ""));
  if (cut.diffs > 0) add("the diffs of " + std::to_string(cut.diffs) + " changes are not shown");
  if (cut.messages > 0) add(std::to_string(cut.messages) + " errors or notes are not shown");
  if (medium == Medium::job_summary)
    return "> [!NOTE]\n> The plan is too long for the job summary (GitHub shows at most 1 MiB): " + what +
           ". The full plan is in the step's log and in `plan.json`.\n\n";
  return "> [!NOTE]\n> The plan is too long for " + std::string(medium == Medium::issue ? "an issue" : "a comment") +
         ": " + what +
         ". The full plan is in the job summary and in `plan.json`.\n\n";
}

// A plan whose notes and diffs add up to at most this many lines is short: a reader
// takes it in at a glance, so every target's <details> is open. A longer plan shows
// each target collapsed under its counts (one click opens it).
constexpr size_t kExpandedLines = 50;

// The observations a medium shows with the notes (none in the comment's plan part).
const std::vector<std::string>& observations_in(const TargetPlan& t, Medium medium) {
  static const std::vector<std::string> none;
  return medium == Medium::comment ? none : t.observations;
}

// Whether `plan` is short (kExpandedLines); counting stops as soon as it is not.
bool short_plan(const Plan& plan, Medium medium) {
  size_t lines = 0;
  for (const auto& t : plan.targets) {
    lines += t.notes.size() + observations_in(t, medium).size();
    for (const auto& c : t.changes) {
      if (lines > kExpandedLines) return false;
      const std::string diff = change_diff(c);
      lines += 1 + static_cast<size_t>(std::count(diff.begin(), diff.end(), '\n'));
    }
  }
  return lines <= kExpandedLines;
}

// The opening tag of a target's changes: open in a short plan.
std::string_view details_tag(bool expanded) { return expanded ? "<details open>" : "<details>"; }

}  // namespace

const char* symbol(Action action) {
  switch (action) {
    case Action::create: return "+";
    case Action::update: return "~";
    case Action::remove: return "-";
    case Action::replace: return "-/+";
  }
  return "?";
}

std::string item_name(const Change& change) {
  const std::string title = shown_title(change), key = shown(change.key);
  if (title.empty()) return visible(key);
  if (title_holds_key(title, key)) return visible(title);
  return visible(title) + " (" + visible(key) + ")";
}

namespace {

// "actual/<label>" and "desired/<label>": the key, led by the kind unless it is
// already (an asset's "charts/9c2b…").
std::string diff_label(const Change& change) {
  if (change.key.starts_with(change.kind + "/")) return visible(change.key);
  return visible(change.kind) + "/" + visible(change.key);
}

}  // namespace

std::string change_diff(const Change& change) {
  std::string label = diff_label(change);
  return util::unified_diff(as_text(change.before), as_text(change.after),
                            change.before.is_null() ? "/dev/null" : "actual/" + label,
                            change.after.is_null() ? "/dev/null" : "desired/" + label);
}

std::string summary_line(const Counts& c) {
  std::ostringstream out;
  out << c.create << " to create, " << c.update << " to update, " << c.remove << " to delete, " << c.replace
      << " to replace";
  return out.str();
}

// Every string from the repository or a runtime is shown on its line with
// visible(): a name with a newline cannot start a line of its own (in a GitHub
// Actions log, a line starting with "::" is a workflow command).
std::string text_head(const Plan& plan) {
  std::ostringstream out;
  const auto total = count(plan);
  out << "Plan for environment " << visible(plan.environment);
  if (!plan.git_sha.empty()) out << " at " << visible(util::short_sha(plan.git_sha));
  out << ": " << summary_line(total) << "\n";
  if (auto w = deletion_warning(total); !w.empty()) out << w << "\n";
  if (auto d = destructive_line(plan); !d.empty()) out << d << "\n";
  return out.str();
}

std::string target_title_text(const TargetPlan& t) {
  return "== " + visible(t.target) + " (" + visible(t.provider) + "): " + summary_line(count(t));
}

std::string target_text(const TargetPlan& t) {
  std::ostringstream out;
  for (const auto& e : t.errors) out << "ERROR: " << visible(e) << "\n";
  for (const auto& n : t.notes) out << "note: " << visible(n) << "\n";
  for (const auto& n : t.observations) out << "note: " << visible(n) << "\n";
  out << findings_text(t);
  out << schema_preview_text(t.schema_preview);
  for (const auto& c : t.changes) {
    out << "\n" << symbol(c.action) << " " << to_string(c.action) << " " << visible(c.kind) << " " << item_name(c)
        << "\n";
    out << change_diff(c);
  }
  return out.str();
}

std::string text_foot(const Plan& plan) {
  std::string out;
  if (!plan.has_changes() && !plan.has_errors()) out += "\nNo changes: the runtime equals Git.\n";
  return out + "\nPlan hash: " + hash(plan) + "\n";
}

std::string render_text(const Plan& plan) {
  std::string out = text_head(plan);
  for (const auto& t : plan.targets) out += "\n" + target_title_text(t) + "\n" + target_text(t);
  return out + text_foot(plan);
}

// Every string from the repository or a runtime goes through the escaping of the
// context it lands in (markdown.hpp): code spans for names and keys, table cells,
// <code> inside the raw-HTML summary line, plain text for notes and errors, fenced
// blocks for diffs. With a limit, a change whose diff does not fit is still listed
// (its heading alone), and only what does not fit even so is counted in the note.
std::string render_markdown(const Plan& plan, size_t limit, Medium medium) {
  std::string out;
  const auto total = count(plan);
  out += "### converge plan: " + md_code(plan.environment) + "\n\n";
  if (!plan.git_sha.empty()) out += "Planned at " + md_code(util::short_sha(plan.git_sha)) + ". ";
  out += "**" + summary_line(total) + "**\n\n";
  if (auto w = deletion_warning(total); !w.empty()) out += "> [!WARNING]\n> " + w + "\n\n";
  if (!plan.has_changes() && !plan.has_errors()) out += "No changes: the runtime equals Git.\n\n";
  out += "| target | provider | create | update | delete | replace |\n|---|---|---|---|---|---|\n";
  for (const auto& t : plan.targets) {
    auto c = count(t);
    out += "| " + md_cell(shown(t.target)) + " | " + md_cell(shown(t.provider)) + " | " + std::to_string(c.create) +
           " | " + std::to_string(c.update) + " | " + std::to_string(c.remove) + " | " + std::to_string(c.replace) +
           " |\n";
  }
  out += "\n";

  const std::string foot = "<sub>plan hash " + md_code(hash(plan)) + "</sub>\n";
  // Room kept for the closing tag, the cut note and the footer.
  constexpr size_t kReserve = 512;
  auto fits = [&](size_t more) {
    return limit == std::string::npos || out.size() + more + foot.size() + kReserve <= limit;
  };
  Cut cut;
  for (const auto& t : plan.targets)
    for (const auto& e : t.errors) {
      auto part = "> [!CAUTION]\n> **" + md_code(shown(t.target)) + "**: " + md_text(shown(e)) + "\n\n";
      if (fits(part.size())) out += part;
      else ++cut.messages;
    }

  // The migration lint's findings come before the diffs: they are what a reviewer
  // must read (findings.hpp cuts them to the room left).
  const size_t used = out.size() + foot.size() + kReserve;
  out += findings_markdown(plan, limit == std::string::npos ? limit : limit > used ? limit - used : 0);

  // Once a diff does not fit, later changes are listed without theirs; once a
  // heading does not fit, later changes are only counted: the reader never sees a
  // change after one that is missing.
  enum class Room { diffs, headings, none } room = Room::diffs;
  const bool expanded = short_plan(plan, medium);
  for (const auto& t : plan.targets) {
    const auto& observations = observations_in(t, medium);
    if (t.changes.empty() && t.notes.empty() && observations.empty()) continue;
    auto open = std::string(details_tag(expanded)) + "<summary><b>" + html_code(shown(t.target)) + "</b>: " +
                summary_line(count(t)) + "</summary>\n\n";
    if (room == Room::none || !fits(open.size())) {
      room = Room::none;
      cut.changes += count(t).total();
      cut.deletes += count(t).remove + count(t).replace;
      cut.messages += static_cast<int>(t.notes.size() + observations.size());
      continue;
    }
    out += open;
    for (const auto* notes : {&t.notes, &observations})
      for (const auto& n : *notes) {
        auto part = "_" + md_text(shown(trimmed(n))) + "_\n\n";
        if (fits(part.size())) out += part;
        else ++cut.messages;
      }
    for (const auto& c : t.changes) {
      auto heading = change_heading(c);
      if (room == Room::diffs) {
        auto part = heading + "\n\n" + md_code_block(change_diff(c), "diff") + "\n";
        if (fits(part.size())) {
          out += part;
          continue;
        }
        room = Room::headings;
      }
      if (room == Room::headings) {
        heading += " (diff not shown)\n\n";
        if (fits(heading.size())) {
          out += heading;
          ++cut.diffs;
          continue;
        }
        room = Room::none;
      }
      ++cut.changes;
      if (c.action == Action::remove || c.action == Action::replace) ++cut.deletes;
    }
    out += "</details>\n\n";
  }
  if (cut.any()) out += cut_note(cut, medium);
  out += foot;
  // Only when the head alone is too long: cut at a line end, nothing left open.
  if (limit != std::string::npos && out.size() > limit) out = cut_markdown(out, limit, {});
  return out;
}

std::string observations_section(const Plan& plan, size_t limit) {
  std::string out;
  int left_out = 0;
  for (const auto& t : plan.targets)
    for (const auto& n : t.observations) {
      auto line = "- " + md_code(shown(t.target)) + ": " + md_text(shown(trimmed(n))) + "\n";
      if (left_out == 0 && out.size() + line.size() + 200 <= limit) out += line;
      else ++left_out;
    }
  if (out.empty() && left_out == 0) return {};
  if (left_out > 0) out += "- and " + std::to_string(left_out) + " more (in the job summary)\n";
  return "\n<!-- converge:observations -->\n**Seen in the runtime, outside the plan** (not part of what is approved; "
         "the merge's plan may see otherwise):\n" +
         out;
}

}  // namespace converge::plan
