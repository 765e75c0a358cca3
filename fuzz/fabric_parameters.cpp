// Fuzz target: fabric-cicd's parameter.yml as the fabric provider reads and applies
// it (parameter_file.cpp, parameters.cpp, markers.cpp). The input is a parameter.yml,
// then, after a NUL byte, a first part and, after another NUL, a second part; the
// parts become the bytes of a fixed set of items (a notebook, a report, a variable
// library, nested .platform files, parts that are not UTF-8), which go through the
// provider's three passes for PROD: mark_logical_ids, apply_parameters,
// mark_default_workspace_ids. Aborts when, contrary to parameters.hpp and markers.hpp:
// - reading or applying throws (they answer an Error instead);
// - a part that is not valid UTF-8 (Python's strict decoder) or is named *.platform
//   is changed (fabric-cicd sends those as they are);
// - markers_in and resolve_markers disagree on a part: resolve_markers must call the
//   lookup with exactly the values markers_in lists, leave no ⟦ when it succeeds, and
//   fail only on a ⟦ left open;
// - python_json_dumps of a JSON part does not read back as the same JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "converge/providers/fabric/item.hpp"
#include "converge/providers/fabric/markers.hpp"
#include "converge/providers/fabric/parameters.hpp"

namespace fabric = converge::providers::fabric;

namespace {

[[noreturn]] void violated(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz_fabric_parameters: %s\n%.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// Python's UTF-8 decoder: no overlong forms, no surrogates, nothing above U+10FFFF.
bool strict_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0, min = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c >> 5) == 0x6) {
      n = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c >> 4) == 0xE) {
      n = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c >> 3) == 0x1E) {
      n = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // cut short
    for (std::size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b >> 6) != 0x2) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

bool processed(const fabric::Part& part) { return !part.path.ends_with(".platform") && strict_utf8(part.bytes); }

std::vector<fabric::Item> items_from(std::string_view first, std::string_view second) {
  const std::string a(first), b(second);
  std::vector<fabric::Item> items;
  items.push_back({"Notebook", "Hello World", "", "11111111-1111-1111-1111-111111111111", "", "Hello World.Notebook",
                   {{".children/Db.KQLDatabase/.platform", a},
                    {"binary.bin", a + "\xff"},
                    {"notebook-content.py", a},
                    {"overlong.txt", a + "\xc0\xaf"},
                    {"surrogate.txt", "\xed\xa0\x80" + a}}});
  items.push_back({"Report", "ByConnection", "", "22222222-2222-2222-2222-222222222222", "reports",
                   "reports/ByConnection.Report", {{"definition.pbir", b}, {"report.json", a}}});
  items.push_back({"VariableLibrary", "Vars", "", "33333333-3333-3333-3333-333333333333", "", "Vars.VariableLibrary",
                   {{"valueSets/PROD.json", a}, {"variables.json", b}}});
  items.push_back({"Lakehouse", "WithoutSchema", "", "00000000-0000-0000-0000-000000000000", "",
                   "WithoutSchema.Lakehouse", {{"lakehouse.metadata.json", b}}});
  return items;
}

// The three passes of the provider, as parameters.hpp orders them.
std::string run(const fabric::Parameters& parameters, std::vector<fabric::Item>& items) {
  fabric::mark_logical_ids(items);
  auto report = fabric::apply_parameters(parameters, "PROD", items);
  if (!report) return "error: " + report.error().message;
  fabric::mark_default_workspace_ids(items);
  return "";
}

void check_markers(const std::string& text) {
  const std::vector<std::string> listed = fabric::markers_in(text);
  std::set<std::string> asked;
  const auto resolved = fabric::resolve_markers(text, [&](std::string_view value) -> std::optional<std::string> {
    asked.insert(std::string(value));
    return std::string("v");
  });
  const std::set<std::string> listed_set(listed.begin(), listed.end());
  if (listed_set.size() != listed.size()) violated("markers_in listed a value twice", text);
  // Open brackets after the last complete marker: resolve_markers must refuse exactly then.
  std::size_t i = 0;
  bool unclosed = false;
  for (;;) {
    const std::size_t open = text.find(fabric::kMarkerOpen, i);
    if (open == std::string::npos) break;
    const std::size_t close = text.find(fabric::kMarkerClose, open + fabric::kMarkerOpen.size());
    if (close == std::string::npos) {
      unclosed = true;
      break;
    }
    i = close + fabric::kMarkerClose.size();
  }
  if (resolved.has_value() == unclosed) violated("resolve_markers failed or succeeded against its contract", text);
  if (!resolved) return;
  if (asked != listed_set) violated("resolve_markers asked for other values than markers_in lists", text);
  if (resolved->find(fabric::kMarkerOpen) != std::string::npos) violated("a resolved part still holds a marker", text);
}

void check_json_round_trip(std::string_view text) {
  auto doc = nlohmann::ordered_json::parse(text, nullptr, false);
  if (doc.is_discarded()) return;
  const std::string dumped = fabric::python_json_dumps(doc);
  auto again = nlohmann::ordered_json::parse(dumped, nullptr, false);
  if (again.is_discarded() || again != doc) violated("python_json_dumps does not read back", dumped);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t cut1 = input.find('\0');
  const std::string_view yaml = input.substr(0, cut1);
  std::string_view first, second;
  if (cut1 != std::string_view::npos) {
    const std::string_view rest = input.substr(cut1 + 1);
    const std::size_t cut2 = rest.find('\0');
    first = rest.substr(0, cut2);
    second = cut2 == std::string_view::npos ? first : rest.substr(cut2 + 1);
  }
  try {
    check_json_round_trip(first);
    check_markers(std::string(first));

    auto parameters = fabric::parse_parameters(yaml, "parameter.yml", "/repo");
    if (!parameters) return 0;
    const std::vector<fabric::Item> original = items_from(first, second);
    std::vector<fabric::Item> items = original;
    const std::string outcome = run(*parameters, items);
    for (std::size_t n = 0; n < items.size(); ++n) {
      for (std::size_t p = 0; p < items[n].parts.size(); ++p) {
        const fabric::Part& before = original[n].parts[p];
        const fabric::Part& after = items[n].parts[p];
        if (!processed(before) && after.bytes != before.bytes) violated("a part fabric-cicd sends as is changed", after.path);
        if (outcome.starts_with("error: ")) continue;
        check_markers(after.bytes);
      }
    }
  } catch (const std::exception& e) {
    violated("an exception escaped", e.what());
  } catch (...) {
    violated("an exception escaped");
  }
  return 0;
}
