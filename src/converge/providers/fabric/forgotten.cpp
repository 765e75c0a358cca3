// Forgotten parameters (forgotten.hpp).
#include "converge/providers/fabric/forgotten.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>

#include "converge/providers/fabric/text.hpp"

namespace converge::providers::fabric {
namespace {

constexpr std::size_t kMaxForgotten = 100;

bool other_env_guid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return text != "00000000-0000-0000-0000-000000000000";
}

std::string folded(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

std::vector<Warning> forgotten_values(const Parameters& parameters, std::string_view environment,
                                      const std::vector<Item>& items) {
  std::set<std::string> own;                // this environment's values: never forgotten
  std::map<std::string, std::string> other;  // lower-case GUID → where parameter.yml names it
  const std::string file = parameters.shown_path;
  for (const auto& entry : parameters.find_replace) {
    if (entry.is_regex) continue;
    bool mine = false;
    for (const auto& [env, value] : entry.replace_value)
      if (env == environment || folded(env) == "_all_") {
        mine = true;
        own.insert(folded(value));
      }
    const std::string at = file + ":" + std::to_string(entry.line);
    if (mine && other_env_guid(entry.find_value)) other.emplace(folded(entry.find_value), at + " (its find_value)");
    for (const auto& [env, value] : entry.replace_value)
      if (env != environment && other_env_guid(value)) other.emplace(folded(value), at + " (" + env + "'s value)");
  }
  for (const auto& value : own) other.erase(value);
  std::vector<Warning> out;
  if (other.empty()) return out;
  for (const auto& item : items)
    for (const auto& part : item.parts) {
      if (!is_utf8(part.bytes)) continue;
      const std::string text = folded(part.bytes);
      for (const auto& [value, where] : other)
        for (auto at = text.find(value); at != std::string::npos; at = text.find(value, at + value.size())) {
          if (out.size() >= kMaxForgotten) return out;
          const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
          out.push_back({item.dir + "/" + part.path, line,
                         "holds " + part.bytes.substr(at, value.size()) + ", another environment's value (" + where +
                             "): a forgotten parameter? This environment (" + std::string(environment) +
                             ") would run with it",
                         "fabric/parameter-forgotten"});
        }
    }
  return out;
}

}  // namespace converge::providers::fabric
