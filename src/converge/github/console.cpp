// Workflow commands, outputs and the job summary; redaction of registered secrets.
#include "converge/github/console.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "converge/github/secret_forms.hpp"
#include "converge/plan/markdown_cut.hpp"

namespace converge::github {
namespace {

// Workflow command data must not contain raw newlines or '%' (runner escaping rules).
std::string escape_data(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

std::string escape_property(std::string_view s) {
  std::string out;
  for (char c : escape_data(s)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

void append(const std::string& path, std::string_view text) {
  if (path.empty()) return;
  std::ofstream(path, std::ios::app | std::ios::binary) << text;
}

// Where the job summary is cut (Console::append_summary).
constexpr std::string_view kSummaryCutNote =
    "> [!NOTE]\n> The job summary is cut here: GitHub shows at most 1 MiB of a step's summary. The rest is in the "
    "step's log (the plan also in its `plan.json`).\n";

}  // namespace

Console::Console(std::ostream& out, std::ostream& err, const RunContext& ctx)
    : out_(&out), err_(err), commands_(ctx.in_actions), output_file_(ctx.output_file), summary_file_(ctx.summary_file) {
  colours_allowed_ = colours_allowed(ctx);
}

void Console::text_to_stderr() { out_ = &err_; }

void Console::mask(std::string_view secret) {
  for (auto& form : secret_forms(secret)) {
    if (std::find(secrets_.begin(), secrets_.end(), form) != secrets_.end()) continue;
    if (commands_) *out_ << "::add-mask::" << escape_data(form) << "\n";
    secrets_.push_back(std::move(form));
  }
  // Longest first, so a secret containing another is replaced whole.
  std::stable_sort(secrets_.begin(), secrets_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string Console::redact(std::string_view text) const {
  std::string out(text);
  for (const auto& s : secrets_) {
    for (size_t pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos + 3)) out.replace(pos, s.size(), "***");
  }
  return out;
}

void Console::info(std::string_view text) { *out_ << redact(text) << "\n" << std::flush; }

void Console::set_terminals(bool out_is_terminal, bool err_is_terminal) {
  out_terminal_ = out_is_terminal;
  err_terminal_ = err_is_terminal;
}

bool Console::coloured(const std::ostream* stream) const {
  return colours_allowed_ && (stream == &err_ ? err_terminal_ : out_terminal_);
}

void Console::info(std::string_view text, Tone tone) {
  const std::string shown = redact(text);  // before painting: a code never splits a secret
  *out_ << (coloured(out_) ? paint(tone, shown) : shown) << "\n" << std::flush;
}

void Console::plan_text(std::string_view text) {
  const std::string shown = redact(text);
  *out_ << (coloured(out_) ? paint_plan_text(shown) : shown) << "\n" << std::flush;
}

std::string Console::annotation(std::string_view level, std::string_view text,
                                const std::optional<SourceLocation>& where, std::string_view title) const {
  std::string props;
  if (where && !where->file.empty()) {
    props = " file=" + escape_property(redact(where->file));
    if (where->line > 0) props += ",line=" + std::to_string(where->line);
    if (where->column > 0) props += ",col=" + std::to_string(where->column);
  }
  if (!title.empty()) props += (props.empty() ? " title=" : ",title=") + escape_property(redact(title));
  return "::" + std::string(level) + props + "::" + escape_data(redact(text));
}

void Console::warning(std::string_view text, const std::optional<SourceLocation>& where) {
  if (commands_) *out_ << annotation("warning", text, where) << "\n" << std::flush;
  else
    err_ << (coloured(&err_) ? paint(Tone::changed, "warning:") : "warning:") << " "
         << redact(where && !where->file.empty() ? where->to_string() + ": " + std::string(text) : std::string(text))
         << "\n" << std::flush;
}

void Console::error(const Error& e) {
  if (commands_) *out_ << annotation("error", e.message, e.where) << "\n" << std::flush;
  err_ << (coloured(&err_) ? paint(Tone::removed, "error:") : "error:") << " " << redact(e.to_string()) << "\n"
       << std::flush;
}

void Console::annotate(std::string_view level, std::string_view text, const SourceLocation& where,
                       std::string_view title) {
  if (!commands_) return;
  if (level != "notice" && level != "error") level = "warning";
  *out_ << annotation(level, text, where, title) << "\n" << std::flush;
}

void Console::group_begin(std::string_view title) {
  if (commands_) *out_ << "::group::" << escape_data(redact(title)) << "\n";
  else *out_ << "\n" << (coloured(out_) ? paint(Tone::heading, redact(title)) : redact(title)) << "\n";
}

void Console::group_end() {
  if (commands_) *out_ << "::endgroup::\n";
  *out_ << std::flush;
}

void Console::set_output(std::string_view name, std::string_view value) {
  if (output_file_.empty()) return;
  std::random_device rd;
  std::string delimiter = "ghadelimiter_" + std::to_string(rd()) + std::to_string(rd());
  append(output_file_, redact(name) + "<<" + delimiter + "\n" + redact(value) + "\n" + delimiter + "\n");
}

size_t Console::summary_room() const {
  std::error_code ec;
  const auto used = summary_file_.empty() ? 0 : std::filesystem::file_size(summary_file_, ec);
  if (ec) return kSummaryLimit;  // no file yet
  return used < kSummaryLimit ? kSummaryLimit - used : 0;
}

void Console::append_summary(std::string_view markdown) {
  if (summary_file_.empty()) return;
  append(summary_file_, plan::cut_markdown(redact(markdown), summary_room(), kSummaryCutNote));
}

}  // namespace converge::github
