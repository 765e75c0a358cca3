// The fabric provider's bundle (bundle.hpp).
#include "converge/providers/fabric/bundle.hpp"

#include "converge/providers/fabric/text.hpp"
#include "converge/util/base64.hpp"
#include "converge/util/sha256.hpp"

namespace converge::providers::fabric {
using nlohmann::json;

std::string code_hash(const std::vector<Item>& sources, const std::string& parameters) {
  json items = json::array();
  for (const auto& item : sources) {
    json parts = json::object();
    for (const auto& part : item.parts) parts[part.path] = util::sha256_hex(part.bytes);
    items.push_back({{"type", item.type}, {"name", item.name}, {"description", item.description},
                     {"folder", item.folder}, {"logical_id", item.logical_id}, {"parts", std::move(parts)}});
  }
  json code{{"items", std::move(items)}, {"parameters", util::sha256_hex(parameters)}};
  return util::sha256_hex("converge-fabric-bundle-1\n" + code.dump());
}

Bundle make_bundle(const std::vector<Item>& items, const std::vector<Warning>& warnings, std::string hash) {
  json list = json::array();
  for (const auto& item : items) {
    json parts = json::array();
    for (const auto& part : item.parts) {
      if (is_text(part.bytes)) parts.push_back({{"path", part.path}, {"text", part.bytes}});
      else parts.push_back({{"path", part.path}, {"base64", util::base64_encode(part.bytes)}});
    }
    list.push_back({{"type", item.type}, {"name", item.name}, {"description", item.description},
                    {"folder", item.folder}, {"logical_id", item.logical_id}, {"dir", item.dir},
                    {"parts", std::move(parts)}});
  }
  json notes = json::array();
  for (const auto& w : warnings)
    notes.push_back({{"file", w.file}, {"line", w.line}, {"message", w.message}, {"rule", w.rule}});
  json content{{"format", 1}, {"items", std::move(list)}, {"warnings", std::move(notes)}};
  return Bundle{std::move(hash), std::move(content)};
}

std::vector<Item> bundle_items(const Bundle& bundle) {
  std::vector<Item> out;
  try {
    for (const auto& j : bundle.content.at("items")) {
      Item item;
      item.type = j.at("type").get<std::string>();
      item.name = j.at("name").get<std::string>();
      item.description = j.at("description").get<std::string>();
      item.folder = j.at("folder").get<std::string>();
      item.logical_id = j.at("logical_id").get<std::string>();
      item.dir = j.at("dir").get<std::string>();
      for (const auto& p : j.at("parts")) {
        std::string bytes;
        if (p.contains("text")) {
          bytes = p["text"].get<std::string>();
        } else {
          auto decoded = util::base64_decode(p.at("base64").get<std::string>());
          if (!decoded) throw Failure("fabric: a bundle part is not base64");
          bytes = std::move(*decoded);
        }
        item.parts.push_back({p.at("path").get<std::string>(), std::move(bytes)});
      }
      out.push_back(std::move(item));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Failure(std::string("fabric: the bundle is not one converge wrote: ") + e.what());
  }
  return out;
}

std::vector<Warning> bundle_warnings(const Bundle& bundle) {
  std::vector<Warning> out;
  if (!bundle.content.contains("warnings")) return out;
  for (const auto& w : bundle.content["warnings"])
    out.push_back({w.value("file", std::string()), w.value("line", 0), w.value("message", std::string()),
                   w.value("rule", std::string("fabric/parameter-unmatched"))});
  return out;
}

std::string platform_file(const Item& item) {
  json metadata{{"type", item.type}, {"displayName", item.name}};
  if (!item.description.empty()) metadata["description"] = item.description;
  json config{{"version", "2.0"}};
  if (!item.logical_id.empty()) config["logicalId"] = item.logical_id;
  json platform{
      {"$schema",
       "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/platformProperties/2.0.0/schema.json"},
      {"metadata", metadata},
      {"config", config}};
  return platform.dump(2) + "\n";
}

std::map<std::string, std::string> bundle_files(const std::vector<Item>& items) {
  std::map<std::string, std::string> files;
  for (const auto& item : items) {
    std::string dir = (item.folder.empty() ? "" : item.folder + "/") + item.name + "." + item.type + "/";
    files[dir + ".platform"] = platform_file(item);
    for (const auto& part : item.parts) files[dir + part.path] = part.bytes;
  }
  return files;
}

}  // namespace converge::providers::fabric
