// The provider table (name → factory; add a provider by adding a row), and the
// Provider interface's default behaviours.
#include <algorithm>
#include <map>

#include "converge/plan/findings.hpp"
#include "converge/providers/assets/assets_provider.hpp"
#include "converge/providers/provider.hpp"
#include "converge/providers/sql/sql_provider.hpp"

namespace converge::providers {
namespace {

const std::map<std::string, Factory, std::less<>>& table() {
  static const std::map<std::string, Factory, std::less<>> providers = {
      {"assets", assets::make_provider},
      {"sql", sql::make_provider},
  };
  return providers;
}

}  // namespace

std::map<std::string, std::string> Provider::bundle_files(const Bundle& bundle) const {
  return {{"bundle.json", bundle.content.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"}};
}

Expected<ExportedSources> Provider::export_sources() {
  return fail(Error::usage("this provider cannot export its runtime to the repository"));
}

Expected<std::vector<std::string>> Provider::write_snapshot(const Bundle&) { return std::vector<std::string>{}; }

Expected<void> refuse_plan_errors(const plan::TargetPlan& plan, std::string_view target) {
  if (!plan.has_errors()) return {};
  std::string why;
  for (const auto& e : plan.errors) why += (why.empty() ? "" : "; ") + e;
  for (const auto& f : plan.findings)
    if (f.severity == plan::Severity::error) why += (why.empty() ? "" : "; ") + plan::format_finding(f);
  return fail(Error::refused("the plan for target '" + std::string(target) + "' has errors, nothing applied: " + why));
}

const Factory* find(std::string_view name) {
  auto it = table().find(name);
  return it == table().end() ? nullptr : &it->second;
}

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& [name, factory] : table()) out.push_back(name);
  return out;
}

}  // namespace converge::providers
