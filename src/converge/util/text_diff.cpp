// Unified diff of two texts, split into lines; dtl (an O(ND) diff) builds the hunks.
#include "converge/util/text_diff.hpp"

#include <dtl/dtl.hpp>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

namespace converge::util {
namespace {

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// git diff's default "function" line for a hunk starting at 1-based line `first` of
// `lines`: the nearest earlier line starting with a letter, '_' or '$', cut at 80 bytes
// (not inside a UTF-8 sequence); "" when there is none.
std::string section_of(const std::vector<std::string>& lines, long long first) {
  for (long long i = std::min<long long>(first - 1, static_cast<long long>(lines.size())) - 1; i >= 0; --i) {
    const std::string& line = lines[static_cast<size_t>(i)];
    if (line.empty()) continue;
    unsigned char c = static_cast<unsigned char>(line.front());
    if (!std::isalpha(c) && c != '_' && c != '$') continue;
    size_t cut = std::min<size_t>(line.size(), 80);
    while (cut < line.size() && cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    return " " + line.substr(0, cut);
  }
  return "";
}

}  // namespace

std::string unified_diff(std::string_view from, std::string_view to, std::string_view from_label,
                         std::string_view to_label) {
  if (from == to) return {};
  auto a = split_lines(from);
  auto b = split_lines(to);
  dtl::Diff<std::string, std::vector<std::string>> diff(a, b);
  diff.compose();
  diff.composeUnifiedHunks();
  std::ostringstream out;
  out << "--- " << from_label << "\n+++ " << to_label << "\n";
  for (const auto& hunk : diff.getUniHunks()) {
    // GNU diff numbers an empty range by the line before it ("-0,0" for an empty file).
    out << "@@ -" << (hunk.b == 0 ? hunk.a - 1 : hunk.a) << "," << hunk.b << " +"
        << (hunk.d == 0 ? hunk.c - 1 : hunk.c) << "," << hunk.d << " @@" << section_of(a, hunk.a) << "\n";
    auto print = [&](const auto& elems) {
      for (const auto& [line, info] : elems) {
        char mark = info.type == dtl::SES_ADD ? '+' : info.type == dtl::SES_DELETE ? '-' : ' ';
        out << mark << line << "\n";
      }
    };
    print(hunk.common[0]);
    print(hunk.change);
    print(hunk.common[1]);
  }
  return out.str();
}

std::optional<std::string> carry_line_edits(std::string_view base, std::string_view edited, std::string_view target,
                                            const std::function<std::string(std::string_view)>& added) {
  auto a = split_lines(base);
  auto b = split_lines(edited);
  auto t = split_lines(target);
  if (a.size() != t.size()) return std::nullopt;
  dtl::Diff<std::string, std::vector<std::string>> diff(a, b);
  diff.compose();
  std::string out;
  for (const auto& [line, info] : diff.getSes().getSequence()) {
    if (info.type == dtl::SES_COMMON) {
      out += t[static_cast<std::size_t>(info.beforeIdx - 1)];
      out += '\n';
    } else if (info.type == dtl::SES_ADD) {
      out += added(line);
      out += '\n';
    }
  }
  if (!edited.ends_with('\n') && !out.empty()) out.pop_back();
  return out;
}

}  // namespace converge::util
