// The plan model: the ordered changes that turn a runtime's actual state into the
// desired state, for every target of one environment.
//
// Persisted as plan.json (see to_json below): {"format": 1, "environment", "git_sha",
// "targets": [{"target", "provider", "bundle_hash", "changes": [...], "errors", "notes"}]}.
// The plan hash is the SHA-256 of the canonical JSON *without* git_sha and notes: a
// PR's head commit and its merge commit carry the same plan when nothing else changed,
// and plan pinning compares exactly that. Canonical = keys sorted, no whitespace,
// targets and changes in their planned order (order is meaning: migrations run in it).
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

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
  bool operator==(const Change&) const = default;
};

struct TargetPlan {
  std::string target;
  std::string provider;
  std::string bundle_hash;           // hash of the desired state the plan leads to
  std::vector<Change> changes;
  std::vector<std::string> errors;   // problems that make the plan unappliable
  std::vector<std::string> notes;    // informational; not part of the hash
};

struct Plan {
  static constexpr int kFormat = 1;
  std::string environment;
  std::string git_sha;
  std::vector<TargetPlan> targets;

  bool has_changes() const;
  bool has_errors() const;
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

// Canonical text that is hashed (no git_sha, no notes).
std::string canonical_text(const Plan& plan);
// SHA-256 hex of canonical_text().
std::string hash(const Plan& plan);

}  // namespace converge::plan
