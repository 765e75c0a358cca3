// Shared set-up for the assets provider tests (see assets_test_support.hpp).
#include "assets_test_support.hpp"

#include <gtest/gtest.h>

#include <set>

#include "converge/providers/assets/assets_provider.hpp"
#include "converge/providers/assets/yaml_json.hpp"
#include "converge/util/fs.hpp"

namespace converge::providers::assets::testing {

namespace fs = std::filesystem;
using nlohmann::json;

TargetSpec spec(const fs::path& root, const std::string& environment, json settings) {
  config::Settings s(SourceLocation{"converge.yaml", 10, 5});
  if (!settings.contains("url")) settings["url"] = "http://127.0.0.1:9";
  for (const auto& [key, value] : settings.items()) s.set(key, {value, {"converge.yaml", 12, 7}, false});
  return TargetSpec{"bi", environment, root, std::move(s)};
}

std::unique_ptr<Provider> provider(const fs::path& root, const std::string& environment, json settings) {
  auto made = make_provider(spec(root, environment, std::move(settings)));
  if (!made) {
    ADD_FAILURE() << made.error().to_string();
    return nullptr;
  }
  return std::move(*made);
}

void copy_superset_export(const fs::path& root) {
  fs::path from = fs::path(CONVERGE_SHARED_TESTDATA) / "superset-assets/apache-superset";
  fs::create_directories(root / "assets");
  fs::copy(from, root / "assets", fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

int stub_held_out_charts(const converge::testing::TempDir& repo) {
  auto text = util::read_file(repo / "assets/dashboards/Video_Game_Sales.yaml");
  auto dashboard = parse_yaml_item(text.value(), "dashboard");
  std::set<std::string> present = {kChartUuid};
  int written = 0;
  for (const auto& [key, node] : dashboard.value()["position"].items()) {
    if (!node.is_object() || node.value("type", "") != "CHART") continue;
    std::string uuid = node["meta"]["uuid"];
    if (!present.insert(uuid).second) continue;
    json chart = {{"slice_name", node["meta"].value("sliceName", "held out")}, {"viz_type", "table"},
                  {"params", {{"metrics", {"count"}}}}, {"cache_timeout", nullptr}, {"uuid", uuid},
                  {"version", "1.0.0"}, {"dataset_uuid", kDatasetUuid}};
    repo.write("assets/charts/held_out_" + std::to_string(++written) + ".yaml", to_yaml(chart));
  }
  return written;
}

}  // namespace converge::providers::assets::testing
