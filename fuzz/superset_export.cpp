// Fuzz target: a Superset asset export as the superset runtime reads it (the body of
// GET /api/v1/assets/export/, the runtime's bytes): the ZIP read within its budgets,
// each YAML file in it read as an asset, and the comparison's normal form of it for
// every kind. Any input must end as files or an Error, never a crash, a hang, a leak or
// an exception; a dashboard's normal form holds no chart id in its position, and a
// password in a URI is always replaced by the mask.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "converge/providers/assets/superset_normalise.hpp"
#include "converge/providers/assets/yaml_json.hpp"
#include "converge/providers/assets/zip_archive.hpp"

namespace assets = converge::providers::assets;
using nlohmann::json;

namespace {

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "fuzz_superset_export: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  assets::ZipLimits limits;
  limits.max_entries = 200;
  limits.max_entry_bytes = 1u << 20;
  limits.max_total_bytes = 4u << 20;
  auto files = assets::read_zip(input, "GET /api/v1/assets/export/", limits);
  if (!files) return 0;
  for (const auto& [name, text] : *files) {
    auto item = assets::parse_yaml_item(text, name);
    if (!item) continue;
    for (const char* kind : {"databases", "datasets", "charts", "dashboards"}) {
      json comparable = assets::superset_comparable(kind, *item);
      assets::superset_exportable(kind, *item);
      if (std::string_view(kind) == "dashboards" && comparable.is_object() && comparable.contains("position") &&
          comparable["position"].is_object())
        for (const auto& [key, node] : comparable["position"].items())
          if (node.is_object() && node.value("type", json()) == json("CHART") && node.contains("meta") &&
              node["meta"].is_object() && node["meta"].contains("chartId"))
            violated("a dashboard's normal form kept a chart id");
    }
    if (item->contains("sqlalchemy_uri") && (*item)["sqlalchemy_uri"].is_string()) {
      const std::string uri = (*item)["sqlalchemy_uri"];
      if (!assets::uri_password(uri).empty() &&
          assets::uri_password(assets::uri_with_password(uri, assets::kSupersetPasswordMask)) !=
              assets::kSupersetPasswordMask)
        violated("a URI's password was not replaced by the mask");
    }
  }
  return 0;
}
