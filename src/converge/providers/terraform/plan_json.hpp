// Reads the JSON form of a Terraform/OpenTofu plan (`terraform show -json <planfile>`,
// format_version 0.x and 1.x) into converge changes: what a reviewer reads and what the
// plan hash covers. Values are normalised so that the hash follows meaning, never text:
// sensitive values become "(sensitive)", unknown ones "(known after apply)", attributes
// the target declares volatile "(volatile)"; key order and whitespace do not exist past
// the parse. See docs/providers/terraform.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "converge/plan/plan.hpp"
#include "converge/util/error.hpp"

namespace converge::providers::terraform {

struct ReadOptions {
  // Attributes whose values change on every plan ("tags.BuildTime" for any resource,
  // or "aws_instance.tags.BuildTime" for one type; dots walk into nested objects):
  // shown and hashed as "(volatile)".
  std::vector<std::string> volatile_attributes;
};

struct ReadPlan {
  std::string format_version;        // "1.2"
  std::string terraform_version;     // "1.7.5"
  std::vector<plan::Change> changes; // no-ops hidden; replacements and deletions first
  std::vector<std::string> notes;    // volatile-only updates, check results, an incomplete plan
  std::vector<std::string> errors;   // failed checks
  // resource_drift: what changed outside Terraform, by address. In a target's plan
  // each is an observation ("changed outside Terraform: <address> (<paths>)"), which may
  // differ between a pull request's plan and its merge's; a drift check
  // counts them as changes (kind "resource (changed outside Terraform)" or "(deleted
  // outside Terraform)", values masked like the changes', the paths in the title).
  struct Drift {
    plan::Change change;
    std::string note;
  };
  std::vector<Drift> drift;
};

// Parses `json_text` (named `origin` in errors). Error (runtime) naming origin and the
// field for a document that is not a plan, too deep (64 levels) or too large.
Expected<ReadPlan> read_plan(std::string_view json_text, std::string_view origin, const ReadOptions& options = {});

// The terraform target `target`'s plan made of what was read: its changes, notes,
// observations (the drift's) and errors (no bundle hash: the caller's).
plan::TargetPlan target_plan(ReadPlan read, std::string target);

}  // namespace converge::providers::terraform
