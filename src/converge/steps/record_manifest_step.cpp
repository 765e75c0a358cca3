// converge record-manifest: append the last apply of an environment to the
// manifest, one row per target, in one transaction, never twice for one run.
#include "converge/git/facts.hpp"
#include "converge/manifest/store.hpp"
#include "converge/steps/manifest_store.hpp"
#include "converge/steps/apply_journal.hpp"
#include "converge/steps/github_link.hpp"
#include "converge/steps/steps.hpp"
#include "converge/util/short_sha.hpp"

namespace converge::steps {
namespace {

// Mirrors the deployment into GitHub's Deployments API so the repository's
// Environments page shows what runs where. The manifest stays the source of
// record: a token without the permission only earns a warning.
void record_github_deployment(const ApplyResult& result, StepIo io) {
  auto link = connect_github(io.ctx);
  if (!link || result.git_sha.empty()) return;
  nlohmann::json payload = {{"plan_hash", result.plan_hash}, {"apply_id", result.apply_id}};
  auto id = link->api->create_deployment(result.git_sha, result.environment,
                                         "converge apply of " + result.environment, payload);
  if (!id) {
    io.console.warning("GitHub deployment not created (the manifest has the record): " + id.error().message);
    return;
  }
  auto status = link->api->create_deployment_status(*id, result.ok() ? "success" : "failure", io.ctx.run_url(),
                                                    result.environment);
  if (!status) io.console.warning("GitHub deployment status not set: " + status.error().message);
}

// The result to record: --result, else where apply writes it (result_path). In a
// runner a result left in the work tree is refused by name, never looked past.
Expected<std::filesystem::path> trusted_result_path(const RecordOptions& options, StepIo io) {
  const auto& env = options.common.environment;
  auto path = options.result;
  if (path.empty()) {
    auto where = result_path(options.common.config, env, io.ctx);
    if (!where) return fail(where.error());
    path = *where;
  }
  if (std::filesystem::exists(path)) return path;
  auto local = result_path(options.common.config, env, github::RunContext{});
  if (io.ctx.in_actions && local && std::filesystem::exists(*local))
    return fail(Error::refused("the apply result " + local->string() + " is not trusted: it is in the work tree, which "
                               "holds the pull request's code, and this job's apply wrote none in the job's directory; "
                               "nothing was recorded"));
  return fail(Error::usage("no apply result at " + path.string() + ": run `converge apply --env " + env + "` first"));
}

}  // namespace

int run_record_manifest(const RecordOptions& options, StepIo io) {
  auto config = config::load(options.common.config);
  if (!config) return report_error(config.error(), io);
  if (!config->find_environment(options.common.environment))
    return report_error(Error::usage("unknown environment '" + options.common.environment + "'"), io);
  // A job without the manifest URL's variable has no manifest: checked once the result is read.
  auto url = manifest_url(*config, options.common.environment, io);

  auto path = trusted_result_path(options, io);
  if (!path) return report_error(path.error(), io);
  auto head = git::read_facts(config->root);
  auto result = read_trusted_result(*path, io.ctx, head ? head->sha : std::string(), config->root);
  if (!result) return report_error(result.error(), io);
  // A feature environment's result names the branch's runtime: "<environment>/<slug>".
  const bool feature_runtime = config->find_environment(options.common.environment)->feature &&
                               result->environment.starts_with(options.common.environment + "/");
  if (result->environment != options.common.environment && !feature_runtime)
    return report_error(Error::usage(path->string() + " is the result for " + result->environment + ", not " +
                                     options.common.environment),
                        io);

  if (!url) {
    io.console.warning("not recorded in the manifest (" + url.error().to_string() + ")" +
                       (connect_github(io.ctx) ? "; GitHub's deployment records it" : ""));
    io.console.set_output("recorded", "0");
    record_github_deployment(*result, io);
    return 0;
  }
  // One row per target; an "interrupted" row the apply journaled becomes this final one.
  const auto rows = deployment_rows(*result, io.ctx, utc_now());
  auto store = open_manifest(*url, config->root, io);
  if (!store) return report_error(store.error(), io);
  auto written = (*store)->record(rows);
  if (!written) return report_error(written.error(), io);
  if (*written == 0 && !rows.empty())
    io.console.info("Already recorded: this apply (" + result->apply_id + ") is in the manifest.");
  else
    io.console.info("Recorded " + std::to_string(*written) + " deployment(s) of " + result->environment + " at " +
                    util::short_sha(result->git_sha) + ".");
  io.console.set_output("recorded", std::to_string(*written));
  // The github: manifest is GitHub's deployments already: no second one.
  if (*written > 0 && !is_github_manifest(*url)) record_github_deployment(*result, io);
  return 0;
}

}  // namespace converge::steps
