// How a plan and an apply read for a person: in the log, one group per target (a
// `::group::` in GitHub Actions, a title line elsewhere) and each change of an apply
// as it starts and ends, with its time; in the job summary, the plan within GitHub's
// size limit. Colours come from the console (github/terminal.hpp), only on a terminal.
#pragma once

#include <chrono>
#include <set>
#include <string>

#include "converge/github/console.hpp"
#include "converge/plan/plan.hpp"
#include "converge/providers/provider.hpp"

namespace converge::steps {

// The plan as text (plan/render.hpp): its head, then each target in a group titled
// "== <target> (<provider>): <counts>", then the foot with the plan hash.
void print_plan(const plan::Plan& plan, github::Console& console);

// Appends the plan's markdown (and the sql PR schema diff) to the job summary, sized
// to the room the summary has left (Console::summary_room): a plan too long for it is
// cut the way the plan comment is, its note pointing to the log and plan.json.
void summarize_plan(const plan::Plan& plan, github::Console& console);

// "0.42 s": how long a change took.
std::string duration_text(std::chrono::milliseconds took);

// The live lines of one target's apply, each written and flushed as it happens:
//   → migration db/migrations/20260102000000_ok.sql …     (a change starts)
//   ✓ migration db/migrations/20260102000000_ok.sql 0.42 s (it is done)
//   ✗ migration db/migrations/20260103000000_bad.sql failed after 0.07 s
// The item is named as the plan names it (plan::item_name). A change the provider
// did not report (Provider::on_change) gets its "✓" line from the report afterwards.
class ApplyProgress {
 public:
  ApplyProgress(const plan::TargetPlan& planned, github::Console& console) : planned_(planned), console_(console) {}
  void on_change(const providers::Provider::ChangeEvent& event);
  void after(const providers::ApplyReport& report);

 private:
  std::string item(const std::string& key) const;

  const plan::TargetPlan& planned_;
  github::Console& console_;
  std::set<std::string> done_;  // keys with their end line
};

}  // namespace converge::steps
