// The deterministic YAML writer (see yaml.hpp): yaml-cpp's emitter in block style,
// with the quoting that makes PyYAML read every value back as the same JSON value.
// Asset files (export, bundle files) and the plan's asset diffs are written by it,
// so a plan shows an item as the file that holds it would.
#include <cstdint>
#include <string>

#include <yaml-cpp/yaml.h>

#include "converge/template/yaml.hpp"

namespace converge::tmpl {
namespace {

using nlohmann::json;

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

}  // namespace converge::tmpl
