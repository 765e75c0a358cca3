// converge init: converge.yaml from the repository's layout (when there is none), the
// starter workflows from converge.yaml, the .gitignore entry, and the repository
// settings to make, printed as a checklist. converge check-workflows: the starters in
// .github/workflows/ against converge.yaml.
#include <yaml-cpp/yaml.h>

#include <set>

#include "converge/git/history.hpp"
#include "converge/steps/init.hpp"
#include "converge/steps/layout.hpp"
#include "converge/steps/repo_settings.hpp"
#include "converge/steps/starter_workflows.hpp"
#include "converge/util/fs.hpp"
#include "converge/util/join.hpp"
#include "converge/util/yaml_document.hpp"
#include "converge/version.hpp"

namespace converge::steps {
namespace {

namespace fs = std::filesystem;

// The first of `names` that is a branch here (local or origin's); "" for none.
std::string first_branch(const fs::path& root, std::initializer_list<const char*> names) {
  for (const char* name : names)
    if (git::has_commit(root, std::string("refs/heads/") + name) ||
        git::has_commit(root, std::string("refs/remotes/origin/") + name))
      return name;
  return "";
}

std::string secret_for(const std::string& target, bool only_one, const char* single, const char* suffix) {
  if (only_one) return single;
  std::string out;
  for (char c : target) out += c == '-' || c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out + suffix;
}

struct Draft {
  std::string yaml;
  std::vector<std::string> secrets;  // every environment's variables
  std::vector<std::string> notes;
};

// converge.yaml for what the layout holds: GitFlow environments (stage only when
// the repository has a develop branch), gates on stage and prod, the 1 AM drift check
// on prod, a target per migrations folder and asset folder.
Draft draft_config(const fs::path& root, const Layout& layout) {
  Draft d;
  const std::string prod_branch = [&] {
    auto b = first_branch(root, {"main", "master"});
    return b.empty() ? std::string("main") : b;
  }();
  const bool stage = !first_branch(root, {"develop"}).empty();
  if (!stage) d.notes.push_back("no develop branch: no stage environment (GitFlow adds it: create develop, then add "
                                "stage to converge.yaml and run converge init --force)");
  std::string targets;
  for (const auto& db : layout.databases) {
    const auto secret = secret_for(db.name, layout.databases.size() == 1, "DATABASE_URL", "_URL");
    d.secrets.push_back(secret);
    targets += "  - name: " + db.name + "\n    provider: sql\n    settings:\n      url: ${" + secret +
               "}\n      migrations: " + db.migrations + "\n      snapshot: " + db.snapshot + "\n";
  }
  for (const auto& folder : layout.asset_folders) {
    const auto name = folder == "assets" ? std::string("bi") : "bi-" + folder.substr(0, folder.find('/'));
    const auto secret = secret_for(name, layout.asset_folders.size() == 1, "BI_URL", "_URL");
    d.secrets.push_back(secret);
    targets += "  - name: " + name + "\n    provider: assets\n    settings:\n      url: ${" + secret +
               "}\n      sources: " + folder + "\n";
  }
  for (const auto& what : layout.unsupported) d.notes.push_back("found " + what + ": this converge has no provider for it yet; not added");
  if (targets.empty()) {
    d.notes.push_back("no db/migrations or assets/ found: converge.yaml has one sql target at db/migrations; "
                      "add your first migration there (docs/providers/sql.md)");
    d.secrets.push_back("DATABASE_URL");
    targets = "  - name: app-db\n    provider: sql\n    settings:\n      url: ${DATABASE_URL}\n";
  }
  const std::string secrets = "[" + util::join(d.secrets, ", ") + "]";
  d.yaml = "# converge.yaml, written by `converge init` (docs/configuration.md).\n"
           "# yaml-language-server: $schema=https://github.com/" + std::string(kRepository) +
           "/raw/main/schema/converge.schema.json\n"
           "version: 1\n\n"
           "# The manifest must outlive a job: GitHub deployments, no database and no secret;\n"
           "# or PostgreSQL: url: ${MANIFEST_URL}, listed in every environment's secrets (docs/manifest.md).\n"
           "manifest:\n  url: \"github:\"\n\n"
           "environments:\n"
           "  # Every dev/** branch deploys the one dev runtime: a migration one branch applied\n"
           "  # stops the others' deploys until they merge it (docs/adopt.md, \"One dev runtime\").\n"
           "  - name: dev\n    branch: \"dev/**\"\n    secrets: " + secrets + "\n";
  if (stage)
    d.yaml += "  - name: stage\n    branch: develop\n    gates: {plan_pinning: true}\n    secrets: " + secrets + "\n";
  d.yaml += "  - name: prod\n    branch: " + prod_branch +
            "\n    gates: {approvals: 1, distinct_approver: true, plan_pinning: true}\n"
            "    drift: {schedule: \"0 1 * * *\", mode: detect}\n" +
            (stage ? "    promote_from: stage\n" : "") + "    secrets: " + secrets + "\n\ntargets:\n" + targets;
  return d;
}

// The repository settings the workflows rely on (docs/adopt.md, section 3).
std::string settings_checklist(const config::Config& config, const std::vector<std::string>& pr_branches) {
  std::string out = "Repository settings to make (docs/adopt.md, section 3):\n";
  if (!pr_branches.empty())
    out += "  - Rulesets for " + util::join(pr_branches, ", ") +
           ": require a pull request, required approvals, dismiss stale approvals, require the\n"
           "    status checks of converge plan, require branches to be up to date before merging\n";
  for (const auto& env : config.environments) {
    std::vector<std::string> names;
    if (env.secrets) names = *env.secrets;
    out += "  - GitHub environment " + env.name + " (secrets: " + (names.empty() ? "none" : util::join(names, ", ")) +
           ")" + (env.gates.approvals > 0 ? ", required reviewers: " + std::to_string(env.gates.approvals) : "") +
           ", deployment branches: " + env.branch + "\n";
    out += "  - GitHub environment " + env.name + "-plan: read-only secrets for pull request plans\n";
  }
  out += "  - Actions → General → Workflow permissions: read repository contents; allow GitHub Actions to\n"
         "    create pull requests (for export-to-pr)\n";
  return out;
}

}  // namespace

int run_init(const InitOptions& options, StepIo io) {
  if ((options.dry_run || !options.repository.empty()) && !options.apply_settings)
    return report_error(Error::usage("--dry-run and --repository go with --apply-settings"), io);
  const fs::path root = options.root;
  const fs::path config_path = root / options.config;
  std::error_code ec;
  std::vector<std::string> written;
  if (!fs::exists(config_path, ec)) {
    const auto draft = draft_config(root, scan_layout(root));
    if (auto parsed = config::parse(draft.yaml, config_path); !parsed)
      return report_error(Error::runtime("init wrote a converge.yaml that does not parse (a bug): " +
                                         parsed.error().to_string()),
                          io);
    if (auto ok = util::write_file_atomic(config_path, draft.yaml); !ok) return report_error(ok.error(), io);
    written.push_back(options.config);
    for (const auto& note : draft.notes) io.console.info("note: " + note);
  }
  auto config = config::load(config_path);
  if (!config) return report_error(config.error(), io);

  const auto facts = starter_facts(*config, options.config);
  bool differs = false;
  for (const auto& [name, text] : starter_workflows(facts)) {
    const auto path = root / ".github" / "workflows" / name;
    if (fs::exists(path, ec)) {
      auto current = util::read_file(path);
      if (current && *current == text) continue;
      if (!options.force) {
        io.console.warning(".github/workflows/" + name + " exists and differs from what converge.yaml gives; kept "
                           "(converge check-workflows shows how, --force rewrites it)");
        differs = true;
        continue;
      }
    }
    fs::create_directories(path.parent_path(), ec);
    if (auto ok = util::write_file_atomic(path, text); !ok) return report_error(ok.error(), io);
    written.push_back(".github/workflows/" + name);
  }

  const auto gitignore = root / ".gitignore";
  std::string ignored;
  if (fs::exists(gitignore, ec)) {
    auto text = util::read_file(gitignore);
    if (!text) return report_error(text.error(), io);
    ignored = *text;
  }
  if (ignored.find(".converge/") == std::string::npos) {
    if (!ignored.empty() && !ignored.ends_with('\n')) ignored += '\n';
    ignored += "# converge's local state (SQLite files, apply results)\n.converge/\n";
    if (auto ok = util::write_file_atomic(gitignore, ignored); !ok) return report_error(ok.error(), io);
    written.push_back(".gitignore");
  }

  io.console.info(written.empty() ? "nothing to write: converge.yaml and the workflows are in place"
                                  : "wrote " + util::join(written, ", "));
  if (options.apply_settings) {
    if (int code = apply_settings(*config, options, io); code != 0) return code;
  } else {
    io.console.info(settings_checklist(*config, facts.pr_branches));
  }
  return differs ? 1 : 0;
}

}  // namespace converge::steps
