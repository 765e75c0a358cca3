// resolve_markers and markers_in: a scan for ⟦…⟧ (markers.hpp).
#include "converge/providers/fabric/markers.hpp"

#include <algorithm>

#include "converge/providers/fabric/item.hpp"

namespace converge::providers::fabric {

std::string marker(std::string_view value) {
  std::string out(kMarkerOpen);
  out += value;
  out += kMarkerClose;
  return out;
}

Expected<std::string> resolve_markers(std::string_view text,
                                      const std::function<std::optional<std::string>(std::string_view)>& lookup) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  for (;;) {
    const std::size_t open = text.find(kMarkerOpen, i);
    if (open == std::string_view::npos) break;
    const std::size_t start = open + kMarkerOpen.size();
    const std::size_t close = text.find(kMarkerClose, start);
    if (close == std::string_view::npos)
      return fail(Error::runtime("a marker " + std::string(kMarkerOpen) + " is not closed: " +
                                 std::string(text.substr(open, std::min<std::size_t>(80, text.size() - open)))));
    const std::string_view value = text.substr(start, close - start);
    std::optional<std::string> resolved = lookup(value);
    if (!resolved) return fail(Error::runtime("no value for " + marker(value)));
    out.append(text.substr(i, open - i));
    out += *resolved;
    i = close + kMarkerClose.size();
  }
  out.append(text.substr(i));
  return out;
}

std::vector<std::string> markers_in(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  for (;;) {
    const std::size_t open = text.find(kMarkerOpen, i);
    if (open == std::string_view::npos) break;
    const std::size_t start = open + kMarkerOpen.size();
    const std::size_t close = text.find(kMarkerClose, start);
    if (close == std::string_view::npos) break;
    std::string value(text.substr(start, close - start));
    if (std::find(out.begin(), out.end(), value) == out.end()) out.push_back(std::move(value));
    i = close + kMarkerClose.size();
  }
  return out;
}

std::optional<ItemReference> item_reference(std::string_view value) {
  constexpr std::string_view kPrefix = "$items.";
  if (!value.starts_with(kPrefix)) return std::nullopt;
  const std::string_view rest = value.substr(kPrefix.size());
  const std::size_t first = rest.find('.');
  const std::size_t last = rest.rfind('.');
  if (first == std::string_view::npos || last == first || first == 0 || last == first + 1 || last + 1 == rest.size())
    return std::nullopt;
  return ItemReference{std::string(rest.substr(0, first)), std::string(rest.substr(first + 1, last - first - 1)),
                       std::string(rest.substr(last + 1))};
}

}  // namespace converge::providers::fabric
