// The plan model: the ordered changes that turn a runtime's actual state into the
// desired state, for every target of one environment.
//
// Persisted as plan.json (see to_json below): {"format": 1, "environment", "git_sha",
// "destructive", "targets": [{"target", "provider", "bundle_hash", "changes": [...],
// "errors", "notes", "findings": [{"rule", "severity", "file", "line", "message",
// "destructive", "doc"}], "destructive"}]}. A change is {"action", "kind", "key",
// "before", "after"}, plus "title" (what people call the item) only when it has one
// (a change without it reads as untitled). "findings" is written only when a target
// has any (a plan.json without it reads as none); "destructive" is derived from the
// findings, written for readers such as later gates, and ignored when read back.
// A target with a schema preview (the PR schema diff) also has "schema_preview", its
// format and why it is not hashed in schema_preview.hpp; one with observations has
// "observations" (a list of strings; absent reads as none).
// A plan of some targets only (`plan --target`, one job of a matrix) has
// "partial": true (absent reads as false): it is hashed, so a partial plan never hashes
// like a whole environment's plan, and apply --plan refuses it (apply_gates.cpp);
// `plan-comment --from` merges the partial plans of every target into the whole plan
// (steps/plan_merge.hpp), which hashes as one job's plan of the same commit.
// The plan hash is the SHA-256 of the canonical JSON *without* git_sha, notes,
// observations, the
// changes' titles (a title is read from the item's content, which the bundle hash
// covers, so it adds nothing to what is applied) and the schema preview: a
// PR's head commit and its merge commit carry the same plan when nothing else changed,
// and plan pinning compares exactly that. Findings are hashed (only a target that has
// some gets the key, so plans without findings hash as before findings existed): they
// derive from the same files as the changes, and an approval of a plan must not carry
// over to one that became destructive. Canonical = keys sorted, no whitespace,
// targets and changes in their planned order (order is meaning: migrations run in it).
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "converge/plan/schema_preview.hpp"
#include "converge/util/error.hpp"

namespace converge::plan {

enum class Action { create, update, remove, replace };
inline constexpr std::array kActions = {Action::create, Action::update, Action::remove, Action::replace};

// "create", "update", "delete", "replace".
std::string_view to_string(Action action);
// nullopt for an unknown word.
std::optional<Action> action_from_string(std::string_view word);

struct Change {
  Action action = Action::create;
  std::string kind;      // provider's word for the item ("migration", "schema", "chart", ...)
  std::string key;       // stable identity of the item within the target
  nlohmann::json before;  // null for create
  nlohmann::json after;   // null for delete
  // What people call the item (a chart's slice_name, a migration's file); "" = none.
  // Renderings show it before the key. Not hashed. From the repository or a runtime,
  // so untrusted: escaped wherever it is shown (markdown.hpp).
  std::string title = {};
  bool operator==(const Change&) const = default;
};

// How much a finding matters: an error makes the plan unappliable like a plan error;
// the three are GitHub's annotation levels.
enum class Severity { notice, warning, error };
// "notice", "warning", "error".
std::string_view to_string(Severity severity);
// nullopt for an unknown word.
std::optional<Severity> severity_from_string(std::string_view word);

// One finding of a provider's check of the desired state (the sql provider's
// migration lint) at a file:line of the repository.
struct Finding {
  std::string rule;      // "destructive/drop-table"
  Severity severity = Severity::warning;
  std::string file;      // relative to the repository root
  int line = 0;          // 1-based; 0 = the file as a whole
  std::string message;   // one sentence: what and what to do instead
  bool destructive = false;  // the change can lose data or break what runs on it
  std::string doc;       // the rule's docs page and anchor, relative to converge's docs
                         // ("docs/providers/sql.md#destructive-drop-table"); "" = none
  bool operator==(const Finding&) const = default;
};

struct TargetPlan {
  std::string target;
  std::string provider;
  std::string bundle_hash;           // hash of the desired state the plan leads to
  std::vector<Change> changes;
  std::vector<std::string> errors;   // problems that make the plan unappliable
  std::vector<std::string> notes;    // informational; not part of the hash
  // What the runtime was seen doing outside the plan (terraform: objects changed
  // outside Terraform). Not part of the hash, and not of the plan comment's plan part,
  // which apply re-renders to check it: it may differ between a pull request's plan
  // and its merge's without changing what is applied (render.hpp, observations_section).
  std::vector<std::string> observations;
  std::vector<Finding> findings;     // in file and line order; part of the hash
  SchemaPreview schema_preview;      // the PR schema diff (schema_preview.hpp); not part of the hash

  // Errors or an error-level finding: the plan cannot be applied.
  bool has_errors() const;
  // Any destructive finding.
  bool destructive() const;
};

struct Plan {
  static constexpr int kFormat = 1;
  std::string environment;
  std::string git_sha;
  std::vector<TargetPlan> targets;
  bool partial = false;  // only some of the environment's targets (plan --target)

  bool has_changes() const;
  bool has_errors() const;    // any target's has_errors()
  bool destructive() const;   // any target's destructive()
  // The runtime equals Git: no change and no error (what drift-verify calls no drift).
  bool clean() const { return !has_changes() && !has_errors(); }
};

struct Counts {
  int create = 0, update = 0, remove = 0, replace = 0;
  int total() const { return create + update + remove + replace; }
  int of(Action action) const;
};
Counts count(const TargetPlan& target);
Counts count(const Plan& plan);

// Full JSON (plan.json), including git_sha and notes.
nlohmann::json to_json(const Plan& plan);
// Reads plan.json; Error names `origin` and the field that is wrong.
Expected<Plan> from_json(const nlohmann::json& json, std::string_view origin);
// plan.json's text from outside (an `apply --plan` file, a matrix job's plan file)
// parsed within a budget (256 MiB, 128 levels of nesting, 16M values, no duplicate
// key) and read; Error (usage) naming `origin` and what is wrong.
Expected<Plan> parse_plan_json(std::string_view text, std::string_view origin);

// Canonical text that is hashed (no git_sha, no notes, no titles).
std::string canonical_text(const Plan& plan);
// SHA-256 hex of canonical_text().
std::string hash(const Plan& plan);

}  // namespace converge::plan
