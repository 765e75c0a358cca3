// Comparing and showing definition parts (compare.hpp).
#include "converge/providers/fabric/compare.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "converge/providers/fabric/text.hpp"
#include "converge/util/sha256.hpp"

namespace converge::providers::fabric {
namespace {

using nlohmann::json;


bool json_path(const std::string& path) {
  auto dot = path.rfind('.');
  if (dot == std::string::npos) return path == ".schedules";
  std::string ext = path.substr(dot);
  return ext == ".json" || ext == ".pbir" || ext == ".pbism" || ext == ".schedules" || ext == ".ipynb";
}

// The part's JSON value, or discarded when it is not JSON (or too large to be worth it).
json as_json(const std::string& path, const std::string& bytes) {
  if (!json_path(path) || bytes.size() > (16u << 20)) return json(json::value_t::discarded);
  // A part from the repository is outside input: nlohmann's parser is recursive, so
  // its depth is what a hostile file could exhaust; these parts are at most 16 MiB
  // and the callback refuses to go deeper than 256 levels.
  int depth = 0;
  bool too_deep = false;
  json::parser_callback_t guard = [&](int d, json::parse_event_t event, json&) {
    if (event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) {
      depth = std::max(depth, d);
      if (d > 256) too_deep = true;
    }
    return !too_deep;
  };
  json value = json::parse(bytes, guard, false);
  if (too_deep) return json(json::value_t::discarded);
  return value;
}

}  // namespace

bool same_part(const std::string& path, const std::string& desired, const std::string& actual) {
  if (desired == actual) return true;
  json a = as_json(path, desired);
  if (a.is_discarded()) return false;
  json b = as_json(path, actual);
  return !b.is_discarded() && a == b;
}

std::string shown_part(const std::string& path, const std::string& bytes) {
  if (!is_text(bytes))
    return "(binary, " + std::to_string(bytes.size()) + " bytes, sha256 " + util::sha256_hex(bytes) + ")\n";
  json value = as_json(path, bytes);
  std::string text = value.is_discarded() ? bytes : value.dump(2) + "\n";
  if (!text.empty() && text.back() != '\n') text += "\n";
  return text;
}

std::vector<std::string> changed_parts(const std::vector<Part>& desired, const std::vector<Part>& actual) {
  std::map<std::string, const std::string*> want, have;
  for (const auto& p : desired) want[p.path] = &p.bytes;
  for (const auto& p : actual) have[p.path] = &p.bytes;
  std::vector<std::string> out;
  for (const auto& [path, bytes] : want) {
    auto other = have.find(path);
    if (other == have.end() || !same_part(path, *bytes, *other->second)) out.push_back(path);
  }
  for (const auto& [path, bytes] : have)
    if (!want.contains(path)) out.push_back(path);
  std::sort(out.begin(), out.end());
  return out;
}

std::string shown_parts(const std::vector<Part>& parts, const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& path : paths) {
    auto it = std::find_if(parts.begin(), parts.end(), [&](const Part& p) { return p.path == path; });
    if (it == parts.end()) continue;
    out += "--- " + path + "\n" + shown_part(path, it->bytes);
  }
  return out;
}

}  // namespace converge::providers::fabric
