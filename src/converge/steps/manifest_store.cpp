// Opening a step's manifest store by scheme (see manifest_store.hpp).
#include "converge/steps/manifest_store.hpp"

#include "converge/github/deployment_manifest.hpp"
#include "converge/steps/github_link.hpp"

namespace converge::steps {
namespace {

Expected<std::string> expanded(const config::Config& config, std::string_view environment, StepIo io,
                               const config::VariableLookup& lookup) {
  std::vector<std::string> secrets;
  auto url = config::manifest_url(config, environment, lookup, secrets);
  for (const auto& secret : secrets) io.console.mask(secret);
  return url;
}

}  // namespace

bool is_github_manifest(std::string_view url) { return url == kGitHubManifestUrl; }

Expected<std::string> manifest_url(const Session& session, StepIo io) {
  return expanded(session.config, session.environment().name, io, [&](std::string_view name) -> std::optional<std::string> {
    if (!session.allowed_variables.contains(name)) return std::nullopt;
    return io.ctx.variable(name);
  });
}

Expected<std::string> manifest_url(const config::Config& config, std::string_view environment, StepIo io) {
  return expanded(config, environment, io, [&](std::string_view name) { return io.ctx.variable(name); });
}

Expected<std::unique_ptr<manifest::Store>> open_manifest(std::string_view url, const std::filesystem::path& root,
                                                         StepIo io) {
  if (!is_github_manifest(url)) return manifest::open(url, root);
  std::shared_ptr<GitHubLink> link = connect_github(io.ctx);
  if (!link)
    return fail(Error::usage("the github: manifest keeps deployments in GitHub and needs a token and a repository "
                             "(GITHUB_TOKEN and GITHUB_REPOSITORY; in a workflow, the job's token with deployments "
                             "permission); this run has none"));
  github::Api& api = *link->api;
  return std::unique_ptr<manifest::Store>(std::make_unique<github::DeploymentManifest>(api, std::move(link)));
}

Expected<std::unique_ptr<manifest::Store>> open_manifest(const Session& session, StepIo io) {
  auto url = manifest_url(session, io);
  if (!url) return fail(url.error());
  return open_manifest(*url, session.config.root, io);
}

}  // namespace converge::steps
