// Escaping for every context where a string from the repository or a runtime (a
// change key, a migration file name, a target name, a note, an error, a diff) lands
// in markdown that GitHub renders: the plan comment, the job summary, the drift
// issue, the export pull request.
//
// The promise: whatever the string holds, it shows as that text and nothing else.
// It cannot close the construct it sits in (a code span, a table cell, a fenced
// block, an HTML element), open HTML or an HTML comment that hides what follows,
// start a heading, list or quote, create a link or an autolink, @mention someone
// (a ping) or reference an issue (#123, GH-123). Newlines never survive into an
// inline context: they and other invisible or line-breaking characters show as
// escapes (`\n`, `\r`, `\t`, `\x1b`, `\u{202e}`), and invalid UTF-8 as U+FFFD.
//
// GitHub links @names and #123 in the rendered HTML's text, outside <code>, so
// backslashes cannot stop them: in plain text, a word that could ping, reference
// or link is set as a code span. Every function is linear in its input.
#pragma once

#include <string>
#include <string_view>

namespace converge::plan {

// `text` on one line, everything visible: \n, \r, \t and other C0/C1 controls,
// DEL, U+2028/U+2029 and the bidirectional controls (which can reorder what a
// reader sees) as escapes; invalid UTF-8 as U+FFFD. Printable text is unchanged.
std::string visible(std::string_view text);

// At most `max_bytes` of `text` (cut on a UTF-8 boundary), with "… (N more
// bytes)" when it was cut; `text` itself when it fits.
std::string clip(std::string_view text, size_t max_bytes);

// Bytes of one key, note, message or file name shown inline in a plan: a hostile
// name cannot fill the comment and push every other change out of it.
inline constexpr size_t kInlineLimit = 1000;

// An inline code span showing visible(text) exactly: its backtick fence is longer
// than any backtick run inside, padded with a space on each side (CommonMark strips
// exactly one, so text starting or ending with a backtick or a space stays whole).
std::string md_code(std::string_view text);

// Plain inline markdown text showing visible(text): every ASCII punctuation
// character that could open or close markdown, HTML or an entity (among them
// `\ ` * _ [ ] < > & ~ | $ ^`, and a list or heading marker at a word's start)
// backslash-escaped; a word containing '@', '#', "GH-<digit>", "//", or a ':' or
// '.' inside it (URLs, e-mail addresses, bare domains that a linkifier would
// link) is set as md_code, so it cannot ping, reference or link.
std::string md_text(std::string_view text);

// Like md_text, but without a single markup character (no backslash escapes, no
// code spans): for a line that must stay plain text, such as the plan comment's
// status line. Characters that could open markdown, HTML or an entity become
// numeric character references (`&#60;`); in a word that could ping, reference or
// link, a WORD JOINER (U+2060, invisible) follows each '@', '#', ':', '/', '.' and
// the '-' of "GH-", which breaks mentions, references and autolinks, and the '@'
// is a character reference too (which ends a linkifier's e-mail address).
std::string md_plain(std::string_view text);

// The content of a GFM table cell: a plain name (ASCII letters, digits, '-') as it
// is, anything else as md_code(text) with every '|' escaped, so the cell cannot be
// split (GFM removes that backslash inside a cell's code span too).
std::string md_cell(std::string_view text);

// Text for raw HTML (an HTML block such as `<details><summary>…</summary>`, where
// markdown is not processed): visible(text) with & < > " ' as character references.
// Valid as an element's text and as a double-quoted attribute value.
std::string html_text(std::string_view text);

// `<code>` + html_text(text) + `</code>`: for untrusted text inside raw HTML, where
// GitHub would still turn @names and #123 into pings and links outside <code>.
std::string html_code(std::string_view text);

// A fenced code block showing `text` as it is, line by line: the backtick fence is
// longer than any backtick or tilde run inside (so no line can close it); a lone
// '\r' (a line break to CommonMark, which could fake a line), other controls but
// '\n' and '\t', the bidirectional controls and invalid UTF-8 are shown as in
// visible(). Ends with "\n".
std::string md_code_block(std::string_view text, std::string_view info = {});

}  // namespace converge::plan
