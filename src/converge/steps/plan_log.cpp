// A plan and an apply in the log and the job summary (see plan_log.hpp).
#include "converge/steps/plan_log.hpp"

#include <algorithm>

#include "converge/plan/markdown.hpp"
#include "converge/plan/render.hpp"
#include "converge/plan/schema_preview.hpp"

namespace converge::steps {
namespace {

// Bytes of the PR schema diff in the job summary, at most: the plan comes first.
constexpr size_t kSummaryPreviewLimit = 256 * 1024;

// The console ends each text with a newline of its own.
std::string without_last_newline(std::string text) {
  if (text.ends_with('\n')) text.pop_back();
  return text;
}

}  // namespace

void print_plan(const plan::Plan& plan, github::Console& console) {
  console.plan_text(without_last_newline(plan::text_head(plan)));
  for (const auto& target : plan.targets) {
    console.group_begin(plan::target_title_text(target));
    if (auto body = plan::target_text(target); !body.empty()) console.plan_text(without_last_newline(body));
    console.group_end();
  }
  console.plan_text(without_last_newline(plan::text_foot(plan)));
}

void summarize_plan(const plan::Plan& plan, github::Console& console) {
  const size_t room = console.summary_room();
  const std::string preview = plan::schema_preview_section(plan, std::min(kSummaryPreviewLimit, room / 4));
  const size_t left = room > preview.size() ? room - preview.size() : 0;
  console.append_summary(plan::render_markdown(plan, left, plan::Medium::job_summary) + preview);
}

std::string duration_text(std::chrono::milliseconds took) {
  const auto hundredths = (took.count() + 5) / 10;
  const auto fraction = hundredths % 100;
  return std::to_string(hundredths / 100) + (fraction < 10 ? ".0" : ".") + std::to_string(fraction) + " s";
}

std::string ApplyProgress::item(const std::string& key) const {
  auto it = std::find_if(planned_.changes.begin(), planned_.changes.end(),
                         [&](const plan::Change& c) { return c.key == key; });
  if (it == planned_.changes.end()) return plan::visible(key);
  return plan::visible(it->kind) + " " + plan::item_name(*it);
}

void ApplyProgress::on_change(const providers::Provider::ChangeEvent& event) {
  const std::string what = item(event.key);
  if (!event.done) {
    console_.info("→ " + what + " …", github::Tone::muted);
    return;
  }
  done_.insert(event.key);
  if (event.failed) console_.info("✗ " + what + " failed after " + duration_text(event.took), github::Tone::removed);
  else console_.info("✓ " + what + " " + duration_text(event.took), github::Tone::added);
}

void ApplyProgress::after(const providers::ApplyReport& report) {
  for (const auto& key : report.applied)
    if (!done_.contains(key)) console_.info("✓ " + item(key), github::Tone::added);
}

}  // namespace converge::steps
