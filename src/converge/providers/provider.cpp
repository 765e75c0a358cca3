// The Provider interface's default behaviours, and the refusal every provider's apply
// starts with (see provider.hpp).
#include "converge/plan/findings.hpp"
#include "converge/providers/provider.hpp"

namespace converge::providers {

std::map<std::string, std::string> Provider::bundle_files(const Bundle& bundle) const {
  return {{"bundle.json", bundle.content.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"}};
}

Expected<ExportedSources> Provider::export_sources() {
  return fail(Error::usage("this provider cannot export its runtime to the repository"));
}

Expected<std::string> Provider::destroy() {
  return fail(Error::usage("this provider keeps no runtime per branch: converge destroy deletes only a feature "
                           "environment's runtimes"));
}

Expected<std::vector<std::string>> Provider::write_snapshot(const Bundle&) { return std::vector<std::string>{}; }

bool Provider::run_change(const std::string& key, const std::function<bool()>& run) const {
  report_change({.key = key, .done = false, .took = {}, .failed = false});
  const auto started = std::chrono::steady_clock::now();
  const bool ok = run();
  report_change({.key = key, .done = true,
                 .took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started),
                 .failed = !ok});
  return ok;
}

ApplyReport Provider::apply_in_order(
    const plan::TargetPlan& changes, std::set<std::string> managed,
    const std::function<Expected<void>(const plan::Change&, ApplyReport&)>& apply_one,
    const std::function<bool(const plan::Change&)>& exists_now) const {
  ApplyReport report;
  for (const auto& change : changes.changes) {
    Expected<void> done;
    run_change(change.key, [&] {
      done = apply_one(change, report);
      return done.has_value();
    });
    if (!done) {
      report.failed_key = change.key;
      report.error = done.error().message;
      if (change.action == plan::Action::create && exists_now(change)) managed.insert(change.key);
      break;
    }
    report.applied.push_back(change.key);
    if (change.action == plan::Action::create) managed.insert(change.key);
    if (change.action == plan::Action::remove) managed.erase(change.key);
    report.managed_keys = std::vector<std::string>(managed.begin(), managed.end());
    report_progress(report);
  }
  report.managed_keys = std::vector<std::string>(managed.begin(), managed.end());
  return report;
}

Expected<void> refuse_plan_errors(const plan::TargetPlan& plan, std::string_view target) {
  if (!plan.has_errors()) return {};
  std::string why;
  for (const auto& e : plan.errors) why += (why.empty() ? "" : "; ") + e;
  for (const auto& f : plan.findings)
    if (f.severity == plan::Severity::error) why += (why.empty() ? "" : "; ") + plan::format_finding(f);
  return fail(Error::refused("the plan for target '" + std::string(target) + "' has errors, nothing applied: " + why));
}

}  // namespace converge::providers
