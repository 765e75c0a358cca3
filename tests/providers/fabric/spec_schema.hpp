// SPDX-License-Identifier: MIT
// A JSON value checked against a definition of Microsoft's Fabric REST API specification
// (shared/testdata/fabric-api: Swagger 2.0 definitions), for the tests of the local Fabric
// server: what each property may be (type, enum, uuid format, maxLength), the required ones,
// no property the definition does not have. It follows $ref across the specification's files,
// merges allOf, and picks a discriminated definition (GitProviderDetails -> GitHubDetails by
// gitProviderType) by its x-ms-discriminator-value. A null is accepted for any property (the
// specification's own examples send nulls).
#pragma once

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace converge::testing::fabric_spec {

inline std::string normal_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (part != "." && !(part.empty() && !parts.empty())) {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
  return out;
}

inline const nlohmann::json& document(const std::string& path) {
  static std::map<std::string, nlohmann::json> cache;
  auto it = cache.find(path);
  if (it != cache.end()) return it->second;
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) throw std::runtime_error("cannot read " + path);
  std::string text;
  char buffer[1 << 14];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) text.append(buffer, n);
  std::fclose(f);
  return cache.emplace(path, nlohmann::json::parse(text)).first->second;
}

struct Located {
  const nlohmann::json* schema;
  std::string file;  // the file it is in: its $refs are relative to it
};

inline Located resolve(const std::string& ref, const std::string& file) {
  const size_t hash = ref.find('#');
  std::string target = file;
  if (hash != 0) {
    const std::string dir = file.substr(0, file.rfind('/') + 1);
    target = normal_path(dir + ref.substr(0, hash == std::string::npos ? ref.size() : hash));
  }
  const nlohmann::json& doc = document(target);
  if (hash == std::string::npos) return {&doc, target};
  return {&doc.at(nlohmann::json::json_pointer(ref.substr(hash + 1))), target};
}

inline Located deref(Located s) {
  while (s.schema->is_object() && s.schema->contains("$ref"))
    s = resolve(s.schema->at("$ref").get<std::string>(), s.file);
  return s;
}

// The properties and required names of `s` with its allOf, and its discriminator (property
// name and the definition's file) when it has one.
inline void collect(Located s, std::map<std::string, Located>& properties, std::vector<std::string>& required,
                    std::vector<std::pair<std::string, Located>>& discriminators) {
  s = deref(s);
  const auto& schema = *s.schema;
  if (schema.contains("properties")) {
    for (const auto& [name, p] : schema.at("properties").items()) properties[name] = {&p, s.file};
  }
  for (const auto& r : schema.value("required", nlohmann::json::array())) required.push_back(r.get<std::string>());
  if (schema.contains("discriminator")) discriminators.emplace_back(schema.at("discriminator").get<std::string>(), s);
  for (const auto& sub : schema.value("allOf", nlohmann::json::array()))
    collect({&sub, s.file}, properties, required, discriminators);
}

inline std::string violations(const nlohmann::json& v, Located s, const std::string& at) {
  if (v.is_null()) return "";
  s = deref(s);
  const auto& schema = *s.schema;
  std::string out;
  if (schema.contains("enum")) {
    const auto& values = schema.at("enum");
    if (std::find(values.begin(), values.end(), v) == values.end())
      out += at + " = " + v.dump() + " is not in its enum; ";
  }
  const std::string type = schema.value("type", "");
  if (type == "string") {
    if (!v.is_string()) return out + at + " is not a string; ";
    const auto text = v.get<std::string>();
    static const std::regex uuid("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    if (schema.value("format", "") == "uuid" && !std::regex_match(text, uuid)) out += at + " is not a uuid; ";
    if (schema.contains("maxLength") && text.size() > schema.at("maxLength").get<size_t>())
      out += at + " is too long; ";
    return out;
  }
  if (type == "boolean") return v.is_boolean() ? out : out + at + " is not a boolean; ";
  if (type == "integer" || type == "number") return v.is_number() ? out : out + at + " is not a number; ";
  if (type == "array") {
    if (!v.is_array()) return out + at + " is not an array; ";
    for (size_t i = 0; i < v.size(); ++i)
      out += violations(v[i], {&schema.at("items"), s.file}, at + "/" + std::to_string(i));
    return out;
  }
  std::map<std::string, Located> properties;
  std::vector<std::string> required;
  std::vector<std::pair<std::string, Located>> discriminators;
  collect(s, properties, required, discriminators);
  if (properties.empty() && required.empty()) return out;  // a schema without properties: anything
  if (!v.is_object()) return out + at + " is not an object; ";
  // The definition of the discriminator's value that extends the base (allOf: [{$ref: base}]).
  const auto bases = discriminators;
  for (const auto& [name, base] : bases) {
    if (!v.contains(name) || !v.at(name).is_string()) continue;
    for (const auto& [def, d] : document(base.file).at("definitions").items()) {
      if (d.value("x-ms-discriminator-value", "") != v.at(name).get<std::string>()) continue;
      bool extends = false;
      for (const auto& sub : d.value("allOf", nlohmann::json::array()))
        extends |= deref({&sub, base.file}).schema == base.schema;
      std::vector<std::pair<std::string, Located>> again;
      if (extends) collect({&d, base.file}, properties, required, again);
    }
  }
  for (const auto& r : required) {
    if (!v.contains(r)) out += at + "/" + r + " is required; ";
  }
  for (const auto& [name, x] : v.items()) {
    auto p = properties.find(name);
    if (p == properties.end()) {
      out += at + "/" + name + " is not in the spec; ";
    } else {
      out += violations(x, p->second, at + "/" + name);
    }
  }
  return out;
}

// What is wrong with `value` as the definition `name` of the specification's file `file`
// ("platform", "gitIntegration": platform/definitions/<file>.json; "common": common/definitions.json);
// "" when nothing.
inline std::string violations(const nlohmann::json& value, const std::string& file, const std::string& name) {
  const std::string root = std::string(CONVERGE_SHARED_TESTDATA) + "/fabric-api/";
  const std::string path =
      file == "common" ? root + "common/definitions.json" : root + "platform/definitions/" + file + ".json";
  return violations(value, Located{&document(path).at("definitions").at(name), path}, "");
}

}  // namespace converge::testing::fabric_spec
