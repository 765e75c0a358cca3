// append_compact_json: see json_text.hpp. A test compares it with nlohmann's dump on
// seeded values and on real Terraform plans (JsonText.*).
#include "converge/util/json_text.hpp"

#include <charconv>

namespace converge::util {
namespace {

using nlohmann::json;

std::string nlohmann_text(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// Printable ASCII other than '"' and '\\': written as it is, in quotes.
bool plain(std::string_view s) {
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

template <class Integer>
void append_integer(std::string& out, Integer n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  if (!plain(text)) {
    out += nlohmann_text(json(text));
    return;
  }
  out += '"';
  out += text;
  out += '"';
}

void append_compact_json(std::string& out, const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      out += "null";
      return;
    case json::value_t::boolean:
      out += value.get_ref<const json::boolean_t&>() ? "true" : "false";
      return;
    case json::value_t::number_integer:
      append_integer(out, value.get_ref<const json::number_integer_t&>());
      return;
    case json::value_t::number_unsigned:
      append_integer(out, value.get_ref<const json::number_unsigned_t&>());
      return;
    case json::value_t::string:
      append_json_string(out, value.get_ref<const json::string_t&>());
      return;
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& element : value.get_ref<const json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        append_compact_json(out, element);
      }
      out += ']';
      return;
    }
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.get_ref<const json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, key);
        out += ':';
        append_compact_json(out, member);
      }
      out += '}';
      return;
    }
    default:  // floating-point numbers (nlohmann's shortest form), binary, discarded
      out += nlohmann_text(value);
      return;
  }
}

}  // namespace converge::util
