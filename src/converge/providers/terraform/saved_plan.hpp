// The plan file a plan job keeps for its apply, sealed (util/seal.hpp: AES-256-GCM,
// key from the target's plan_key secret), because a plan file holds sensitive values
// in clear. The header, in clear but authenticated, binds it to where it was made:
//
//   converge-tfplan 1\n
//   {"environment", "target", "configuration_hash", "plan_hash"}\n      (one line of JSON)
//   nonce (12 bytes) | encrypted plan file | tag (16 bytes)
//
// configuration_hash: the configuration it was made for (the root module, its local modules,
// var files, backend config files and settings: terraform_provider.cpp's
// configuration_hash); plan_hash: converge's hash of what it does (the hash an
// approval names). Kept at <plan_dir>/<environment>/<target>.tfplan.sealed.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "converge/util/error.hpp"

namespace converge::providers::terraform {

struct SavedPlanHeader {
  std::string environment;
  std::string target;
  std::string configuration_hash;
  std::string plan_hash;
  bool operator==(const SavedPlanHeader&) const = default;
};

struct SavedPlan {
  SavedPlanHeader header;
  std::string plan_file;  // the binary plan file, decrypted
};

std::filesystem::path saved_plan_path(const std::filesystem::path& dir, const std::string& environment,
                                      const std::string& target);

// Seals and writes (atomically) `plan_file` with `header` to `path`.
Expected<void> save_plan(const std::filesystem::path& path, const std::string& key, const SavedPlanHeader& header,
                         const std::string& plan_file);

// nullopt when there is no file at `path`. Error (refused) naming the path when it is
// not a sealed plan, was sealed with another key, or a byte of it changed.
Expected<std::optional<SavedPlan>> load_plan(const std::filesystem::path& path, const std::string& key);

}  // namespace converge::providers::terraform
