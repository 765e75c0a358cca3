// converge check-workflows: do the starter workflows in .github/workflows/ still say
// what converge.yaml says? Compared are exactly the parts converge.yaml decides (the
// branch filters, the branch → environment map, the drift jobs and their crons, the
// environments offered by export and rollback); the rest of a file is the team's.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "converge/steps/init.hpp"
#include "converge/steps/starter_workflows.hpp"
#include "converge/util/fs.hpp"
#include "converge/util/join.hpp"
#include "converge/util/yaml_document.hpp"

namespace converge::steps {
namespace {

namespace fs = std::filesystem;

// The node at `path` (keys from the root), undefined when absent. Walks const nodes:
// assigning yaml-cpp nodes would rewrite the document.
YAML::Node at(const YAML::Node& node, std::initializer_list<const char*> path) {
  const YAML::Node* current = &node;
  std::vector<YAML::Node> chain;
  chain.reserve(path.size());
  for (const char* key : path) {
    if (!current->IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    const YAML::Node& parent = *current;
    chain.push_back(parent[key]);
    if (!chain.back().IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
    current = &chain.back();
  }
  return *current;
}

std::string words(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "(none)";
  if (node.IsScalar()) return node.Scalar();
  std::vector<std::string> items;
  if (node.IsSequence())
    for (const auto& item : node) items.push_back(item.IsScalar() ? item.Scalar() : "?");
  std::sort(items.begin(), items.end());
  return "[" + util::join(items, ", ") + "]";
}

// The branch map a caller passes, or the reusable workflow's default.
std::string branch_map(const YAML::Node& job) {
  auto map = at(job, {"with", "branches"});
  std::string text = map.IsScalar() ? map.Scalar() : kDefaultBranchMap;
  std::string out, line;
  for (char c : text + "\n") {
    if (c != '\n') {
      if (c != ' ' && c != '\t') line += c;
      continue;
    }
    if (!line.empty()) out += line + "\n";
    line.clear();
  }
  return out;
}

class Checker {
 public:
  Checker(fs::path dir, StepIo io) : dir_(std::move(dir)), io_(io) {}

  // The workflow `name` as YAML; an undefined node (and a difference) when missing or
  // unreadable.
  YAML::Node load(const std::string& name) {
    const auto path = dir_ / name;
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      differ(name, "is missing (converge init writes it)");
      return YAML::Node();
    }
    auto text = util::read_file(path);
    if (!text) {
      differ(name, text.error().message);
      return YAML::Node();
    }
    auto doc = util::load_yaml(*text, path.string());
    if (!doc) {
      differ(name, doc.error().to_string());
      return YAML::Node();
    }
    return *doc;
  }

  void same(const std::string& name, const std::string& what, const std::string& actual, const std::string& expected) {
    if (actual != expected) differ(name, what + " is " + actual + ", converge.yaml says " + expected);
  }

  void differ(const std::string& name, const std::string& message) {
    io_.console.info(".github/workflows/" + name + ": " + message);
    ++differences_;
  }

  int differences() const { return differences_; }

 private:
  fs::path dir_;
  StepIo io_;
  int differences_ = 0;
};

std::string list_words(const std::vector<std::string>& items) {
  auto sorted = items;
  std::sort(sorted.begin(), sorted.end());
  return "[" + util::join(sorted, ", ") + "]";
}

std::string one_line(std::string map) {
  std::replace(map.begin(), map.end(), '\n', ' ');
  while (!map.empty() && map.back() == ' ') map.pop_back();
  return "\"" + map + "\"";
}

}  // namespace

int run_check_workflows(const CheckWorkflowsOptions& options, StepIo io) {
  auto config = config::load(options.root / options.config);
  if (!config) return report_error(config.error(), io);
  const auto facts = starter_facts(*config, options.config);
  Checker check(options.root / ".github" / "workflows", io);

  if (auto pr = check.load("converge-pr.yml"); pr.IsDefined()) {
    check.same("converge-pr.yml", "on.pull_request.branches", words(at(pr, {"on", "pull_request", "branches"})),
               list_words(facts.pr_branches));
    check.same("converge-pr.yml", "the branch map", one_line(branch_map(at(pr, {"jobs", "plan"}))),
               one_line(facts.branch_map));
  }
  if (auto deploy = check.load("converge-deploy.yml"); deploy.IsDefined()) {
    check.same("converge-deploy.yml", "on.push.branches", words(at(deploy, {"on", "push", "branches"})),
               list_words(facts.push_branches));
    check.same("converge-deploy.yml", "the branch map", one_line(branch_map(at(deploy, {"jobs", "deploy"}))),
               one_line(facts.branch_map));
  }
  for (const char* name : {"converge-export.yml", "converge-rollback.yml"})
    if (auto file = check.load(name); file.IsDefined())
      check.same(name, "the environments offered",
                 words(at(file, {"on", "workflow_dispatch", "inputs", "environment", "options"})),
                 list_words(facts.environments));

  std::error_code ec;
  const bool drift_file = fs::exists(options.root / ".github" / "workflows" / "converge-drift.yml", ec);
  if (!facts.drift.empty() || drift_file) {
    auto drift = check.load("converge-drift.yml");
    if (drift.IsDefined()) {
      std::vector<std::string> crons, expected_crons;
      for (const auto& entry : at(drift, {"on", "schedule"}))
        if (entry.IsMap() && entry["cron"]) crons.push_back(entry["cron"].Scalar());
      for (const auto& job : facts.drift) expected_crons.push_back(job.schedule);
      std::sort(expected_crons.begin(), expected_crons.end());
      expected_crons.erase(std::unique(expected_crons.begin(), expected_crons.end()), expected_crons.end());
      check.same("converge-drift.yml", "on.schedule", list_words(crons), list_words(expected_crons));
      // Each job: the environment it checks and how.
      std::set<std::string> checked;
      for (const auto& job : at(drift, {"jobs"})) {
        const auto env = at(job.second, {"with", "environment"});
        if (!env.IsScalar()) continue;
        checked.insert(env.Scalar());
        auto it = std::find_if(facts.drift.begin(), facts.drift.end(),
                               [&](const auto& d) { return d.environment == env.Scalar(); });
        if (it == facts.drift.end()) {
          check.differ("converge-drift.yml", "checks " + env.Scalar() + ", which has no drift.schedule in converge.yaml");
          continue;
        }
        const auto mode = at(job.second, {"with", "mode"});
        check.same("converge-drift.yml", env.Scalar() + "'s mode", mode.IsScalar() ? mode.Scalar() : "detect", it->mode);
        const auto ref = at(job.second, {"with", "ref"});
        check.same("converge-drift.yml", env.Scalar() + "'s ref", ref.IsScalar() ? ref.Scalar() : "(default branch)",
                   it->ref.empty() ? "(default branch)" : it->ref);
      }
      for (const auto& job : facts.drift)
        if (!checked.contains(job.environment))
          check.differ("converge-drift.yml", "has no job for " + job.environment + " (drift.schedule \"" + job.schedule + "\")");
    }
  }
  if (check.differences() == 0) {
    io.console.info("the workflows agree with " + options.config);
    return 0;
  }
  io.console.info(std::to_string(check.differences()) + " difference(s); `converge init --force` rewrites the starters");
  return 1;
}

}  // namespace converge::steps
