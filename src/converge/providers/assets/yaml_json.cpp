// YAML ↔ JSON for asset files (see yaml_json.hpp). Reading and the typing of plain
// scalars are the template library's PyYAML-compatible ones (template/yaml.hpp);
// this file adds the item rules and the deterministic writer.
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

// Text of a float that reads back as a float under YAML 1.1 (which needs a '.').
std::string float_text(double value) {
  std::string text = json(value).dump();
  if (text.find('.') == std::string::npos) {
    auto e = text.find_first_of("eE");
    text.insert(e == std::string::npos ? text.size() : e, ".0");
  }
  return text;
}

// Template expressions are double-quoted too: what a template renders into a
// quoted scalar stays a string whatever its text.
bool has_template_syntax(const std::string& text) {
  return text.find("{{") != std::string::npos || text.find("{%") != std::string::npos ||
         text.find("{#") != std::string::npos;
}

void emit_string(YAML::Emitter& out, const std::string& text) {
  if (plain_scalar_is_string(text) && !has_template_syntax(text)) {
    out << text;
  } else {
    out << YAML::DoubleQuoted << text;
  }
}

void emit(YAML::Emitter& out, const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key;
        emit_string(out, key);
        out << YAML::Value;
        emit(out, item);
      }
      out << YAML::EndMap;
      break;
    case json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& item : value) emit(out, item);
      out << YAML::EndSeq;
      break;
    case json::value_t::string: emit_string(out, value.get_ref<const std::string&>()); break;
    case json::value_t::boolean: out << value.get<bool>(); break;
    case json::value_t::number_integer: out << value.get<std::int64_t>(); break;
    case json::value_t::number_unsigned: out << value.get<std::uint64_t>(); break;
    case json::value_t::number_float: out << float_text(value.get<double>()); break;
    default: out << YAML::Null; break;
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
  json item = json::parse(parsed->dump(-1, ' ', false, json::error_handler_t::replace));
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

std::string to_yaml(const json& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetNullFormat(YAML::LowerNull);
  out.SetMapFormat(YAML::Block);
  out.SetSeqFormat(YAML::Block);
  emit(out, value);
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

}  // namespace converge::providers::assets
