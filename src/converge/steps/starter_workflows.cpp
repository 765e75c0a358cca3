// The starter workflows from converge.yaml (see starter_workflows.hpp).
#include "converge/steps/starter_workflows.hpp"

#include <algorithm>
#include <cctype>

#include "converge/util/join.hpp"
#include "converge/version.hpp"

namespace converge::steps {
namespace {

// A reusable workflow of the repository that publishes converge, at the major tag.
std::string reusable(const std::string& file) { return std::string(kRepository) + "/.github/workflows/" + file + "@v0"; }

using config::has_wildcard;

// A YAML scalar for a branch glob or a cron: plain when that is safe, else double-quoted.
std::string scalar(const std::string& text) {
  const bool plain = !text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                             "0123456789_./-") == std::string::npos &&
                     text != "true" && text != "false" && text != "null" &&
                     text.find_first_not_of("0123456789.") != std::string::npos;
  if (plain) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A job id for an environment name: GitHub allows letters, digits, '-' and '_',
// starting with a letter or '_'.
std::string job_id(const std::string& environment) {
  std::string id;
  for (char c : environment) id += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '-';
  return std::isalpha(static_cast<unsigned char>(id.front())) || id.front() == '_' ? id : "_" + id;
}

std::string flow_list(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const auto& item : items) quoted.push_back(scalar(item));
  return "[" + util::join(quoted, ", ") + "]";
}

// `with:` lines shared by the callers: the branch map and the config path when they
// are not the reusable workflows' defaults.
std::string common_with(const StarterFacts& facts, bool branches) {
  std::string out;
  if (branches && facts.branch_map != kDefaultBranchMap) {
    out += "      branches: |\n";
    std::string line;
    for (char c : facts.branch_map) {
      if (c != '\n') {
        line += c;
        continue;
      }
      out += "        " + line + "\n";
      line.clear();
    }
  }
  if (facts.config_path != "converge.yaml") out += "      config: " + scalar(facts.config_path) + "\n";
  return out;
}

std::string mapping_words(const StarterFacts& facts) {
  std::vector<std::string> pairs;
  std::string line;
  for (char c : facts.branch_map) {
    if (c != '\n') {
      line += c;
      continue;
    }
    const auto eq = line.rfind('=');
    pairs.push_back(line.substr(0, eq) + " → " + line.substr(eq + 1));
    line.clear();
  }
  return util::join(pairs, ", ");
}

std::string environment_choice(const StarterFacts& facts, const std::string& description);

std::string pr(const StarterFacts& facts) {
  std::string with = common_with(facts, true);
  return "# converge: plan every pull request to an environment branch and keep one sticky\n"
         "# plan comment on it. Run by hand with a merged pull request's number, it re-plans\n"
         "# that merge commit on a new comment to approve, when the deploy refused it because\n"
         "# the plan changed since it was approved (docs/adopt.md, \"Plan pinning\").\n"
         "# Generated from converge.yaml by `converge init`; `converge check-workflows` tells\n"
         "# when they differ (docs/adopt.md).\n"
         "name: converge plan\n\n"
         "on:\n  pull_request:\n    branches: " +
         flow_list(facts.pr_branches) +
         "\n    types: [opened, synchronize, reopened]\n"
         "  workflow_dispatch:\n    inputs:\n"
         "      pr:\n        description: Number of the merged pull request to re-plan\n"
         "        type: string\n        required: true\n" +
         environment_choice(facts, "Environment its base branch deploys to") +
         "      sha:\n        description: Its merge commit (the SHA the deploy refused)\n"
         "        type: string\n        required: true\n\n"
         "permissions: {}\n\n"
         "jobs:\n  plan:\n    uses: " + reusable("converge-plan.yml") + "\n" +
         "    with:\n" + with +
         "      pr: ${{ inputs.pr }}\n      environment: ${{ inputs.environment }}\n      sha: ${{ inputs.sha }}\n"
         "    permissions:\n      contents: read\n      deployments: read\n      pull-requests: write\n      statuses: write\n"
         "    # No `secrets: inherit`: the plan runs the pull request's code. It reads only the\n"
         "    # `<env>-plan` GitHub environment's (read-only) secrets that the trusted\n"
         "    # converge.yaml declares; never a write token.\n";
}

std::string deploy(const StarterFacts& facts) {
  std::string with = common_with(facts, true);
  return "# converge: deploy every push to an environment branch (" + mapping_words(facts) +
         "),\n# then record it in the manifest. Generated from converge.yaml by `converge init`\n"
         "# (docs/adopt.md).\n"
         "name: converge deploy\n\n"
         "on:\n  push:\n    branches: " +
         flow_list(facts.push_branches) +
         "\n\npermissions: {}\n\n"
         "jobs:\n  deploy:\n    uses: " + reusable("converge-deploy.yml") + "\n" +
         (with.empty() ? "" : "    with:\n" + with) +
         "    permissions:\n      contents: read\n      pull-requests: write\n      deployments: write\n"
         "      actions: read\n"
         "    secrets: inherit\n";
}

std::string drift(const StarterFacts& facts) {
  std::vector<std::string> crons;
  for (const auto& job : facts.drift)
    if (std::find(crons.begin(), crons.end(), job.schedule) == crons.end()) crons.push_back(job.schedule);
  std::string out =
      "# converge: the scheduled drift checks, as `drift:` in converge.yaml says; one drift\n"
      "# issue per environment is kept open while drift remains. Generated from\n"
      "# converge.yaml by `converge init` (docs/adopt.md).\n"
      "name: converge drift\n\non:\n  schedule:\n";
  for (const auto& cron : crons) out += "    - cron: " + scalar(cron) + "\n";
  out += "  workflow_dispatch: {}\n\npermissions: {}\n\njobs:\n";
  for (const auto& job : facts.drift) {
    out += "  " + job_id(job.environment) + ":\n";
    if (crons.size() > 1)
      out += "    if: github.event_name == 'workflow_dispatch' || github.event.schedule == '" + job.schedule + "'\n";
    out += "    uses: " + reusable("converge-drift.yml") + "\n"
           "    with:\n      environment: " + scalar(job.environment) + "\n      mode: " + job.mode + "\n";
    if (!job.ref.empty()) out += "      ref: " + scalar(job.ref) + "\n";
    out += common_with(facts, false);
    out += "    permissions:\n      contents: read\n      issues: write\n      deployments: write\n"
           "    secrets: inherit\n";
  }
  return out;
}

std::string environment_choice(const StarterFacts& facts, const std::string& description) {
  return "      environment:\n        description: " + description +
         "\n        type: choice\n        options: " + flow_list(facts.environments) +
         "\n        default: " + scalar(facts.environments.back()) + "\n";
}

std::string with_config(const StarterFacts& facts) {
  return facts.config_path == "converge.yaml" ? "" : "      config: " + scalar(facts.config_path) + "\n";
}

std::string export_to_pr(const StarterFacts& facts) {
  return "# converge: bring edits made in a runtime's UI back to Git as one pull request per\n"
         "# environment. Run it by hand (Actions → converge export → Run workflow). Generated\n"
         "# from converge.yaml by `converge init` (docs/adopt.md).\n"
         "name: converge export\n\non:\n  workflow_dispatch:\n    inputs:\n" +
         environment_choice(facts, "Environment whose runtime is exported") +
         "      target:\n        description: Target to export (a name from converge.yaml)\n"
         "        type: string\n        required: true\n"
         "      dry-run:\n        description: Build the commit only; push nothing, open no pull request\n"
         "        type: boolean\n        default: false\n\n"
         "permissions: {}\n\n"
         "jobs:\n  export:\n    uses: " + reusable("converge-export.yml") + "\n"
         "    with:\n      environment: ${{ inputs.environment }}\n      target: ${{ inputs.target }}\n"
         "      dry-run: ${{ inputs.dry-run }}\n" +
         with_config(facts) +
         "    permissions:\n      contents: write\n      pull-requests: write\n"
         "    # `secrets: inherit` also passes a repository secret named TOKEN, if you made\n"
         "    # one (a GitHub App or fine-grained token), so the export PR gets its plan.\n"
         "    secrets: inherit\n";
}

std::string rollback(const StarterFacts& facts) {
  return "# converge: redeploy a previous tag or commit to an environment (rollback), by hand\n"
         "# (Actions → converge rollback → Run workflow). The environment's required\n"
         "# reviewers approve it before it runs. Generated from converge.yaml by `converge\n"
         "# init` (docs/adopt.md).\n"
         "name: converge rollback\n\non:\n  workflow_dispatch:\n    inputs:\n" +
         environment_choice(facts, "Environment to roll back") +
         "      git-ref:\n        description: Tag or commit SHA to deploy (e.g. v1.1.0)\n"
         "        type: string\n        required: true\n"
         "      break-glass:\n        description: Reason to skip the approval gate (recorded in the manifest); leave "
         "empty to keep the gate\n        type: string\n        default: \"\"\n"
         "      dry-run:\n        description: Show the gates and the plan; apply nothing\n"
         "        type: boolean\n        default: false\n\n"
         "permissions: {}\n\n"
         "jobs:\n  rollback:\n    uses: " + reusable("converge-rollback.yml") + "\n"
         "    with:\n      environment: ${{ inputs.environment }}\n      git-ref: ${{ inputs.git-ref }}\n"
         "      break-glass: ${{ inputs.break-glass }}\n      dry-run: ${{ inputs.dry-run }}\n" +
         with_config(facts) +
         "    permissions:\n      contents: read\n      pull-requests: write\n      deployments: write\n"
         "    secrets: inherit\n";
}

}  // namespace

StarterFacts starter_facts(const config::Config& config, const std::string& config_path) {
  StarterFacts facts;
  facts.config_path = config_path;
  // A scheduled run checks out the default branch: the last environment's (prod's)
  // branch by GitFlow; an environment deployed from another plain branch names it.
  const std::string& default_branch = config.environments.back().branch;
  for (const auto& env : config.environments) {
    facts.branch_map += env.branch + "=" + env.name + "\n";
    facts.push_branches.push_back(env.branch);
    facts.environments.push_back(env.name);
    if (!has_wildcard(env.branch)) facts.pr_branches.push_back(env.branch);
    if (!env.drift.schedule.empty())
      facts.drift.push_back({env.name, env.drift.schedule, env.drift.mode == config::DriftMode::apply ? "apply" : "detect",
                             has_wildcard(env.branch) || env.branch == default_branch ? "" : env.branch});
  }
  return facts;
}

std::map<std::string, std::string> starter_workflows(const StarterFacts& facts) {
  std::map<std::string, std::string> files{{"converge-pr.yml", pr(facts)},
                                           {"converge-deploy.yml", deploy(facts)},
                                           {"converge-export.yml", export_to_pr(facts)},
                                           {"converge-rollback.yml", rollback(facts)}};
  if (!facts.drift.empty()) files.emplace("converge-drift.yml", drift(facts));
  return files;
}

}  // namespace converge::steps
