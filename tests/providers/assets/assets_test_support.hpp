// Shared set-up for the assets provider tests: a repository in a temp dir, target
// specs, and the Superset example export from the shared test data.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "converge/providers/provider.hpp"
#include "support/temp_dir.hpp"

namespace converge::providers::assets::testing {

// A TargetSpec for the repository at `root`; `settings` become the target's
// settings (each located at converge.yaml:12:7). `url` defaults to an unused port.
TargetSpec spec(const std::filesystem::path& root, const std::string& environment, nlohmann::json settings);

// make_provider(spec(...)); fails the test on an error.
std::unique_ptr<Provider> provider(const std::filesystem::path& root, const std::string& environment,
                                   nlohmann::json settings);

// Copies the Superset example export (databases, datasets, charts, dashboards from
// /work/shared/testdata/superset-assets) to <root>/assets/, as written.
void copy_superset_export(const std::filesystem::path& root);

// Writes a minimal chart for every chart uuid the example dashboard places that the
// shared set does not hold (the held-out charts), each on the example dataset.
// Returns how many were written.
int stub_held_out_charts(const converge::testing::TempDir& repo);

// The example export's uuids.
inline constexpr const char* kDatabaseUuid = "a2dc77af-e654-49bb-b321-40f6b559a1ee";
inline constexpr const char* kDatasetUuid = "53d47c0c-c03d-47f0-b9ac-81225f808283";
inline constexpr const char* kChartUuid = "0499bdec-0837-44f3-ae8a-8c670de81afd";
inline constexpr const char* kDashboardUuid = "c7bc10f4-6a2d-7569-caae-bbc91864ee11";

}  // namespace converge::providers::assets::testing
