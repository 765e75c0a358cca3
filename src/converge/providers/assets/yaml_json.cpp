// YAML ↔ JSON for asset files (see yaml_json.hpp). Reading, the typing of plain
// scalars and the deterministic writer are the template library's PyYAML-compatible
// ones (template/yaml.hpp); this file adds the item rules.
#include "converge/providers/assets/yaml_json.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

#include <yaml-cpp/yaml.h>

#include "converge/template/yaml.hpp"
#include "converge/util/yaml_document.hpp"

namespace converge::providers::assets {
namespace {

using nlohmann::json;

SourceLocation at(std::string_view file, const YAML::Mark& mark) {
  return {std::string(file), mark.line + 1, mark.column + 1};
}

// The value json::parse(value.dump()) gives, without the text (compile reads every
// item through here): keys sorted, a non-negative integer unsigned, a NaN or an
// infinity null. Strings are kept as they are: parse_yaml's are valid UTF-8
// (util::load_yaml refuses others), which the dump would have kept too.
json sorted(nlohmann::ordered_json&& value) {
  switch (value.type()) {
    case json::value_t::object: {
      json out = json::object();
      for (auto& [key, item] : value.items()) out[key] = sorted(std::move(item));
      return out;
    }
    case json::value_t::array: {
      json out = json::array();
      out.get_ref<json::array_t&>().reserve(value.size());
      for (auto& item : value) out.push_back(sorted(std::move(item)));
      return out;
    }
    case json::value_t::string: return std::move(value.get_ref<std::string&>());
    case json::value_t::boolean: return value.get<bool>();
    case json::value_t::number_integer: {
      std::int64_t number = value.get<std::int64_t>();
      if (number >= 0) return static_cast<std::uint64_t>(number);
      return number;
    }
    case json::value_t::number_unsigned: return value.get<std::uint64_t>();
    case json::value_t::number_float: {
      double number = value.get<double>();
      if (!std::isfinite(number)) return nullptr;
      return number;
    }
    default: return nullptr;
  }
}

}  // namespace

bool plain_scalar_is_string(std::string_view text) { return tmpl::plain_scalar_is_string(text); }

void normalise_numbers(json& value) {
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.0e18) value = static_cast<std::int64_t>(d);
  } else if (value.is_structured()) {
    for (auto& item : value) normalise_numbers(item);
  }
}

Expected<json> parse_yaml_item(std::string_view text, std::string_view file) {
  auto parsed = tmpl::parse_yaml(text, file);
  if (!parsed) return fail(parsed.error());
  if (!parsed->is_object()) return fail(Error::config("an asset file must hold one YAML mapping", {std::string(file), 1, 1}));
  // Items are compared and hashed with sorted keys: the ordered form is not needed.
  json item = sorted(std::move(*parsed));
  normalise_numbers(item);
  return item;
}

std::optional<SourceLocation> locate(std::string_view text, std::string_view file,
                                     const json::json_pointer& path) {
  try {
    auto loaded = util::load_yaml(text, file);  // the one reader, with its budget
    if (!loaded) return std::nullopt;
    YAML::Node node = *loaded;
    // A plain Mark and a flag: g++ 12 at -O2 falsely reports std::optional<Mark> as
    // maybe-uninitialized here.
    YAML::Mark key_mark = YAML::Mark::null_mark();
    bool have_key_mark = false;
    std::vector<std::string> tokens;
    for (auto p = path; !p.empty(); p = p.parent_pointer()) tokens.insert(tokens.begin(), p.back());
    for (const auto& token : tokens) {
      if (node.IsMap()) {
        bool found = false;
        for (const auto& kv : node) {
          if (kv.first.IsScalar() && kv.first.Scalar() == token) {
            key_mark = kv.first.Mark();
            have_key_mark = true;
            node.reset(kv.second);  // rebind; `node = …` would write into the tree
            found = true;
            break;
          }
        }
        if (!found) return std::nullopt;
      } else if (node.IsSequence()) {
        std::size_t index = std::stoul(token);
        if (index >= node.size()) return std::nullopt;
        have_key_mark = false;
        YAML::Node child = node[index];
        node.reset(child);
      } else {
        return std::nullopt;
      }
    }
    if (node.IsScalar() || node.IsNull() || !have_key_mark) return at(file, node.Mark());
    return at(file, key_mark);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string to_yaml(const json& value) { return tmpl::to_yaml(value); }

}  // namespace converge::providers::assets
