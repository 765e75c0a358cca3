// Cutting markdown at a line end and closing what is open there (see
// markdown_cut.hpp). The CommonMark rules relied on: a fenced code block opens with
// a line of at least three backticks or tildes indented by at most three spaces
// (a backtick fence's info string holds no backtick) and closes at a line of the
// same character, at least as long, with nothing after it but spaces (spec 4.5);
// an HTML block (<details>) ends at a blank line, so markdown after "</details>"
// and a blank line renders as markdown again (spec 4.6).
#include "converge/plan/markdown_cut.hpp"

#include <vector>

namespace converge::plan {
namespace {

// What is open at the start of a line.
struct Open {
  size_t at = 0;        // byte offset of the line start
  size_t fence = 0;     // length of the open fence; 0 = none
  char fence_char = 0;  // '`' or '~'
  int details = 0;      // <details> elements open
};

// The fence a line opens or closes: its character and length; {0, 0} when the
// line is none. `info` is what follows the run.
struct FenceRun {
  char c = 0;
  size_t n = 0;
  std::string_view info;
};

FenceRun fence_run(std::string_view line) {
  size_t i = 0;
  while (i < 3 && i < line.size() && line[i] == ' ') ++i;
  if (i >= line.size() || (line[i] != '`' && line[i] != '~')) return {};
  const char c = line[i];
  size_t n = 0;
  while (i + n < line.size() && line[i + n] == c) ++n;
  if (n < 3) return {};
  return {c, n, line.substr(i + n)};
}

bool starts_tag(std::string_view line, std::string_view tag) {
  size_t i = 0;
  while (i < 3 && i < line.size() && line[i] == ' ') ++i;
  line.remove_prefix(i);
  if (!line.starts_with(tag)) return false;
  const char next = line.size() > tag.size() ? line[tag.size()] : '\0';
  return next == '>' || next == ' ';
}

// The state after `line` given the state before it.
Open next_state(Open state, std::string_view line) {
  const FenceRun run = fence_run(line);
  if (state.fence > 0) {
    if (run.c == state.fence_char && run.n >= state.fence &&
        run.info.find_first_not_of(" \r") == std::string_view::npos)
      state.fence = 0;
    return state;
  }
  if (run.n > 0 && !(run.c == '`' && run.info.find('`') != std::string_view::npos)) {
    state.fence = run.n;
    state.fence_char = run.c;
  } else if (starts_tag(line, "<details")) {
    ++state.details;
  } else if (starts_tag(line, "</details") && state.details > 0) {
    --state.details;
  }
  return state;
}

std::string closers(const Open& state) {
  std::string out;
  if (state.fence > 0) out.append(state.fence, state.fence_char).append("\n");
  for (int i = 0; i < state.details; ++i) out += "\n</details>\n";
  return out + "\n";
}

}  // namespace

std::string cut_markdown(std::string_view markdown, size_t limit, std::string_view note) {
  if (markdown.size() <= limit) return std::string(markdown);
  // The state at every line start within the limit.
  std::vector<Open> starts{Open{}};
  for (size_t at = 0; at < markdown.size() && at <= limit;) {
    const size_t end = markdown.find('\n', at);
    if (end == std::string_view::npos) break;
    Open state = next_state(starts.back(), markdown.substr(at, end - at));
    state.at = end + 1;
    starts.push_back(state);
    at = end + 1;
  }
  // The latest line end where the prefix, its closers and the note fit.
  for (auto it = starts.rbegin(); it != starts.rend(); ++it) {
    if (it->at > limit) continue;
    std::string close = closers(*it);
    if (it->at + close.size() + note.size() > limit) continue;
    std::string out(markdown.substr(0, it->at));
    out.append(close).append(note);
    return out;
  }
  // Not even the note fits after nothing: the note, cut on a UTF-8 boundary.
  size_t cut = std::min(limit, note.size());
  while (cut > 0 && cut < note.size() && (static_cast<unsigned char>(note[cut]) & 0xC0) == 0x80) --cut;
  return std::string(note.substr(0, cut));
}

}  // namespace converge::plan
