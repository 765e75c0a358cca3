// The fabric provider's model of one workspace item as the repository holds it, in
// the layout of Fabric's Git integration (and microsoft/fabric-cicd):
// `<DisplayName>.<ItemType>/` folders, anywhere under the sources folder (the
// folders above an item become Fabric folders), each with a `.platform` file
// (metadata.type, metadata.displayName, metadata.description, config.logicalId) and
// its definition parts: every other file of the folder, binary files included.
#pragma once

#include <string>
#include <vector>

namespace converge::providers::fabric {

// One definition part: its path inside the item folder ('/'-separated, e.g.
// "notebook-content.py", "valueSets/PROD.json", ".children/Db.KQLDatabase/...") and
// its bytes.
struct Part {
  std::string path;
  std::string bytes;
};

// Dynamic values left in a part by the parameters (`$workspace.id`,
// `$items.<Type>.<Name>.<attribute>`) and references to other items by their logical
// id: the runtime's value is known only when the plan or apply reads the target
// workspace, so a part holds a marker, ⟦<value>⟧ (U+27E6, U+27E7), e.g.
// "⟦$items.Lakehouse.Sales.id⟧", which `resolve_markers` replaces.
inline constexpr std::string_view kMarkerOpen = "\u27e6";
inline constexpr std::string_view kMarkerClose = "\u27e7";

struct Item {
  std::string type;         // metadata.type: "Notebook"
  std::string name;         // metadata.displayName: "Hello World"
  std::string description;  // metadata.description ("" when absent)
  std::string logical_id;   // config.logicalId ("" when absent)
  std::string folder;       // the Fabric folder: "" at the workspace root, else "a/b"
  std::string dir;          // the item folder, relative to the repository root (for errors)
  std::vector<Part> parts;  // sorted by path; `.platform` is not a part
  std::string platform = {};  // the `.platform` file as read ("" for an item inside another's part)

  // "<Type>/<Name>": an item's identity in a workspace (a display name is unique per type).
  std::string key() const { return type + "/" + name; }
};

}  // namespace converge::providers::fabric
