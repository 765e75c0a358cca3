// Typed, checked reads of outside JSON (see json_fields.hpp).
#include "converge/github/json_fields.hpp"

#include <limits>

#include "converge/github/approvals.hpp"

namespace converge::github {

using nlohmann::json;

std::string json_excerpt(const json& value) {
  constexpr size_t kMax = 40;
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > kMax) {
    size_t cut = kMax;  // not inside a UTF-8 sequence
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    // resize + append, not substr(...) + "…": g++ 12 at -O2 reports a false
    // -Wstringop-overread in the inlined string move of the latter.
    text.resize(cut);
    text += "…";
  }
  return text;
}

void JsonReader::reject(std::string_view path, std::string_view what) {
  if (error_) return;
  error_ = Error{code_, source_ + ": " + std::string(path) + ": " + std::string(what), std::nullopt};
}

void JsonReader::reject_document(std::string_view what) {
  if (error_) return;
  error_ = Error{code_, source_ + ": " + std::string(what), std::nullopt};
}

JsonObject::JsonObject(JsonReader& reader, const json* value, std::string path, Need need)
    : reader_(&reader), path_(std::move(path)) {
  const std::string where = path_.empty() ? "the document" : path_;
  if (value == nullptr || value->is_null()) {
    if (need == Need::required) reader.reject(where, "missing");
    return;
  }
  if (!value->is_object()) {
    reader.reject(where, "expected an object, got " + json_excerpt(*value));
    return;
  }
  value_ = value;
}

std::string JsonObject::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const json* JsonObject::raw(std::string_view key) const {
  if (!value_) return nullptr;
  auto it = value_->find(key);
  return it == value_->end() ? nullptr : &*it;
}

const json* JsonObject::member(std::string_view key, Need need) const {
  const json* v = raw(key);
  if (v && !v->is_null()) return v;
  // A required field of an absent (optional) object is not missing: the object is.
  if (need == Need::required && value_) reader_->reject(path_of(key), "missing");
  return nullptr;
}

void JsonObject::wrong_type(std::string_view key, std::string_view expected, const json& got) const {
  reader_->reject(path_of(key), "expected " + std::string(expected) + ", got " + json_excerpt(got));
}

std::string JsonObject::string(std::string_view key, Need need) const {
  const json* v = member(key, need);
  if (!v) return {};
  if (!v->is_string()) {
    wrong_type(key, "a string", *v);
    return {};
  }
  return v->get<std::string>();
}

std::string JsonObject::sha(std::string_view key, Need need) const {
  const json* v = member(key, need);
  if (!v) return {};
  if (!v->is_string() || !is_sha(v->get<std::string>())) {
    wrong_type(key, "a 40-digit hexadecimal commit SHA", *v);
    return {};
  }
  return v->get<std::string>();
}

std::int64_t JsonObject::integer(std::string_view key, Need need, std::int64_t fallback) const {
  const json* v = member(key, need);
  if (!v) return fallback;
  if (v->is_number_unsigned()) {
    if (v->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      wrong_type(key, "an integer within 64 bits", *v);
      return fallback;
    }
    return static_cast<std::int64_t>(v->get<std::uint64_t>());
  }
  if (!v->is_number_integer()) {
    wrong_type(key, "an integer", *v);
    return fallback;
  }
  return v->get<std::int64_t>();
}

std::int64_t JsonObject::positive(std::string_view key, Need need) const {
  const json* v = member(key, need);
  std::int64_t n = integer(key, need);
  if (v && !reader_->error() && n <= 0) {
    wrong_type(key, "a positive integer", *v);
    return 0;
  }
  return n;
}

std::optional<bool> JsonObject::boolean(std::string_view key, Need need) const {
  const json* v = member(key, need);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    wrong_type(key, "true or false", *v);
    return std::nullopt;
  }
  return v->get<bool>();
}

JsonObject JsonObject::object(std::string_view key, Need need) const {
  const json* v = member(key, need);
  if (need == Need::required && !v) return JsonObject(*reader_, nullptr, path_of(key), Need::optional);
  return JsonObject(*reader_, v, path_of(key), Need::optional);
}

const json* JsonObject::array(std::string_view key, Need need) const {
  const json* v = member(key, need);
  if (!v) return nullptr;
  if (!v->is_array()) {
    wrong_type(key, "an array", *v);
    return nullptr;
  }
  return v;
}

}  // namespace converge::github
