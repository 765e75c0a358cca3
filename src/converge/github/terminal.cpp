// Colours for a terminal (see terminal.hpp): the decision and the ANSI codes.
#include "converge/github/terminal.hpp"

namespace converge::github {
namespace {

std::string_view sgr(Tone tone) {
  switch (tone) {
    case Tone::added: return "\x1b[32m";
    case Tone::changed: return "\x1b[33m";
    case Tone::removed: return "\x1b[31m";
    case Tone::muted: return "\x1b[2m";
    case Tone::heading: return "\x1b[1m";
    case Tone::plain: return "";
  }
  return "";
}

Tone line_tone(std::string_view line) {
  if (line.starts_with("---") || line.starts_with("+++") || line.starts_with("@@") || line.starts_with("note: "))
    return Tone::muted;
  if (line.starts_with("ERROR: ") || line.starts_with("WARNING: ") || line.starts_with("DESTRUCTIVE"))
    return Tone::removed;
  if (line.starts_with("== ")) return Tone::heading;
  if (line.starts_with('+')) return Tone::added;
  if (line.starts_with('-')) return Tone::removed;  // also "-/+ replace"
  if (line.starts_with("~ ")) return Tone::changed;
  return Tone::plain;
}

}  // namespace

bool colours_allowed(const RunContext& ctx) {
  if (ctx.in_actions) return false;
  if (auto no_color = ctx.variable("NO_COLOR"); no_color && !no_color->empty()) return false;
  if (ctx.variable("TERM") == "dumb") return false;
  return true;
}

std::string paint(Tone tone, std::string_view text) {
  if (tone == Tone::plain || text.empty()) return std::string(text);
  std::string out(sgr(tone));
  out.append(text).append("\x1b[0m");
  return out;
}

std::string paint_plan_text(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    out += paint(line_tone(line), line);
    if (end == std::string_view::npos) break;
    out += '\n';
    text.remove_prefix(end + 1);
  }
  return out;
}

}  // namespace converge::github
