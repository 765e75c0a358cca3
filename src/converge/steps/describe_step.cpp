// converge describe: "what is <env> running?" from the manifest, per target, or the
// last N deployments with --history. A feature environment has one runtime per
// branch: `--env <feature env>/<branch slug>` names one; a target whose runtime
// `converge destroy` deleted shows its "destroyed" row.
//
// --json (format 1; docs/steps/describe.md is the reader's copy):
//   {"format": 1, "history": int | null, "environments": {"<env>": [row, …]}}
// a row: {"id": int, "environment", "target", "status", "git_sha", "git_ref": str,
//   "git_tags": [str], "migration_version", "bundle_hash", "plan_hash": str,
//   "deployed_at": str (RFC 3339, UTC), "deployed_by", "run_url": str,
//   "pr_number": int | null, "approvers": [str], "break_glass": str,
//   "applied": [str] | null (null: not recorded), "promoted_from": str ("<environment>@<sha>"
//   of the source deployment a promotion took its bundle from; "" when not promoted),
//   "dirty": bool (a local apply of files
//   its commit does not hold)}
#include <algorithm>
#include <map>
#include <memory>
#include <ranges>

#include "converge/manifest/store.hpp"
#include "converge/steps/manifest_store.hpp"
#include "converge/steps/steps.hpp"

namespace converge::steps {
namespace {

// The manifest keeps lists as "a,b" (tags, approvers): a JSON list, [] for "".
nlohmann::json list(std::string_view text) {
  auto out = nlohmann::json::array();
  for (auto part : std::views::split(text, ',')) {
    std::string item(part.begin(), part.end());
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

nlohmann::json row_json(const manifest::Deployment& d) {
  auto applied = nlohmann::json::parse(d.applied, nullptr, false);
  nlohmann::json j = {{"id", d.id},
                      {"environment", d.environment},
                      {"target", d.target},
                      {"status", d.status},
                      {"git_sha", d.git_sha},
                      {"git_ref", d.git_ref},
                      {"git_tags", list(d.git_tag)},
                      {"migration_version", d.migration_version},
                      {"bundle_hash", d.bundle_hash},
                      {"plan_hash", d.plan_hash},
                      {"deployed_at", d.deployed_at},
                      {"deployed_by", d.deployed_by},
                      {"run_url", d.run_url},
                      {"approvers", list(d.approvers)},
                      {"break_glass", d.break_glass},
                      {"applied", applied.is_array() ? applied : nlohmann::json(nullptr)},
                      {"dirty", d.dirty},
                      {"promoted_from", d.promoted_from}};
  j["pr_number"] = d.pr_number ? nlohmann::json(*d.pr_number) : nlohmann::json(nullptr);
  return j;
}

std::string row_text(const manifest::Deployment& d) {
  std::string line = "  " + d.target + "  " + d.status + "  " + d.git_sha.substr(0, 12);
  if (!d.git_tag.empty()) line += " (" + d.git_tag + ")";
  if (!d.migration_version.empty()) line += "  version " + d.migration_version;
  line += "  " + d.deployed_at + " by " + d.deployed_by;
  if (!d.approvers.empty()) line += ", approved by " + d.approvers;
  if (!d.break_glass.empty()) line += ", BREAK-GLASS: " + d.break_glass;
  if (!d.promoted_from.empty()) {
    const auto at = d.promoted_from.find('@');
    line += "  promoted from " + d.promoted_from.substr(0, at) +
            (at == std::string::npos ? "" : " at " + d.promoted_from.substr(at + 1, 12));
  }
  if (d.dirty) line += "  DIRTY: files commit " + d.git_sha.substr(0, 12) + " does not hold were deployed";
  if (!d.run_url.empty()) line += "  " + d.run_url;
  return line;
}

}  // namespace

int run_describe(const DescribeOptions& options, StepIo io) {
  auto config = config::load(options.common.config);
  if (!config) return report_error(config.error(), io);
  std::vector<std::string> environments;
  const std::string& wanted = options.common.environment;
  const std::string base = wanted.substr(0, wanted.find('/'));
  const auto* named = config->find_environment(base);
  if (wanted.empty()) {
    for (const auto& e : config->environments)
      if (e.feature)
        io.console.info(e.name + ": a feature environment, one runtime per branch (describe --env " + e.name +
                        "/<branch slug>)");
      else
        environments.push_back(e.name);
  } else if (!named) {
    return report_error(Error::usage("unknown environment '" + wanted + "'"), io);
  } else if (named->feature && base == wanted) {
    return report_error(Error::usage(base + " is a feature environment, one runtime per branch: name one, --env " +
                                     base + "/<branch slug>"),
                        io);
  } else if (!named->feature && base != wanted) {
    return report_error(Error::usage("unknown environment '" + wanted + "' (" + base +
                                     " is not a feature environment)"),
                        io);
  } else {
    environments.push_back(wanted);
  }

  std::map<std::string, std::unique_ptr<manifest::Store>> stores;  // one per distinct URL
  nlohmann::json json = nlohmann::json::object();  // environment → rows
  for (const auto& env : environments) {
    auto url = manifest_url(*config, env, io);
    if (!url) return report_error(url.error(), io);
    auto& store = stores[*url];
    if (!store) {
      auto opened = open_manifest(*url, config->root, io);
      if (!opened) return report_error(opened.error(), io);
      store = std::move(*opened);
    }
    auto rows = options.history > 0 ? store->history(env, options.history) : store->current(env);
    if (!rows) return report_error(rows.error(), io);
    if (options.history <= 0 && env.find('/') != std::string::npos) {
      // A feature runtime: a target whose newest row says destroyed shows that row.
      auto recent = store->history(env, 200);
      if (!recent) return report_error(recent.error(), io);
      for (const auto& r : *recent) {
        if (r.status != "destroyed") continue;
        auto newer = std::find_if(recent->begin(), recent->end(), [&](const auto& x) { return x.target == r.target; });
        if (&*newer != &r) continue;  // redeployed since
        std::erase_if(*rows, [&](const auto& x) { return x.target == r.target; });
        rows->push_back(r);
      }
    }
    if (options.json) {
      json[env] = nlohmann::json::array();
      for (const auto& r : *rows) json[env].push_back(row_json(r));
      continue;
    }
    io.console.info(options.history > 0 ? env + ": last " + std::to_string(rows->size()) + " deployment(s)"
                                        : env + " is running:");
    if (rows->empty()) io.console.info("  nothing recorded yet");
    for (const auto& r : *rows) io.console.info(row_text(r));
  }
  if (options.json) {
    nlohmann::json document = {{"format", 1},
                               {"history", options.history > 0 ? nlohmann::json(options.history) : nlohmann::json(nullptr)},
                               {"environments", std::move(json)}};
    if (auto written = io.data.write(document); !written) return report_error(written.error(), io);
  }
  return 0;
}

}  // namespace converge::steps
