// Terminal and markdown renderings of a plan. Each change's diff is a unified diff
// of its before/after rendered as text, so every provider gets readable output
// without a renderer of its own.
#include "converge/plan/render.hpp"

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

std::string render_markdown(const Plan& plan) {
  std::ostringstream out;
  const auto total = count(plan);
  out << "### converge plan: `" << plan.environment << "`\n\n";
  if (!plan.git_sha.empty()) out << "Planned at `" << plan.git_sha.substr(0, 12) << "`. ";
  out << "**" << summary_line(total) << "**\n\n";
  if (auto w = deletion_warning(total); !w.empty()) out << "> [!WARNING]\n> " << w << "\n\n";
  if (!plan.has_changes() && !plan.has_errors()) out << "No changes: the runtime equals Git.\n\n";
  out << "| target | provider | create | update | delete | replace |\n|---|---|---|---|---|---|\n";
  for (const auto& t : plan.targets) {
    auto c = count(t);
    out << "| " << t.target << " | " << t.provider << " | " << c.create << " | " << c.update << " | " << c.remove
        << " | " << c.replace << " |\n";
  }
  out << "\n";
  for (const auto& t : plan.targets) {
    for (const auto& e : t.errors) out << "> [!CAUTION]\n> **" << t.target << "**: " << e << "\n\n";
    if (t.changes.empty() && t.notes.empty()) continue;
    out << "<details><summary><b>" << t.target << "</b>: " << summary_line(count(t)) << "</summary>\n\n";
    for (const auto& n : t.notes) out << "_" << n << "_\n\n";
    for (const auto& c : t.changes) {
      out << "`" << symbol(c.action) << "` **" << to_string(c.action) << "** " << c.kind << " `" << c.key << "`\n\n";
      out << "```diff\n" << change_diff(c) << "```\n\n";
    }
    out << "</details>\n\n";
  }
  out << "<sub>plan hash `" << hash(plan) << "`</sub>\n";
  return out.str();
}

}  // namespace converge::plan
