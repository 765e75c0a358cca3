// What plan and plan-comment say about the plan's findings (the migration lint) beyond
// the plan's text and markdown: an annotation per finding at its file:line in the
// runner, and the SARIF log for code scanning on request.
#pragma once

#include <filesystem>

#include "converge/plan/plan.hpp"
#include "converge/steps/session.hpp"

namespace converge::steps {

// Annotates each finding (level = its severity, title = its rule id, the message with
// the rule's docs link) and, when `sarif_file` is not empty, writes the SARIF log of
// the findings there (util::write_output, redacted like plan.json; written with no
// findings too, so an upload step always has its file). Error naming the file when it
// cannot be written.
Expected<void> report_findings(const plan::Plan& plan, const std::filesystem::path& sarif_file, StepIo io);

}  // namespace converge::steps
