// What a step says to the person and to the runner: plain text on stdout, errors on
// stderr, and inside GitHub Actions the runner's workflow commands (::error file=…::,
// ::warning::, ::group::, ::add-mask::), step outputs (GITHUB_OUTPUT) and the job
// summary (GITHUB_STEP_SUMMARY). Every text passes through redact(): once a secret
// is registered with mask(), it is never printed, even outside a runner. On a
// terminal the text a person reads is coloured (terminal.hpp says when); colour
// codes never reach outputs, the job summary or a file.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "converge/github/context.hpp"
#include "converge/github/terminal.hpp"
#include "converge/util/error.hpp"

namespace converge::github {

// GitHub's limit of a step's job summary (GITHUB_STEP_SUMMARY): 1024 KiB.
inline constexpr size_t kSummaryLimit = 1024 * 1024;

class Console {
 public:
  Console(std::ostream& out, std::ostream& err, const RunContext& ctx);

  // Registers a secret and its other forms (secret_forms.hpp: URL-encoded, decoded,
  // JSON-escaped, a URL's password, pieces a URL parser splits off): each announced to
  // the runner with ::add-mask:: and replaced by "***" in everything this console
  // writes afterwards, every field of a workflow command included (file=, the
  // message), outputs and the job summary. Empty strings are ignored.
  void mask(std::string_view secret);
  std::string redact(std::string_view text) const;

  // Keeps standard output for one machine-readable document (--json, an output flag
  // given "-"): from now on everything this console writes, workflow commands included
  // (the runner reads them on stderr as on stdout), goes to `err`. The caller writes
  // the document itself (util::write_output("-")).
  void text_to_stderr();

  // Which of the two streams are terminals (run_guard asks isatty); colours are used
  // on a terminal when colours_allowed(ctx) (NO_COLOR, TERM=dumb, not in Actions).
  // Before this call, and by default, nothing is coloured.
  void set_terminals(bool out_is_terminal, bool err_is_terminal);

  void info(std::string_view text);                      // stdout, as is (plus newline)
  // A line in `tone` (a change starting, done, failed), coloured on a terminal;
  // written and flushed at once, so a person sees it as it happens.
  void info(std::string_view text, Tone tone);
  // Plan or diff text (plan/render.hpp), painted line by line on a terminal
  // (terminal.hpp: paint_plan_text), else as info().
  void plan_text(std::string_view text);
  void warning(std::string_view text, const std::optional<SourceLocation>& where = std::nullopt);
  void error(const Error& error);                        // one line; annotation in a runner
  // An annotation at `where` with a title (`::warning file=…,line=…,title=…::text`), the
  // level one of "notice", "warning", "error" (anything else is "warning"). Every field
  // is redacted and escaped, so a file name or title holding ',' ':' '%' or a newline
  // stays inside its property. Outside a runner nothing is written: the caller prints
  // the same facts in its own words (the plan's text lists its findings).
  void annotate(std::string_view level, std::string_view text, const SourceLocation& where, std::string_view title);
  void group_begin(std::string_view title);
  void group_end();

  // Step output (GITHUB_OUTPUT, heredoc with a random delimiter); ignored outside a runner.
  void set_output(std::string_view name, std::string_view value);
  // Appends markdown to the job summary; ignored outside a runner. The summary stays
  // within kSummaryLimit (counting what the file already holds: a step may run
  // converge more than once): what does not fit is cut at a line end, open code
  // fences and <details> closed, with a note that the rest is in the log
  // (plan/markdown_cut.hpp).
  void append_summary(std::string_view markdown);
  // Bytes the job summary can still take (kSummaryLimit minus what it holds), so a
  // caller can render within it and cut its own way (the plan says which changes
  // are not shown); kSummaryLimit without a summary file.
  size_t summary_room() const;

 private:
  std::string annotation(std::string_view level, std::string_view text, const std::optional<SourceLocation>& where,
                         std::string_view title = {}) const;

  std::ostream* out_;  // stdout, or err_ after text_to_stderr()
  std::ostream& err_;
  bool commands_;
  std::string output_file_;
  std::string summary_file_;
  std::vector<std::string> secrets_;
  bool colours_allowed_ = false;  // terminal.hpp: colours_allowed(ctx)
  bool out_terminal_ = false;
  bool err_terminal_ = false;
  // Whether the stream `stream` (out_ or err_) gets colours.
  bool coloured(const std::ostream* stream) const;
};

}  // namespace converge::github
