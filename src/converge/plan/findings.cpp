// Renderings of a plan's findings (see findings.hpp). The rule ids and doc anchors
// are converge's own; file names and messages come from the repository, so they go
// through the escaping of the context they land in (markdown.hpp).
#include "converge/plan/findings.hpp"

#include <algorithm>

#include "converge/plan/markdown.hpp"
#include "converge/version.hpp"

namespace converge::plan {
namespace {

std::string location(const Finding& f) {
  return f.line > 0 ? f.file + ":" + std::to_string(f.line) : f.file;
}

int destructive_count(const Plan& plan) {
  int n = 0;
  for (const auto& t : plan.targets)
    n += static_cast<int>(std::count_if(t.findings.begin(), t.findings.end(), [](const Finding& f) { return f.destructive; }));
  return n;
}

std::string plural(int n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

// "- **error** [`destructive/drop-table`](url) at `db/m.sql:2` (destructive): message"
std::string list_item(const TargetPlan& t, const Finding& f, bool several_targets) {
  std::string rule = md_code(f.rule);
  if (auto url = finding_doc_url(f); !url.empty()) rule = "[" + rule + "](" + url + ")";
  std::string out = "- **" + std::string(to_string(f.severity)) + "** " + rule + " at " +
                    md_code(clip(location(f), kInlineLimit));
  if (several_targets) out += " in " + md_code(clip(t.target, kInlineLimit));
  if (f.destructive) out += " (destructive)";
  return out + ": " + md_text(clip(f.message, kInlineLimit)) + "\n";
}

}  // namespace

std::string format_finding(const Finding& f) {
  return location(f) + ": " + std::string(to_string(f.severity)) + " [" + f.rule + "] " + f.message;
}

std::string finding_doc_url(const Finding& f) {
  if (f.doc.empty()) return {};
  return "https://github.com/" + std::string(kRepository) + "/blob/v" + kVersion + "/" + f.doc;
}

std::string findings_text(const TargetPlan& target) {
  std::string out;
  for (const auto& f : target.findings) out += "lint: " + visible(format_finding(f)) + "\n";
  return out;
}

std::string destructive_line(const Plan& plan) {
  int n = destructive_count(plan);
  if (n == 0) return {};
  return "DESTRUCTIVE: " + plural(n, "finding") + " of the migration lint can lose data or break what runs on it.";
}

std::string findings_markdown(const Plan& plan, size_t limit) {
  size_t total = 0;
  for (const auto& t : plan.targets) total += t.findings.size();
  if (total == 0) return {};
  std::string out = "#### Migration lint\n\n";
  if (int n = destructive_count(plan); n > 0)
    out += "> [!CAUTION]\n> **Destructive:** " + plural(n, "finding") +
           " below can lose data or break what runs on it. Review them before you approve.\n\n";
  // Room kept for the line that counts what was left out.
  constexpr size_t kReserve = 128;
  const bool several_targets =
      std::count_if(plan.targets.begin(), plan.targets.end(), [](const TargetPlan& t) { return !t.findings.empty(); }) > 1;
  size_t shown = 0;
  for (const auto& t : plan.targets)
    for (const auto& f : t.findings) {
      auto item = list_item(t, f, several_targets);
      if (limit != std::string::npos && out.size() + item.size() + kReserve > limit) break;
      out += item;
      ++shown;
    }
  if (shown < total)
    out += "\n_" + plural(static_cast<int>(total - shown), "more finding") +
           " not shown: see the annotations and `plan.json`._\n";
  if (limit != std::string::npos && out.size() > limit) return {};  // not even the heading fits
  return out + "\n";
}

}  // namespace converge::plan
