// SARIF 2.1.0 for code scanning (see sarif.hpp).
#include "converge/github/sarif.hpp"

#include <map>

#include "converge/http/client.hpp"
#include "converge/plan/findings.hpp"
#include "converge/version.hpp"

namespace converge::github {
namespace {

using nlohmann::json;

constexpr const char* kSchema = "https://json.schemastore.org/sarif-2.1.0.json";

// SARIF's words for GitHub's annotation levels.
const char* level(plan::Severity severity) {
  switch (severity) {
    case plan::Severity::error: return "error";
    case plan::Severity::warning: return "warning";
    case plan::Severity::notice: return "note";
  }
  return "warning";
}

// A repository path as a URI reference: each segment percent-encoded.
std::string path_uri(std::string_view path) {
  std::string out;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    out += http::percent_encode(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

json location(const plan::Finding& f) {
  json artifact = f.file.starts_with("/") ? json{{"uri", "file://" + path_uri(f.file)}}
                                          : json{{"uri", path_uri(f.file)}, {"uriBaseId", "%SRCROOT%"}};
  json physical = {{"artifactLocation", std::move(artifact)}};
  if (f.line > 0) physical["region"] = {{"startLine", f.line}};
  return {{"physicalLocation", std::move(physical)}};
}

json rule(const plan::Finding& f) {
  json r = {{"id", f.rule},
            {"name", f.rule},
            {"shortDescription", {{"text", f.rule}}},
            {"defaultConfiguration", {{"level", level(f.severity)}}},
            {"properties", {{"tags", json::array({f.destructive ? "destructive" : "migration-lint"})}}}};
  if (auto url = plan::finding_doc_url(f); !url.empty()) r["helpUri"] = url;
  return r;
}

}  // namespace

json sarif_log(const plan::Plan& plan) {
  json rules = json::array(), results = json::array();
  std::map<std::string, size_t> index;  // rule id → its place in rules
  for (const auto& t : plan.targets)
    for (const auto& f : t.findings) {
      auto [it, added] = index.emplace(f.rule, rules.size());
      if (added) rules.push_back(rule(f));
      results.push_back({{"ruleId", f.rule},
                         {"ruleIndex", it->second},
                         {"level", level(f.severity)},
                         {"message", {{"text", f.message}}},
                         {"locations", json::array({location(f)})}});
    }
  json driver = {{"name", "converge"}, {"version", kVersion}, {"informationUri", std::string("https://github.com/") + kRepository},
                 {"rules", std::move(rules)}};
  json run = {{"tool", {{"driver", std::move(driver)}}},
              {"automationDetails", {{"id", "converge/" + plan.environment + "/"}}},
              {"results", std::move(results)}};
  return {{"$schema", kSchema}, {"version", "2.1.0"}, {"runs", json::array({std::move(run)})}};
}

}  // namespace converge::github
