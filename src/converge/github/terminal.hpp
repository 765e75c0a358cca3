// Colours for a person at a terminal: when a step may colour its text, and the ANSI
// codes of each tone. Colours are for the log a person reads live and nothing else:
// the console paints only what it prints to a terminal, never a step output, the job
// summary, a file or anything sent to GitHub (a comment, an issue).
//
// When: the stream is a terminal (isatty), NO_COLOR is unset or empty (no-color.org:
// set to anything non-empty, it turns colours off), TERM is not "dumb", and the step
// does not run in GitHub Actions. The Actions log would render ANSI colours, but a
// step's output there is a pipe, the raw log (downloaded, grepped, read by problem
// matchers) would carry the codes, and the signs (+ ~ - → ✓ ✗) and the ::group:: per
// target already say what the colours would; so inside Actions converge never
// colours, even on a runner whose output is a terminal.
#pragma once

#include <string>
#include <string_view>

#include "converge/github/context.hpp"

namespace converge::github {

// What a piece of text means to the reader; each tone has one colour.
enum class Tone {
  plain,
  added,    // green: a create, a '+' diff line, a change that succeeded
  changed,  // yellow: an update, a warning
  removed,  // red: a delete or replace, a '-' diff line, an error, a failure
  muted,    // dim: a change starting, a note, diff headers
  heading,  // bold: a target's title
};

// Whether colours are allowed at all in this run (NO_COLOR, TERM=dumb, Actions), as
// described above; the caller adds whether its stream is a terminal.
bool colours_allowed(const RunContext& ctx);

// `text` wrapped in the tone's ANSI codes (SGR), reset at its end; `text` itself for
// Tone::plain or empty text. Never call it for text that may leave the terminal.
std::string paint(Tone tone, std::string_view text);

// Text of a plan or diff (plan/render.hpp's render_text parts, util's unified diffs)
// painted line by line from how each line starts: "+ create"/'+' green, "~ update"
// yellow, "- delete", "-/+ replace" and '-' red, "---"/"+++"/"@@" dim, "ERROR:" and
// "WARNING:" red, "note:" dim. Lines are only wrapped, never changed: removing every
// "\x1b[…m" gives `text` back.
std::string paint_plan_text(std::string_view text);

}  // namespace converge::github
