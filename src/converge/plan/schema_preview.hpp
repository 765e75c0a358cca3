// The schema preview of a target's plan (the sql provider's "PR schema diff"): what
// the pending changes do to the runtime's schema, found by replaying them on a
// scratch copy, as a structured summary for reviewers (tables added, changed and
// dropped, and within a changed table its columns, indexes and constraints), and,
// when the committed snapshot is stale, the unified diff from it to the schema the
// changes produce. Also its plan.json form and its renderings.
//
// In the plan comment it is a section converge appends after the plan's footer
// (starting with "<!-- converge:schema-preview -->"), like the gate-change notice:
// apply's plan pinning re-renders the plan part of the comment from the plan it
// computes, and apply never builds a scratch database, so the preview must not be in
// that part (github::shows_plan does not compare appended sections).
//
// plan.json: a target with a preview has "schema_preview": {"changes": [{"action",
// "kind", "name", "detail", "parts": [...same...]}], "notes", "snapshot",
// "stale_diff", "regenerate"}; absent = no preview. It is NOT part of the plan hash, like notes: it
// is a reading of what the hashed changes (the migrations' SQL) and bundle hash (the
// committed snapshot) already fix, it depends on the scratch server's dump tool, and
// apply (which never builds a scratch database) must get the same hash as the PR's
// plan. A stale snapshot is hashed all the same: it is a plan error.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "converge/util/error.hpp"

namespace converge::plan {

enum class Action;

// One object of the schema that the changes add, change or drop.
struct SchemaChange {
  Action action{};                  // create (added), update (changed), remove (dropped)
  std::string kind;                 // "table", "column", "index", "constraint", "view", "function", …
  std::string name;                 // "public.users"; within a table the part's own name ("email")
  std::string detail;               // what it is or what changed: "text NOT NULL", "type integer → bigint"
  std::vector<SchemaChange> parts;  // of a table: its columns, indexes, constraints, triggers, …
  bool operator==(const SchemaChange&) const = default;
};

struct SchemaPreview {
  std::vector<SchemaChange> changes;  // in order: tables first, then other objects, each by name
  std::vector<std::string> notes;     // why the preview or the snapshot check was skipped
  std::string snapshot;               // the snapshot file ("db/schema.sql")
  std::string stale_diff;             // committed snapshot → what the changes produce; "" = not stale
  std::string regenerate;             // the command that rewrites the snapshot
  bool empty() const { return changes.empty() && notes.empty() && stale_diff.empty(); }
  bool operator==(const SchemaPreview&) const = default;
};

// The "schema_preview" value of plan.json.
nlohmann::json to_json(const SchemaPreview& preview);
// Reads it back; Error (usage) naming `where` and the wrong field.
Expected<SchemaPreview> schema_preview_from_json(const nlohmann::json& json, const std::string& where);

// Terminal lines: "schema diff:" then one indented line per change and part ("+ table
// public.users", "    + column email text NOT NULL"), then the stale diff; every
// string made visible(). "" for an empty preview.
std::string schema_preview_text(const SchemaPreview& preview);

// The markdown sections of target `target`: "Schema diff" (its notes, then a nested
// list, every repository string escaped for its context) and, when stale, "<snapshot>
// is stale" with the command and the diff in a fenced block. Within `limit` bytes: list
// items that do not fit are counted in a last line and the diff is cut (markdown.hpp
// clip). "" for an empty preview or when not even the heading fits.
std::string schema_preview_markdown(const std::string& target, const SchemaPreview& preview,
                                    size_t limit = std::string::npos);

struct Plan;
// The marker that opens the appended section (see above).
inline constexpr std::string_view kSchemaPreviewMarker = "<!-- converge:schema-preview -->";
// Every target's schema_preview_markdown() as one section to append after a plan's
// markdown (the plan comment, the job summary): "\n" + kSchemaPreviewMarker + "\n" and
// the targets' sections, within `limit` bytes shared among them; "" when no target has
// a preview.
std::string schema_preview_section(const Plan& plan, size_t limit);

}  // namespace converge::plan
