// The `terraform` provider: desired state = a root module (with its local modules,
// var files and settings); actual state = what `terraform plan` says it would change.
//
// Bundle content (format 1): {"format": 1, "root", "files": {path: sha256} (the root
// module and the local modules it calls), "configuration": {"workspace", "args",
// "var_files", "backend_config" (files as paths, key=value pairs as their key only:
// values may be secrets), "inputs": {path: sha256} (var and backend config files)}}.
// The bundle hash covers root and files only: the code, which is the same in every
// environment, so promotion (prod takes only what stage ran) compares it; the
// environment's own inputs are in "configuration", and a saved plan is bound to the
// hash of the whole content (configuration_hash).
//
// plan: `init`, `plan -out`, `show -json` (cli.hpp), read into changes by plan_json.hpp.
// A plan job (PlanContext::preview) with plan_key and plan_dir set saves the plan file
// sealed (saved_plan.hpp). An apply (PlanContext::apply; never drift) finds it there: made for this configuration and
// target, it is the plan applied (its changes are what the approval's hash is compared
// with); otherwise the apply plans again, and the step applies only when that plan's
// hash equals the approved one. apply runs `apply <plan file>`: exactly the plan shown.
//
// drift (PlanContext::drift): the normal plan, then `plan -refresh-only`; what changed
// outside Terraform that the normal plan does not undo (an attribute under
// ignore_changes or one the configuration leaves to the provider, an object deleted
// that the configuration no longer has) is a change too, kind "resource (changed
// outside Terraform)". drift --apply applies the normal plan when it has changes
// (Terraform then saves the refreshed state with it), else the refresh-only plan,
// which records in the state what Terraform cannot undo, so the next check is clean.
#include "converge/providers/terraform/terraform_provider.hpp"

#include <cstdlib>
#include <set>
#include <unistd.h>

#include "converge/providers/terraform/cli.hpp"
#include "converge/providers/terraform/options.hpp"
#include "converge/providers/terraform/plan_json.hpp"
#include "converge/providers/terraform/saved_plan.hpp"
#include "converge/providers/terraform/sources.hpp"
#include "converge/util/fs.hpp"
#include "converge/util/sha256.hpp"

namespace converge::providers::terraform {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A private temporary folder (TF_DATA_DIR, plan files), removed with the provider.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "converge-terraform-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw Failure("cannot create a temporary folder in " + fs::temp_directory_path().string());
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// What a saved plan is bound to: the code and the environment's inputs (bundle content).
std::string configuration_hash(const Bundle& bundle) {
  return util::sha256_hex("converge-terraform-configuration-1\n" + bundle.content.dump());
}

// The changes' hash as approvals name it: converge's plan hash of this target alone.
std::string target_hash(const std::string& environment, const plan::TargetPlan& target) {
  plan::Plan one;
  one.environment = environment;
  one.targets.push_back(target);
  return plan::hash(one);
}

class TerraformProvider final : public Provider {
 public:
  TerraformProvider(TargetSpec spec, Options options)
      : spec_(std::move(spec)), options_(std::move(options)), cli_(options_, spec_.repo_root, temp_.path() / "data") {}

  std::vector<fs::path> source_paths() const override {
    auto sources = read_sources(spec_.repo_root, options_);
    if (!sources) return {spec_.repo_root / options_.root};
    std::vector<fs::path> out;
    for (const auto& folder : sources->folders) out.push_back(spec_.repo_root / folder);
    for (const auto& [file, sha] : sources->inputs) out.push_back(spec_.repo_root / file);
    return out;
  }

  bool planned_only_when_changed() const override { return true; }
  bool drift_reported_alone() const override { return true; }

  Expected<Bundle> compile() override {
    auto sources = read_sources(spec_.repo_root, options_);
    if (!sources) return fail(sources.error().with_context("target " + spec_.name));
    json backend = json::array();
    for (const auto& config : options_.backend_config) {
      const auto eq = config.find('=');
      backend.push_back(eq == std::string::npos || sources->inputs.contains(config) ? config : config.substr(0, eq + 1));
    }
    json code = {{"root", options_.root}, {"files", sources->files}};
    const std::string hash = util::sha256_hex("converge-terraform-bundle-1\n" + code.dump());
    json content = std::move(code);
    content["format"] = 1;
    content["configuration"] = {{"workspace", options_.workspace}, {"args", options_.args},
                                {"var_files", options_.var_files}, {"backend_config", backend},
                                {"inputs", sources->inputs}};
    return Bundle{hash, std::move(content)};
  }

  Expected<plan::TargetPlan> plan(const Bundle& desired, const PlanContext& context) override {
    const bool saving = !options_.plan_key.empty();
    const fs::path saved_path = saving ? saved_plan_path(plan_dir(), spec_.environment, spec_.name) : fs::path();
    apply_notes_.clear();
    used_saved_plan_.reset();
    if (saving && context.apply) {
      auto saved = load_plan(saved_path, options_.plan_key);
      if (!saved) return fail(saved.error());
      if (*saved) {
        const auto& header = (*saved)->header;
        if (header.environment != spec_.environment || header.target != spec_.name)
          return fail(Error::refused("the saved plan " + saved_path.string() + " was made for target " +
                                     header.target + " of " + header.environment + ", not for this one"));
        if (header.configuration_hash == configuration_hash(desired)) {
          const fs::path file = temp_.path() / "saved.tfplan";
          if (auto ok = util::write_file_atomic(file, (*saved)->plan_file); !ok) return fail(ok.error());
          auto planned = read(desired, file);
          if (!planned) return fail(planned.error());
          if (target_hash(spec_.environment, *planned) != header.plan_hash)
            return fail(Error::refused("the saved plan " + saved_path.string() +
                                       " does not show what it was saved with (its hash differs): not applied"));
          apply_notes_.push_back("applied the sealed plan file of the plan job (plan " + header.plan_hash.substr(0, 12) +
                                 "…)");
          plan_file_ = file;
          used_saved_plan_ = saved_path;
          return planned;
        }
        apply_notes_.push_back("the sealed plan file was made for another configuration (bundle " +
                               header.configuration_hash.substr(0, 12) + "…, now " + configuration_hash(desired).substr(0, 12) +
                               "…): applied this run's own plan, whose hash the gates compared with the approved one");
      } else {
        apply_notes_.push_back("no sealed plan file at " + saved_path.string() +
                               ": applied this run's own plan, whose hash the gates compared with the approved one");
      }
    }
    const fs::path file = temp_.path() / "plan.tfplan";
    if (auto changed = cli_.plan(file); !changed) return fail(changed.error());
    auto planned = read(desired, file);
    if (!planned) return fail(planned.error());
    plan_file_ = file;
    if (context.drift) return with_refresh_drift(std::move(*planned));
    if (saving && context.preview) {
      auto bytes = util::read_file(file);
      if (!bytes) return fail(bytes.error());
      SavedPlanHeader header{spec_.environment, spec_.name, configuration_hash(desired),
                             target_hash(spec_.environment, *planned)};
      if (auto ok = save_plan(saved_path, options_.plan_key, header, *bytes); !ok) return fail(ok.error());
    }
    return planned;
  }

  Expected<ApplyReport> apply(const Bundle& desired, const plan::TargetPlan& changes) override {
    if (auto ok = refuse_plan_errors(changes, spec_.name); !ok) return fail(ok.error());
    ApplyReport report;
    if (changes.changes.empty()) return report;
    if (!plan_file_ || !last_plan_ || last_plan_->changes != changes.changes || desired.hash != last_bundle_)
      return fail(Error::refused("target " + spec_.name +
                                 ": the changes to apply are not those of the plan file this run made; nothing applied"));
    std::string error;
    const bool ok = run_change("apply", [&] {
      auto done = cli_.apply(*plan_file_);
      if (!done) error = done.error().message;
      return bool(done);
    });
    if (!ok) {
      report.failed_key = "apply";
      report.error = error;
      return report;
    }
    for (const auto& c : changes.changes) report.applied.push_back(c.key);
    report.notes = apply_notes_;
    plan_file_.reset();  // a plan file applies once
    if (used_saved_plan_) {
      std::error_code ec;
      fs::remove(*used_saved_plan_, ec);
    }
    return report;
  }

  Expected<std::string> runtime_version() override { return std::string(); }

 private:
  // Where sealed plan files go: `plan_dir`, else .converge/plans (in a runner the work
  // tree is the one folder converge's container steps share with the job, which
  // uploads and downloads it: docs/providers/terraform.md, "The workflows").
  fs::path plan_dir() const {
    return spec_.repo_root / (options_.plan_dir.empty() ? fs::path(".converge/plans") : fs::path(options_.plan_dir));
  }

  // `show -json` of a plan file, read.
  Expected<ReadPlan> show(const fs::path& file) {
    auto text = cli_.show_json(file);
    if (!text) return fail(text.error());
    return read_plan(*text, options_.binary + " show -json", ReadOptions{options_.volatile_attributes});
  }

  // `planned` (the normal plan, its file plan_file_) with what a refresh-only plan finds
  // changed outside Terraform on resources the normal plan leaves as they are; their
  // observations, which the normal plan has too, are then said once, as the change.
  Expected<plan::TargetPlan> with_refresh_drift(plan::TargetPlan planned) {
    const fs::path file = temp_.path() / "refresh.tfplan";
    // Its exit code is not trusted to say whether it found drift (Terraform versions
    // differ on what a refresh-only plan's -detailed-exitcode counts): the plan is read.
    if (auto done = cli_.plan(file, /*refresh_only=*/true); !done) return fail(done.error());
    auto refresh = show(file);
    if (!refresh) return fail(refresh.error());
    std::set<std::string> planned_keys, said;
    for (const auto& c : planned.changes) planned_keys.insert(c.key);
    const bool normal_changes = !planned.changes.empty();
    for (auto& d : refresh->drift) {
      if (planned_keys.contains(d.change.key)) continue;
      said.insert(d.note);
      planned.changes.push_back(std::move(d.change));
    }
    if (said.empty()) return planned;
    std::erase_if(planned.observations, [&](const std::string& seen) { return said.contains(seen); });
    if (!normal_changes) {
      plan_file_ = file;
      apply_notes_.push_back("applied the refresh-only plan: the state now records what changed outside Terraform, "
                             "which the configuration does not set, so no plan would undo it");
    }
    last_plan_ = planned;
    return planned;
  }

  // `show -json` of a plan file, as this target's plan.
  Expected<plan::TargetPlan> read(const Bundle& desired, const fs::path& file) {
    auto parsed = show(file);
    if (!parsed) return fail(parsed.error());
    plan::TargetPlan out = target_plan(std::move(*parsed), spec_.name);
    out.bundle_hash = desired.hash;
    last_plan_ = out;
    last_bundle_ = desired.hash;
    return out;
  }

  TargetSpec spec_;
  Options options_;
  TempDir temp_;
  Cli cli_;
  std::optional<fs::path> plan_file_;
  std::optional<plan::TargetPlan> last_plan_;
  std::string last_bundle_;
  std::vector<std::string> apply_notes_;  // which plan file apply() runs, for its log
  std::optional<fs::path> used_saved_plan_;  // the sealed file plan() opened; removed once applied
};

}  // namespace

Expected<std::unique_ptr<Provider>> make_provider(const TargetSpec& spec) {
  auto options = read_options(spec.settings);
  if (!options) return fail(options.error());
  return std::unique_ptr<Provider>(std::make_unique<TerraformProvider>(spec, std::move(*options)));
}

}  // namespace converge::providers::terraform
