// Titles of asset items: Superset's name fields, then a generic name or title.
#include <gtest/gtest.h>

#include "converge/providers/assets/titles.hpp"

namespace converge::providers::assets {
namespace {

using nlohmann::json;

TEST(AssetTitles, AreSupersetsNamesElseANameOrTitleField) {
  EXPECT_EQ(item_title({{"slice_name", "Revenue"}, {"uuid", "c1"}}), "Revenue");
  EXPECT_EQ(item_title({{"dashboard_title", "Sales"}, {"slug", "sales"}}), "Sales");
  EXPECT_EQ(item_title({{"database_name", "warehouse"}}), "warehouse");
  EXPECT_EQ(item_title({{"table_name", "invoices"}, {"name", "other"}}), "invoices");
  EXPECT_EQ(item_title({{"name", "a report"}, {"title", "ignored"}}), "a report");
  EXPECT_EQ(item_title({{"title", "A Title"}}), "A Title");
}

TEST(AssetTitles, AreEmptyWithoutAStringName) {
  EXPECT_EQ(item_title({{"uuid", "c1"}}), "");
  EXPECT_EQ(item_title({{"slice_name", 7}, {"name", ""}}), "");
  EXPECT_EQ(item_title({{"slice_name", nullptr}, {"title", "fallback"}}), "fallback");
  EXPECT_EQ(item_title(nullptr), "");
  EXPECT_EQ(item_title(json::array({"x"})), "");
}

TEST(AssetTitles, NameEachChangeFromGitOrForADeleteFromTheRuntime) {
  plan::TargetPlan plan;
  plan.changes = {{plan::Action::create, "charts", "charts/c1", nullptr, {{"slice_name", "New"}}},
                  {plan::Action::update, "charts", "charts/c2", {{"params", 1}}, {{"params", 2}}},
                  {plan::Action::remove, "charts", "charts/c3", {{"slice_name", "Made in the UI"}}, nullptr},
                  {plan::Action::update, "charts", "charts/gone", {{"a", 1}}, {{"a", 2}}}};
  const json items = {{"charts", {{"c1", {{"slice_name", "New"}}}, {"c2", {{"slice_name", "Renamed in Git"}}}}}};
  title_changes(plan, items);
  EXPECT_EQ(plan.changes[0].title, "New");
  EXPECT_EQ(plan.changes[1].title, "Renamed in Git") << "an update shows the name it will have";
  EXPECT_EQ(plan.changes[2].title, "Made in the UI");
  EXPECT_EQ(plan.changes[3].title, "") << "no item, no title, no crash";
}

}  // namespace
}  // namespace converge::providers::assets
