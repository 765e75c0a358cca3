// The fabric provider's settings for one target (docs/providers/fabric.md is the user
// reference). Every error names the setting's file:line:column.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "converge/config/settings.hpp"
#include "converge/util/error.hpp"

namespace converge::providers::fabric {

// How converge gets its Entra ID access token for the Fabric API.
enum class Auth {
  client_secret,  // a service principal's secret (client credentials)
  github_oidc,    // a GitHub Actions OIDC token exchanged as a federated credential
  token,          // an access token given as is (`token:`), never refreshed
};

// `feature_workspace:` (docs/providers/fabric.md, Feature workspaces): in a feature
// environment (config `feature: true`), each branch gets its own workspace, named
// from `name` with the branch's slug, made on the capacity when it does not exist and,
// with `git`, connected to the branch through Fabric's Git integration.
struct FeatureWorkspace {
  std::string name_pattern;   // as written: "{branch_slug}" (required) and "{branch}" are replaced
  std::string capacity_id;    // GUID
  std::string description;    // of a workspace converge makes
  // Git integration (`git:`); provider "" = not connected.
  std::string git_provider;   // "GitHub" | "AzureDevOps"
  std::string owner;          // GitHub: the repository's owner
  std::string organization, project;  // Azure DevOps
  std::string repository;
  std::string directory;      // the items' folder in the repository ("/" + sources by default)
  std::string connection_id;  // a Fabric connection holding the Git credentials (GitHub: required)
};

// The workspace name of `pattern` for `branch`: "{branch_slug}" → util::branch_slug,
// "{branch}" → the branch with every character Fabric's names may not hold replaced.
std::string feature_workspace_name(const std::string& pattern, const std::string& branch);

struct Options {
  std::string workspace_id;              // the target workspace; or
  std::string workspace_name;            // its display name, looked up
  std::string api_url = "https://api.fabric.microsoft.com";  // no trailing '/'
  std::string authority = "https://login.microsoftonline.com";
  std::string scope = "https://api.fabric.microsoft.com/.default";
  Auth auth = Auth::client_secret;
  std::string tenant_id, client_id, client_secret, token;  // client_secret and token are secrets
  std::string sources = "workspace";     // the items' folder, relative to the repository root
  std::string parameters;                // parameter.yml; "" = <sources>/parameter.yml when it exists
  std::string parameter_environment;     // parameter.yml's name for this environment ("" = the environment's)
  std::set<std::string> item_types;      // the types converge deploys; empty = every type
  bool prune = false;                    // delete items converge did not create
  std::set<std::string> delete_data;     // data-bearing types whose items may be deleted (opt-in)
  bool stamp = true;                     // the deployment stamp in the workspace description
  // Promotion: the workspace gets what `source_stage` runs through the deployment
  // pipeline (POST deploymentPipelines/{id}/deploy) instead of item writes from Git.
  bool promote_via_pipeline = false;     // `promote_via: deployment-pipeline` (default `git`)
  std::string deployment_pipeline, source_stage, target_stage;  // ids (GUIDs)
  // A feature environment's workspace per branch: workspace_name is then its name for
  // `branch` (workspace_id stays empty); nullopt for a fixed workspace.
  std::optional<FeatureWorkspace> feature;
  std::string branch;
};

// Types whose items hold data, deleted only when `delete_data` names them.
bool holds_data(const std::string& type);

// Reads and checks the settings of `environment`'s target; Error (config) at the
// value that is wrong. `branch`: the run's branch when the environment is a feature
// environment ("" otherwise: `feature_workspace` is then refused).
Expected<Options> read_options(const config::Settings& settings, const std::string& environment,
                               const std::string& branch = "");

}  // namespace converge::providers::fabric
