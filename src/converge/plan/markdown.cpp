// Context escaping for markdown (see markdown.hpp). One pass decodes UTF-8 and
// makes invisible or line-breaking characters visible; the inline contexts build
// on it. The CommonMark rules relied on: a backslash escapes any ASCII punctuation
// character (so no markdown, HTML, entity or autolink can start); a code span ends
// only at a backtick run of exactly its opening length and has one leading and one
// trailing space stripped when both exist (spec 6.1); a fenced block ends only at a
// line of at least its fence length of the same character (spec 4.5); a GFM table
// row is split at every '|' not escaped by a backslash, also inside code spans.
#include "converge/plan/markdown.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace converge::plan {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at `s[i]` and its code point; 0 when invalid
// (truncated, overlong, a surrogate or beyond U+10FFFF).
size_t decode(std::string_view s, size_t i, std::uint32_t& cp) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b = byte(i);
  size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  cp = n == 1 ? b : b & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// Code points that break a line somewhere (C1 NEL, U+2028/9) or reorder what a
// reader sees (the bidirectional controls, "Trojan Source").
bool hidden(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || cp == 0x061C || cp == 0x200E ||
         cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

void append_hex(std::string& out, std::uint32_t value, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xF];
}

// visible(); with `keep_lines`, '\n', '\t' and the '\r' of a "\r\n" stay as they are.
std::string make_visible(std::string_view text, bool keep_lines) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    std::uint32_t cp = 0;
    size_t n = decode(text, i, cp);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (cp < 0x20 || cp == 0x7F) {
      const bool crlf = cp == '\r' && i + 1 < text.size() && text[i + 1] == '\n';
      if (keep_lines && (cp == '\n' || cp == '\t' || crlf)) out += static_cast<char>(cp);
      else if (cp == '\n') out += "\\n";
      else if (cp == '\r') out += "\\r";
      else if (cp == '\t') out += "\\t";
      else {
        out += "\\x";
        append_hex(out, cp, 2);
      }
    } else if (hidden(cp)) {
      out += "\\u{";
      append_hex(out, cp, 4);
      out += '}';
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

size_t longest_run(std::string_view text, char c) {
  size_t longest = 0, run = 0;
  for (char x : text) {
    run = x == c ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

bool ascii_punctuation(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

// A code span of text that is already visible().
std::string code_span(std::string_view text) {
  const std::string fence(longest_run(text, '`') + 1, '`');
  // All-space content is never stripped, so padding would show; anything else is
  // padded on both sides and CommonMark strips exactly that.
  const bool all_spaces = std::all_of(text.begin(), text.end(), [](char c) { return c == ' '; });
  const std::string_view pad = all_spaces && !text.empty() ? "" : " ";
  std::string out;
  out.reserve(text.size() + 2 * fence.size() + 2);
  out.append(fence).append(pad).append(text).append(pad).append(fence);
  return out;
}

// Whether a word of plain text could become a mention, an issue reference or a
// link on GitHub or with a linkifier (URLs, e-mail addresses, www. and bare
// domains such as evil.com or notes.md, which linkify-it links "fuzzily").
bool could_link(std::string_view word) {
  for (size_t i = 0; i < word.size(); ++i) {
    const char c = word[i];
    const bool last = i + 1 == word.size();
    const char next = last ? '\0' : word[i + 1];
    if (c == '@' || c == '#') return true;
    if (c == ':' && !last) return true;
    if (c == '/' && next == '/') return true;
    if (c == '.' && !last && !ascii_punctuation(next) && next != ' ') return true;
    if ((c == 'G' || c == 'g') && i + 3 < word.size() && (word[i + 1] == 'H' || word[i + 1] == 'h') &&
        word[i + 2] == '-' && word[i + 3] >= '0' && word[i + 3] <= '9')
      return true;
  }
  return false;
}

// Whether word[k] could mean something to markdown in running text. Always: the
// characters that open or close inline constructs (code, emphasis, strikethrough,
// links, images, footnotes, HTML, entities, math, table cells) and the backslash.
// At a word's start: those that open a block at the start of a line (list items,
// setext underlines); '.' and ')' after a digit (ordered list items). The rest
// (, ; : ? ! " ' % / ( ) { }) means nothing once these are escaped, and stays
// readable in the raw text.
bool needs_escape(std::string_view word, size_t k) {
  switch (word[k]) {
    case '\\': case '`': case '*': case '_': case '[': case ']': case '<': case '>': case '&': case '~':
    case '|': case '$': case '^':
      return true;
    case '-': case '+': case '=':
      return k == 0;
    case '.': case ')':
      return k > 0 && word[k - 1] >= '0' && word[k - 1] <= '9';
    default:
      return false;
  }
}

}  // namespace

std::string visible(std::string_view text) { return make_visible(text, false); }

std::string clip(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "… (" + std::to_string(text.size() - cut) + " more bytes)";
}

std::string md_code(std::string_view text) { return code_span(visible(text)); }

std::string md_text(std::string_view text) {
  const std::string shown = visible(text);
  std::string out;
  out.reserve(shown.size() + shown.size() / 4);
  size_t i = 0;
  while (i < shown.size()) {
    if (shown[i] == ' ') {
      out += ' ';
      ++i;
      continue;
    }
    size_t end = shown.find(' ', i);
    if (end == std::string::npos) end = shown.size();
    const std::string_view word(shown.data() + i, end - i);
    if (could_link(word)) {
      out += code_span(word);
    } else {
      for (size_t k = 0; k < word.size(); ++k) {
        if (needs_escape(word, k)) out += '\\';
        out += word[k];
      }
    }
    i = end;
  }
  return out;
}

std::string md_plain(std::string_view text) {
  constexpr std::string_view kWordJoiner = "\u2060";
  const std::string shown = visible(text);
  std::string out;
  out.reserve(shown.size() + shown.size() / 4);
  size_t start = 0;  // of the current word
  bool linking = false;
  for (size_t i = 0; i < shown.size(); ++i) {
    if (i == start) {
      size_t end = shown.find(' ', i);
      linking = could_link(std::string_view(shown).substr(i, end == std::string::npos ? std::string::npos : end - i));
    }
    const char c = shown[i];
    if (c == ' ') {
      out += c;
      start = i + 1;
      continue;
    }
    // An '@' as a reference too: linkify-it takes a word joiner for part of an
    // e-mail address, but not a reference, which ends its text token.
    if (needs_escape(std::string_view(shown).substr(start), i - start) || (linking && c == '@')) {
      out += "&#" + std::to_string(static_cast<int>(c)) + ";";
    } else {
      out += c;
    }
    const bool gh_dash = c == '-' && i >= 2 && (shown[i - 1] == 'H' || shown[i - 1] == 'h') &&
                         (shown[i - 2] == 'G' || shown[i - 2] == 'g');
    if (linking && (c == '@' || c == '#' || c == ':' || c == '/' || c == '.' || gh_dash)) out += kWordJoiner;
  }
  return out;
}

std::string md_cell(std::string_view text) {
  // A plain name (letters, digits, '-') means nothing to markdown: shown as is.
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
      }))
    return std::string(text);
  // A backslash right before a '|' would turn the cell's "\|" into "\\|", an
  // escaped backslash and a live pipe: show such a backslash as its escape.
  std::string shown;
  for (char c : visible(text)) {
    if (c == '|' && !shown.empty() && shown.back() == '\\') shown.replace(shown.size() - 1, 1, "\\x5c");
    shown += c;
  }
  std::string out;
  for (char c : code_span(shown)) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string html_text(std::string_view text) {
  std::string out;
  for (char c : visible(text)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string html_code(std::string_view text) { return "<code>" + html_text(text) + "</code>"; }

std::string md_code_block(std::string_view text, std::string_view info) {
  std::string body = make_visible(text, true);
  if (body.empty() || body.back() != '\n') body += '\n';
  // Only a backtick line can close a backtick fence; tildes are counted too so the
  // block stays whole were it ever written with tildes.
  const std::string fence(std::max<size_t>({3, longest_run(body, '`') + 1, longest_run(body, '~') + 1}), '`');
  std::string out;
  out.reserve(body.size() + 2 * fence.size() + info.size() + 2);
  out.append(fence);
  for (char c : info)  // an info string of a backtick fence may not hold a backtick
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '+') out += c;
  out.append("\n").append(body).append(fence).append("\n");
  return out;
}

}  // namespace converge::plan
