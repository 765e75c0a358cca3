// Terminal and markdown renderings of a plan. Each change's diff is a unified diff
// of its before/after rendered as text, so every provider gets readable output
// without a renderer of its own.
#include "converge/plan/render.hpp"

#include <algorithm>
#include <sstream>

#include "converge/util/text_diff.hpp"

namespace converge::plan {
namespace {

std::string as_text(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  // A provider's object with an "sql" or "text" body reads best as that body.
  if (value.is_object()) {
    for (const char* body : {"sql", "text"}) {
      if (value.contains(body) && value[body].is_string()) return value[body].get<std::string>();
    }
  }
  return value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

const char* symbol(Action action) {
  switch (action) {
    case Action::create: return "+";
    case Action::update: return "~";
    case Action::remove: return "-";
    case Action::replace: return "-/+";
  }
  return "?";
}

std::string deletion_warning(const Counts& c) {
  int n = c.remove + c.replace;
  if (n == 0) return {};
  return "WARNING: this plan deletes " + std::to_string(n) + (n == 1 ? " item" : " items") +
         (c.replace ? " (replace = delete, then create)" : "") + ".";
}

// A code fence longer than any run of backticks in `text`, so SQL or markdown in a
// diff cannot close it early.
std::string fence_for(std::string_view text) {
  size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<size_t>(3, longest + 1), '`');
}

}  // namespace

std::string change_diff(const Change& change) {
  std::string label = change.kind + "/" + change.key;
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

std::string render_text(const Plan& plan) {
  std::ostringstream out;
  const auto total = count(plan);
  out << "Plan for environment " << plan.environment;
  if (!plan.git_sha.empty()) out << " at " << plan.git_sha.substr(0, 12);
  out << ": " << summary_line(total) << "\n";
  if (auto w = deletion_warning(total); !w.empty()) out << w << "\n";
  for (const auto& t : plan.targets) {
    out << "\n== " << t.target << " (" << t.provider << "): " << summary_line(count(t)) << "\n";
    for (const auto& e : t.errors) out << "ERROR: " << e << "\n";
    for (const auto& n : t.notes) out << "note: " << n << "\n";
    for (const auto& c : t.changes) {
      out << "\n" << symbol(c.action) << " " << to_string(c.action) << " " << c.kind << " " << c.key << "\n";
      out << change_diff(c);
    }
  }
  if (!plan.has_changes() && !plan.has_errors()) out << "\nNo changes: the runtime equals Git.\n";
  out << "\nPlan hash: " << hash(plan) << "\n";
  return out.str();
}

std::string render_markdown(const Plan& plan, size_t limit) {
  std::ostringstream head;
  const auto total = count(plan);
  head << "### converge plan: `" << plan.environment << "`\n\n";
  if (!plan.git_sha.empty()) head << "Planned at `" << plan.git_sha.substr(0, 12) << "`. ";
  head << "**" << summary_line(total) << "**\n\n";
  if (auto w = deletion_warning(total); !w.empty()) head << "> [!WARNING]\n> " << w << "\n\n";
  if (!plan.has_changes() && !plan.has_errors()) head << "No changes: the runtime equals Git.\n\n";
  head << "| target | provider | create | update | delete | replace |\n|---|---|---|---|---|---|\n";
  for (const auto& t : plan.targets) {
    auto c = count(t);
    head << "| " << t.target << " | " << t.provider << " | " << c.create << " | " << c.update << " | " << c.remove
         << " | " << c.replace << " |\n";
  }
  head << "\n";
  for (const auto& t : plan.targets)
    for (const auto& e : t.errors) head << "> [!CAUTION]\n> **" << t.target << "**: " << e << "\n\n";

  const std::string foot = "<sub>plan hash `" + hash(plan) + "`</sub>\n";
  // Room kept for closing tags, the cut note and the footer.
  constexpr size_t kReserve = 512;
  std::string out = head.str();
  int not_shown = 0;
  for (const auto& t : plan.targets) {
    if (t.changes.empty() && t.notes.empty()) continue;
    out += "<details><summary><b>" + t.target + "</b>: " + summary_line(count(t)) + "</summary>\n\n";
    for (const auto& n : t.notes) out += "_" + n + "_\n\n";
    for (const auto& c : t.changes) {
      const auto diff = change_diff(c);
      const auto fence = fence_for(diff);
      std::string part = "`" + std::string(symbol(c.action)) + "` **" + std::string(to_string(c.action)) + "** " +
                         c.kind + " `" + c.key + "`\n\n" + fence + "diff\n" + diff + fence + "\n\n";
      if (not_shown > 0 || (limit != std::string::npos && out.size() + part.size() + foot.size() + kReserve > limit)) {
        ++not_shown;
        continue;
      }
      out += part;
    }
    out += "</details>\n\n";
  }
  if (not_shown > 0)
    out += "> [!NOTE]\n> " + std::to_string(not_shown) +
           " changes are not shown: the plan is too long for a comment. The full plan is in the job summary and in "
           "`plan.json`.\n\n";
  out += foot;
  if (limit != std::string::npos && out.size() > limit) out.resize(limit);  // only if the summary alone is too long
  return out;
}

}  // namespace converge::plan
