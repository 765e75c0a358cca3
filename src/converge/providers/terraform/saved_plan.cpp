// Sealed plan files between a plan job and its apply (saved_plan.hpp).
#include "converge/providers/terraform/saved_plan.hpp"

#include <nlohmann/json.hpp>

#include "converge/util/fs.hpp"
#include "converge/util/seal.hpp"

namespace converge::providers::terraform {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMagic = "converge-tfplan 1\n";
constexpr std::string_view kPurpose = "converge terraform plan file v1";
constexpr size_t kMaxPlanFile = size_t{1} << 30;  // 1 GiB
constexpr size_t kMaxHeader = 64 * 1024;

}  // namespace

fs::path saved_plan_path(const fs::path& dir, const std::string& environment, const std::string& target) {
  return dir / environment / (target + ".tfplan.sealed");
}

Expected<void> save_plan(const fs::path& path, const std::string& key, const SavedPlanHeader& header,
                         const std::string& plan_file) {
  const nlohmann::json head = {{"environment", header.environment}, {"target", header.target},
                               {"configuration_hash", header.configuration_hash}, {"plan_hash", header.plan_hash}};
  const std::string associated = std::string(kMagic) + head.dump() + "\n";
  return util::write_file_atomic(path, associated + util::seal(key, kPurpose, associated, plan_file));
}

Expected<std::optional<SavedPlan>> load_plan(const fs::path& path, const std::string& key) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) return std::optional<SavedPlan>();
  auto bytes = util::read_file(path, kMaxPlanFile);
  if (!bytes) return fail(bytes.error());
  auto refused = [&](const std::string& why) {
    return Error::refused("the saved plan " + path.string() + " cannot be used: " + why);
  };
  const auto end = bytes->find('\n', kMagic.size());
  if (!bytes->starts_with(kMagic) || end == std::string::npos || end > kMaxHeader)
    return fail(refused("it is not a plan file sealed by converge"));
  const std::string associated = bytes->substr(0, end + 1);
  auto plain = util::unseal(key, kPurpose, associated, std::string_view(*bytes).substr(end + 1));
  if (!plain) return fail(refused(plain.error().message + " (plan_key differs from the plan job's, or the file was changed)"));
  auto head = nlohmann::json::parse(associated.substr(kMagic.size()), nullptr, false);
  SavedPlan saved;
  for (auto [name, field] : {std::pair{"environment", &saved.header.environment}, {"target", &saved.header.target},
                            {"configuration_hash", &saved.header.configuration_hash}, {"plan_hash", &saved.header.plan_hash}}) {
    if (!head.is_object() || !head.contains(name) || !head[name].is_string())
      return fail(refused(std::string("its header has no ") + name));
    *field = head[name].get<std::string>();
  }
  saved.plan_file = std::move(*plain);
  return std::optional<SavedPlan>(std::move(saved));
}

}  // namespace converge::providers::terraform
