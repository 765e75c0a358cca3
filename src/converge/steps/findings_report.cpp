// Annotations and the SARIF file of a plan's findings (see findings_report.hpp).
#include "converge/steps/findings_report.hpp"

#include "converge/github/sarif.hpp"
#include "converge/plan/findings.hpp"
#include "converge/util/fs.hpp"

namespace converge::steps {

Expected<void> report_findings(const plan::Plan& plan, const std::filesystem::path& sarif_file, StepIo io) {
  for (const auto& t : plan.targets)
    for (const auto& f : t.findings) {
      std::string text = f.message;
      if (f.destructive) text += " (destructive)";
      if (auto url = plan::finding_doc_url(f); !url.empty()) text += " See " + url;
      io.console.annotate(plan::to_string(f.severity), text, SourceLocation{f.file, f.line, 0}, f.rule);
    }
  if (sarif_file.empty()) return {};
  return util::write_output(sarif_file, io.console.redact(github::sarif_log(plan).dump(2) + "\n"));
}

}  // namespace converge::steps
