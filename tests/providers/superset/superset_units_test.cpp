// SPDX-License-Identifier: MIT
// The parts of the Superset runtime that need no server: ZIPs written and read within
// their budgets (a bomb, a damaged entry, a name twice, not a ZIP), the comparison that
// leaves out what each instance assigns (on the real example dashboard), and the
// in-place edit export-to-pr makes of a file.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "converge/providers/assets/superset_api.hpp"
#include "converge/providers/assets/superset_export.hpp"
#include "converge/providers/assets/superset_normalise.hpp"
#include "converge/providers/assets/yaml_json.hpp"
#include "converge/providers/assets/zip_archive.hpp"
#include "support/temp_dir.hpp"

namespace converge::providers::assets {
namespace {

using nlohmann::json;

const std::filesystem::path kAssets = std::filesystem::path(CONVERGE_SHARED_TESTDATA) / "superset-assets/apache-superset";

TEST(ZipArchive, WhatIsWrittenReadsBackAndTheSameFilesGiveTheSameBytes) {
  std::vector<std::pair<std::string, std::string>> files = {{"b/metadata.yaml", "version: 1.0.0\n"},
                                                            {"b/charts/x.yaml", std::string(5000, 'y')}};
  auto zip = write_zip(files);
  ASSERT_TRUE(zip) << zip.error().message;
  EXPECT_EQ(write_zip(files).value(), *zip);
  EXPECT_LT(zip->size(), 1000u) << "deflated";
  auto read = read_zip(*zip, "GET /x");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, (std::map<std::string, std::string>(files.begin(), files.end())));
}

TEST(ZipArchive, BudgetsDamageAndRepeatedNamesAreErrorsNamingTheRequest) {
  auto zip = write_zip({{"b/a.yaml", std::string(100, 'a')}, {"b/b.yaml", std::string(100, 'b')}}).value();
  ZipLimits small;
  small.max_entry_bytes = 50;
  auto bomb = read_zip(zip, "GET /api/v1/assets/export/", small);
  ASSERT_FALSE(bomb);
  EXPECT_EQ(bomb.error().message, "GET /api/v1/assets/export/: b/a.yaml expands to more than 0 MiB");
  ZipLimits total;
  total.max_total_bytes = 150;
  EXPECT_FALSE(read_zip(zip, "x", total));
  ZipLimits entries;
  entries.max_entries = 1;
  EXPECT_FALSE(read_zip(zip, "x", entries));

  auto not_zip = read_zip("<html>Bad Gateway</html>", "GET /api/v1/assets/export/");
  ASSERT_FALSE(not_zip);
  EXPECT_TRUE(not_zip.error().message.starts_with("GET /api/v1/assets/export/: cannot be read as a ZIP archive")) << not_zip.error().message;

  // A name twice: the second entry renamed in its local and central headers.
  std::string twice = zip;
  for (auto at = twice.find("b/b.yaml"); at != std::string::npos; at = twice.find("b/b.yaml", at)) twice[at + 2] = 'a';
  auto repeated = read_zip(twice, "x");
  ASSERT_FALSE(repeated);
  EXPECT_EQ(repeated.error().message, "x: cannot be read as a ZIP archive (File already exists)");

  // Damaged data: a byte of the first entry's deflated data flipped (its CRC no longer holds).
  std::string damaged = zip;
  damaged[30 + 8 + 2] ^= 0x55;
  EXPECT_FALSE(read_zip(damaged, "x"));
}

TEST(SupersetComparable, TheExampleDashboardComparesEqualWhateverChartIdsAnInstanceGaveIt) {
  auto original = parse_yaml_item(converge::testing::slurp(kAssets / "dashboards/Video_Game_Sales.yaml"), "d").value();
  // Another instance: every chart id plus 1000, in the position and in the metadata.
  json other = original;
  for (auto& [key, node] : other["position"].items())
    if (node.is_object() && node.value("type", "") == "CHART") node["meta"]["chartId"] = node["meta"]["chartId"].get<int>() + 1000;
  other["metadata"]["filter_scopes"] = {{"4547", original["metadata"]["filter_scopes"]["3547"]}};
  other["metadata"]["default_filters"] =
      "{\"4547\":{\"platform\":[\"PS\",\"PS2\",\"PS3\",\"XB\",\"X360\"],\"__time_range\":\"No filter\"}}";
  EXPECT_EQ(superset_comparable("dashboards", other), superset_comparable("dashboards", original));
  // A filter moved to another chart is a difference.
  json moved = other;
  moved["metadata"]["filter_scopes"] = {{"4545", original["metadata"]["filter_scopes"]["3547"]}};
  EXPECT_NE(superset_comparable("dashboards", moved), superset_comparable("dashboards", original));
  // A reference to a chart the position does not hold is dropped, as Superset's import drops it.
  json dangling = original;
  dangling["metadata"]["expanded_slices"] = {{"99999", true}};
  EXPECT_EQ(superset_comparable("dashboards", dangling), superset_comparable("dashboards", original));
}

TEST(SupersetComparable, ChartCachesAndIdsAndDatabasePasswordsAreLeftOut) {
  json chart = {{"slice_name", "x"}, {"query_context", "{\"datasource\":{\"id\":7}}"},
                {"params", {{"datasource", "7__table"}, {"slice_id", 12}, {"metrics", {"count"}}}}};
  EXPECT_EQ(superset_comparable("charts", chart), json({{"slice_name", "x"}, {"params", {{"metrics", {"count"}}}}}));
  EXPECT_EQ(superset_comparable("databases", json{{"sqlalchemy_uri", "postgresql://u:p%2Fw@h:5432/d"}}),
            json({{"sqlalchemy_uri", "postgresql://u:XXXXXXXXXX@h:5432/d"}}));
  EXPECT_EQ(uri_password("postgresql://u:${PW}@h/d"), "${PW}");
  EXPECT_EQ(uri_password("duckdb:////tmp/examples.db"), "");
  EXPECT_EQ(uri_password("postgresql://u@h/d"), "");
  EXPECT_EQ(uri_with_password("mysql://u:a@h/d?x=1", "XXXXXXXXXX"), "mysql://u:XXXXXXXXXX@h/d?x=1");
}

TEST(EditScalarsInPlace, AnEditedValueIsReplacedOnItsLineAndTheRestOfTheFileIsKept) {
  const std::string text = "# header kept\r\nslice_name: Games\r\nparams:\r\n  metrics:\r\n  - count\r\n  row_limit: 10\r\n";
  const json before = parse_yaml_item(text, "c").value();
  json after = before;
  after["slice_name"] = "yes";  // a YAML 1.1 boolean as plain text: it must come out quoted
  after["params"]["row_limit"] = 25;
  auto scalar = [](const json& v) { return to_yaml(v); };
  auto edited = edit_scalars_in_place(text, "c", before, after, scalar);
  ASSERT_TRUE(edited);
  EXPECT_EQ(*edited, "# header kept\r\nslice_name: \"yes\"\r\nparams:\r\n  metrics:\r\n  - count\r\n  row_limit: 25\r\n");
  EXPECT_EQ(parse_yaml_item(*edited, "c").value(), after);

  // What is not one scalar on one line is the caller's to write whole.
  json grown = before;
  grown["params"]["metrics"].push_back("sum");
  EXPECT_FALSE(edit_scalars_in_place(text, "c", before, grown, scalar));
  const std::string folded = "sql: SELECT 1\n  FROM t\nx: 1\n";
  json sql = parse_yaml_item(folded, "s").value();
  json changed = sql;
  changed["sql"] = "SELECT 2 FROM t";
  EXPECT_FALSE(edit_scalars_in_place(folded, "s", sql, changed, scalar));
  // A value with a line break fits one line as a quoted scalar.
  json multi = before;
  multi["slice_name"] = "two\nlines";
  auto quoted = edit_scalars_in_place(text, "c", before, multi, scalar);
  ASSERT_TRUE(quoted);
  EXPECT_EQ(parse_yaml_item(*quoted, "c").value(), multi);
}

TEST(SupersetExportPath, AnExportsPathNeverLeavesItsKindsFolder) {
  const std::string uuid = "0499bdec-0837-44f3-ae8a-8c670de81afd";
  EXPECT_EQ(export_path_for("charts", "charts/Games_per_Genre_3.yaml", uuid), "charts/Games_per_Genre_3.yaml");
  EXPECT_EQ(export_path_for("datasets", "datasets/examples/video_game_sales.yaml", uuid),
            "datasets/examples/video_game_sales.yaml");
  for (const char* hostile : {"charts/../../.github/workflows/deploy.yaml", "charts/../x.yaml", "/etc/x.yaml",
                              "charts//x.yaml", "charts/.yaml", "charts/x.yml.sh", "dashboards/x.yaml",
                              "charts/a b.yaml", "charts/x.yaml\n"})
    EXPECT_EQ(export_path_for("charts", hostile, uuid), "charts/" + uuid + ".yaml") << hostile;
}

TEST(SupersetErrorText, SupersetsErrorBodiesReadAsOneLinePerFile) {
  EXPECT_EQ(superset_error_text(R"({"errors":[{"message":"Error importing assets","error_type":"GENERIC_COMMAND_ERROR",)"
                                R"("extra":{"databases/examples.yaml":{"_schema":["Must provide a password for the database"]},)"
                                R"("issue_codes":[{"code":1010}]}}]})"),
            R"(Error importing assets; databases/examples.yaml: {"_schema":["Must provide a password for the database"]})");
  EXPECT_EQ(superset_error_text(R"({"message":"Not authorized"})"), "Not authorized");
  EXPECT_EQ(superset_error_text(R"({"msg":"Token has expired"})"), "Token has expired");
  EXPECT_EQ(superset_error_text("<html>\n502\n</html>"), "<html> 502 </html>");
}

}  // namespace
}  // namespace converge::providers::assets
