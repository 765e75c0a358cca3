// Secret references in asset items (see secrets.hpp).
#include "converge/providers/assets/secrets.hpp"

#include <algorithm>
#include <cstdlib>

#include "converge/util/ascii.hpp"

namespace converge::providers::assets {
namespace {

using nlohmann::json;

bool name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

// One piece of a string: literal text, or a reference to an allowed secret.
struct Piece {
  std::string text;
  bool secret = false;
};

std::vector<Piece> pieces(std::string_view text, const std::set<std::string>& allowed) {
  std::vector<Piece> out;
  std::string literal;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "${") == 0 && i + 2 < text.size() && name_start(text[i + 2])) {
      std::size_t end = i + 3;
      while (end < text.size() && name_char(text[end])) ++end;
      if (end < text.size() && text[end] == '}') {
        std::string name(text.substr(i + 2, end - i - 2));
        if (allowed.contains(name)) {
          if (!literal.empty()) out.push_back({std::move(literal), false});
          literal.clear();
          out.push_back({std::move(name), true});
          i = end + 1;
          continue;
        }
      }
    }
    literal += text[i++];
  }
  if (!literal.empty()) out.push_back({std::move(literal), false});
  return out;
}

bool has_secret(const std::vector<Piece>& ps) {
  for (const auto& p : ps)
    if (p.secret) return true;
  return false;
}

// Glob match: literal pieces in order, each secret matching any text (backtracking).
bool matches(const std::vector<Piece>& ps, std::size_t index, std::string_view actual) {
  if (index == ps.size()) return actual.empty();
  const Piece& p = ps[index];
  if (!p.secret) return actual.starts_with(p.text) && matches(ps, index + 1, actual.substr(p.text.size()));
  for (std::size_t take = 0; take <= actual.size(); ++take)
    if (matches(ps, index + 1, actual.substr(take))) return true;
  return false;
}

// Walks `actual` along `desired`; `at_secret` decides what replaces a value that
// sits where desired refers to a secret.
template <class F>
json replace_at_secrets(const json& actual, const json& desired, const std::set<std::string>& allowed, F at_secret) {
  if (desired.is_string()) {
    auto ps = pieces(desired.get_ref<const std::string&>(), allowed);
    return has_secret(ps) ? at_secret(actual, desired, ps) : actual;
  }
  if (desired.is_object() && actual.is_object()) {
    json out = actual;
    for (auto& [key, value] : out.items())
      if (desired.contains(key)) value = replace_at_secrets(value, desired[key], allowed, at_secret);
    return out;
  }
  if (desired.is_array() && actual.is_array()) {
    json out = actual;
    for (std::size_t i = 0; i < out.size() && i < desired.size(); ++i)
      out[i] = replace_at_secrets(out[i], desired[i], allowed, at_secret);
    return out;
  }
  return actual;
}

}  // namespace

std::vector<std::string> secret_references(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t i = text.find("${"); i != std::string_view::npos; i = text.find("${", i + 1)) {
    std::size_t end = i + 2;
    while (end < text.size() && name_char(text[end])) ++end;
    if (end > i + 2 && end < text.size() && text[end] == '}' && name_start(text[i + 2]))
      out.emplace_back(text.substr(i + 2, end - i - 2));
  }
  return out;
}

bool refers_to_secret(const json& value, const std::set<std::string>& allowed) {
  if (value.is_string()) return has_secret(pieces(value.get_ref<const std::string&>(), allowed));
  if (value.is_structured())
    for (const auto& item : value)
      if (refers_to_secret(item, allowed)) return true;
  return false;
}

bool same_value(const json& desired, const json& actual, const std::set<std::string>& allowed) {
  if (desired.is_string() && actual.is_string()) {
    auto ps = pieces(desired.get_ref<const std::string&>(), allowed);
    if (!has_secret(ps)) return desired == actual;
    return matches(ps, 0, actual.get_ref<const std::string&>());
  }
  if (desired.is_object() && actual.is_object()) {
    if (desired.size() != actual.size()) return false;
    for (const auto& [key, value] : desired.items()) {
      auto it = actual.find(key);
      if (it == actual.end() || !same_value(value, *it, allowed)) return false;
    }
    return true;
  }
  if (desired.is_array() && actual.is_array()) {
    if (desired.size() != actual.size()) return false;
    for (std::size_t i = 0; i < desired.size(); ++i)
      if (!same_value(desired[i], actual[i], allowed)) return false;
    return true;
  }
  return desired == actual;
}

json mask_secrets(const json& actual, const json& desired, const std::set<std::string>& allowed) {
  return replace_at_secrets(actual, desired, allowed, [](const json&, const json&, const std::vector<Piece>& ps) {
    std::string names;
    for (const auto& p : ps)
      if (p.secret) names += (names.empty() ? "" : ", ") + p.text;
    return json("(hidden: secret " + names + ")");
  });
}

json restore_secret_references(const json& actual, const json& desired, const std::set<std::string>& allowed) {
  return replace_at_secrets(actual, desired, allowed,
                            [](const json&, const json& wanted, const std::vector<Piece>&) { return wanted; });
}

namespace {

bool secret_field_name(const std::string& field) {
  const auto name = util::ascii_lower(field);
  static constexpr std::string_view kWords[] = {"password", "passwd",      "secret",   "token",    "credential",
                                                "api_key",  "apikey",      "private_key", "encrypted"};
  return std::any_of(std::begin(kWords), std::end(kWords),
                     [&](std::string_view w) { return name.find(w) != std::string::npos; });
}

// `text` with the password of each "scheme://user:password@" replaced by "***".
std::string hide_url_passwords(std::string text) {
  for (std::size_t scheme = text.find("://"); scheme != std::string::npos; scheme = text.find("://", scheme + 3)) {
    std::size_t start = scheme + 3;
    std::size_t at = text.rfind('@');
    if (at == std::string::npos || at < start) break;
    std::size_t colon = text.find(':', start);
    if (colon == std::string::npos || colon > at) continue;
    text.replace(colon + 1, at - colon - 1, "***");
  }
  return text;
}

// (name, value) of each allowed secret set in the environment, longest value first.
std::vector<std::pair<std::string, std::string>> known_secrets(const std::set<std::string>& allowed) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& name : allowed)
    if (const char* value = std::getenv(name.c_str()); value && std::string_view(value).size() >= 4)
      out.emplace_back(name, value);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
  return out;
}

void replace_all(std::string& text, const std::string& what, const std::string& with) {
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
}

}  // namespace

json hide_runtime_secrets(const json& value) {
  if (value.is_string()) return hide_url_passwords(value.get<std::string>());
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [key, field] : value.items())
      out[key] = secret_field_name(key) && !field.is_null() ? json("(hidden: secret field)") : hide_runtime_secrets(field);
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& item : value) out.push_back(hide_runtime_secrets(item));
    return out;
  }
  return value;
}

json reference_known_secrets(const json& value, const std::set<std::string>& allowed) {
  const auto known = known_secrets(allowed);
  if (known.empty()) return value;
  auto walk = [&](auto& self, const json& v) -> json {
    if (v.is_string()) {
      std::string text = v.get<std::string>();
      for (const auto& [name, secret] : known) replace_all(text, secret, "${" + name + "}");
      return text;
    }
    if (!v.is_structured()) return v;
    json out = v;
    for (auto& item : out) item = self(self, item);
    return out;
  };
  return walk(walk, value);
}

std::string redact_known_secrets(std::string text, const std::set<std::string>& allowed) {
  for (const auto& [name, secret] : known_secrets(allowed)) {
    replace_all(text, secret, "***");
    const auto escaped = json(secret).dump();
    replace_all(text, escaped.substr(1, escaped.size() - 2), "***");
  }
  return text;
}

Expected<json> expand_secrets(const json& item, const std::set<std::string>& allowed) {
  if (item.is_string()) {
    auto ps = pieces(item.get_ref<const std::string&>(), allowed);
    if (!has_secret(ps)) return item;
    std::string out;
    for (const auto& p : ps) {
      if (!p.secret) {
        out += p.text;
        continue;
      }
      const char* value = std::getenv(p.text.c_str());  // apply time only: see secrets.hpp
      if (!value) return fail(Error::runtime("secret " + p.text + " is not set in the environment"));
      out += value;
    }
    return json(std::move(out));
  }
  if (item.is_structured()) {
    json out = item;
    for (auto& value : out) {
      auto expanded = expand_secrets(value, allowed);
      if (!expanded) return expanded;
      value = std::move(*expanded);
    }
    return out;
  }
  return item;
}

}  // namespace converge::providers::assets
