// roff for the man pages (see man_page.hpp). Text is escaped for roff: a backslash
// becomes \e, a line starting with '.' or '\'' is protected with \&, and '-' in flag
// names is \- (so they can be searched and copied as ASCII hyphens).
#include "man_page.hpp"

namespace converge::front {
namespace {

std::string escape(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

std::string header(const std::string& name, const std::string& version) {
  return ".TH " + escape(name) + " 1 \"\" \"converge " + escape(version) + "\" \"converge manual\"\n";
}

const char* kExitStatus =
    ".SH EXIT STATUS\n"
    ".TP\n0\nsuccess\n"
    ".TP\n1\ndrift found, or a gate refused (nothing was applied)\n"
    ".TP\n2\nusage or configuration error\n"
    ".TP\n3\nruntime or provider failure\n";

}  // namespace

std::string step_man_page(const StepFlags& step, const std::string& version) {
  const std::string name = "converge-" + step.step;
  std::string out = header(name, version);
  out += ".SH NAME\n" + escape(name) + " \\- " + escape(step.description) + "\n";
  out += ".SH SYNOPSIS\n.B converge " + escape(step.step) + "\n[\\fIOPTION\\fR...]\n.br\n.B " + escape(name) +
         "\n[\\fIOPTION\\fR...]\n";
  out += ".SH DESCRIPTION\n" + escape(step.description) + "\n";
  out += ".SH OPTIONS\n";
  for (const auto& flag : step.flags) {
    out += ".TP\n";
    if (!flag.short_name.empty()) out += "\\fB\\-" + escape(flag.short_name) + "\\fR, ";
    out += "\\fB\\-\\-" + escape(flag.long_name) + "\\fR";
    if (flag.takes_value) out += " \\fIvalue\\fR";
    out += "\n" + escape(flag.help);
    if (!flag.default_value.empty()) out += " (default: " + escape(flag.default_value) + ")";
    out += "\n";
  }
  out += kExitStatus;
  out += ".SH SEE ALSO\n.BR converge (1)\n";
  return out;
}

std::string front_man_page(const std::vector<StepFlags>& steps, const std::string& version) {
  std::string out = header("converge", version);
  out += ".SH NAME\nconverge \\- keep every runtime equal to Git, from GitHub Actions\n";
  out += ".SH SYNOPSIS\n.B converge\n\\fISTEP\\fR [\\fIOPTION\\fR...]\n.br\n.B converge completion\n"
         "\\fBbash\\fR|\\fBzsh\\fR\n.br\n.B converge man\n\\fIDIR\\fR\n";
  out += ".SH DESCRIPTION\n.B converge\n\\fISTEP\\fR runs \\fBconverge\\-\\fR\\fISTEP\\fR from the same directory "
         "(or PATH), as git runs its commands. Each step has its own page.\n";
  out += ".SH STEPS\n";
  for (const auto& step : steps)
    out += ".TP\n.B " + escape(step.step) + "\n" + escape(step.description) + " See \\fBconverge\\-" +
           escape(step.step) + "\\fR(1).\n";
  out += ".TP\n.B completion bash\\fR|\\fBzsh\nprint a completion script for the shell\n";
  out += ".TP\n.B man \\fIDIR\nwrite these man pages into DIR\n";
  out += kExitStatus;
  out += ".SH SEE ALSO\n";
  for (size_t i = 0; i < steps.size(); ++i)
    out += ".BR converge\\-" + escape(steps[i].step) + " (1)" + (i + 1 < steps.size() ? ",\n" : "\n");
  return out;
}

}  // namespace converge::front
