// The markers ⟦value⟧ that parameters and logical-id references leave in an item's
// parts where a value of the target workspace belongs (item.hpp), and their
// resolution once the plan or the apply knows the workspace.
//
// The values a marker holds (parameters.hpp writes them, normalised):
//   $workspace.id                 the target workspace's id
//   $workspace.name               its display name
//   $workspace.name_encoded       its display name, URL-encoded (fabric-cicd: quote(name, safe=""))
//   $items.<Type>.<Name>.<attr>   an item of the target workspace; attr is one of id,
//                                 sqlendpoint, sqlendpointid, queryserviceuri (Type has no
//                                 dot; Name is what lies between Type and the last dot)
//   $workspace.<Workspace>.$id    another workspace's id, found by its name
//   $workspace.<Workspace>.$items.<Type>.<Name>.$<attr>   an item of another workspace
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "converge/util/error.hpp"

namespace converge::providers::fabric {

// `text` with every ⟦value⟧ replaced by lookup(value). Error::runtime naming the
// value for one lookup answers nullopt ("no value for ⟦$items.Lakehouse.Sales.id⟧"),
// and for a ⟦ left open. Text without markers comes back unchanged. Lookup is called
// once per occurrence; what it returns is inserted as is (never re-scanned).
Expected<std::string> resolve_markers(std::string_view text,
                                      const std::function<std::optional<std::string>(std::string_view)>& lookup);

// The distinct values of the markers in `text`, in order of first appearance
// (the plan uses them to know which items an item depends on). An unclosed ⟦ is
// ignored here (resolve_markers reports it).
std::vector<std::string> markers_in(std::string_view text);

// `value` inside the marker brackets: "⟦" + value + "⟧".
std::string marker(std::string_view value);

// A marker value of the form $items.<Type>.<Name>.<attr>, split; nullopt for any other.
struct ItemReference {
  std::string type;
  std::string name;
  std::string attribute;
};
std::optional<ItemReference> item_reference(std::string_view value);

}  // namespace converge::providers::fabric
