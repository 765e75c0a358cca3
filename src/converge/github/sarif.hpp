// The plan's findings (the migration lint) as a SARIF 2.1.0 log, the format GitHub
// code scanning uploads (github/codeql-action/upload-sarif): one run of the tool
// "converge", a rule per rule id that has a finding (its helpUri the rule's docs
// anchor), a result per finding at its file and line.
//
// Written only on request (`--sarif FILE` of plan and plan-comment). The shape GitHub
// reads: "version": "2.1.0", "$schema", runs[0].tool.driver.{name, version,
// informationUri, rules[{id, name, shortDescription, helpUri, defaultConfiguration.level,
// properties.tags}]}, runs[0].automationDetails.id ("converge/<environment>/", so each
// environment is its own category), results[{ruleId, ruleIndex, level (error | warning
// | note), message.text, locations[0].physicalLocation.{artifactLocation.{uri,
// uriBaseId: "%SRCROOT%"}, region.startLine}}]. A file path relative to the
// repository root is the uri, each segment percent-encoded; an absolute one is a
// file:// URI without uriBaseId.
#pragma once

#include <nlohmann/json.hpp>

#include "converge/plan/plan.hpp"

namespace converge::github {

// The SARIF log of `plan`'s findings (an empty results list when there are none).
nlohmann::json sarif_log(const plan::Plan& plan);

}  // namespace converge::github
