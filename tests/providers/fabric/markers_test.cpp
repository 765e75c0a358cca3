// The markers ⟦value⟧ left in parts: resolved by a lookup, listed for the plan.
#include "converge/providers/fabric/markers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace converge::providers::fabric {
namespace {

std::optional<std::string> lookup(std::string_view v) {
  if (v == "$workspace.id") return "ws-1";
  if (v == "$items.Lakehouse.Sales.id") return "lh-⟦2⟧";  // inserted as is, never re-scanned
  return std::nullopt;
}

TEST(FabricMarkers, EveryMarkerIsReplacedByItsValue) {
  auto r = resolve_markers("a ⟦$workspace.id⟧ b ⟦$items.Lakehouse.Sales.id⟧ c ⟦$workspace.id⟧", lookup);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "a ws-1 b lh-⟦2⟧ c ws-1");
  EXPECT_EQ(resolve_markers("no markers", lookup).value(), "no markers");
}

TEST(FabricMarkers, AnUnknownOrUnclosedMarkerIsAnErrorNamingIt) {
  auto unknown = resolve_markers("x ⟦$items.Notebook.N.id⟧", lookup);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "no value for ⟦$items.Notebook.N.id⟧");
  auto open = resolve_markers("x ⟦$workspace.id", lookup);
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().message, "a marker ⟦ is not closed: ⟦$workspace.id");
}

TEST(FabricMarkers, MarkersInListsEachValueOnceInOrder) {
  EXPECT_THAT(markers_in("⟦b⟧ ⟦a⟧ ⟦b⟧ ⟦open"), ::testing::ElementsAre("b", "a"));
  EXPECT_TRUE(markers_in("plain").empty());
}

TEST(FabricMarkers, AnItemReferenceSplitsTypeNameAndAttribute) {
  auto r = item_reference("$items.Notebook.Hello World.v2.id");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, "Notebook");
  EXPECT_EQ(r->name, "Hello World.v2");
  EXPECT_EQ(r->attribute, "id");
  EXPECT_FALSE(item_reference("$workspace.id"));
  EXPECT_FALSE(item_reference("$items.Notebook.id"));
}

}  // namespace
}  // namespace converge::providers::fabric
