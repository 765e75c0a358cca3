// plan-comment --from: per-target plan files read, checked and merged (plan_merge.hpp).
#include "converge/steps/plan_merge.hpp"

#include <glob.h>

#include <map>

#include "converge/util/fs.hpp"
#include "converge/util/short_sha.hpp"

namespace converge::steps {
namespace {

// The files `patterns` name, in the order given (a glob's matches sorted); a plain
// path is kept even when missing, so reading it names it.
std::vector<std::string> expand_patterns(const std::vector<std::string>& patterns) {
  std::vector<std::string> files;
  for (const auto& pattern : patterns) {
    if (pattern.find_first_of("*?[") == std::string::npos) {
      files.push_back(pattern);
      continue;
    }
    glob_t found{};
    if (::glob(pattern.c_str(), 0, nullptr, &found) == 0)
      for (size_t i = 0; i < found.gl_pathc; ++i) files.emplace_back(found.gl_pathv[i]);
    ::globfree(&found);
  }
  return files;
}

Expected<plan::Plan> read_target_plan(const std::string& file) {
  auto text = util::read_file(file);
  if (!text) return fail(Error::usage(text.error().message));
  return plan::parse_plan_json(*text, file);
}

}  // namespace

Expected<plan::Plan> merge_target_plans(Session& session, const std::vector<std::string>& patterns) {
  const std::string& environment = session.environment().name;
  const std::string& sha = session.git.sha;
  std::map<std::string, const TargetHandle*> targets;
  for (const auto& t : session.targets) targets[t.name] = &t;
  std::map<std::string, std::pair<plan::TargetPlan, std::string>> planned;  // target → its plan, its file
  for (const auto& file : expand_patterns(patterns)) {
    auto read = read_target_plan(file);
    if (!read) return fail(read.error());
    if (read->environment != environment)
      return fail(Error::usage(file + ": a plan of environment " + read->environment + ", not " + environment));
    if (read->git_sha != sha)
      return fail(Error::usage(file + ": planned at commit " + util::short_sha(read->git_sha) + ", not at " +
                               util::short_sha(sha) + " (this run's commit)"));
    for (auto& t : read->targets) {
      auto known = targets.find(t.target);
      if (known == targets.end())
        return fail(Error::usage(file + ": target " + t.target + " is not a target of environment " + environment));
      if (t.provider != known->second->provider)
        return fail(Error::usage(file + ": target " + t.target + " is planned by provider " + t.provider +
                                 ", but converge.yaml gives it " + known->second->provider));
      if (auto seen = planned.find(t.target); seen != planned.end())
        return fail(Error::usage(file + ": target " + t.target + " is planned again (also in " + seen->second.second +
                                 ")"));
      auto name = t.target;
      planned.emplace(std::move(name), std::pair{std::move(t), file});
    }
  }
  std::string given;
  for (const auto& p : patterns) given += (given.empty() ? "" : ", ") + p;
  plan::Plan merged;
  merged.environment = environment;
  merged.git_sha = sha;
  for (auto& target : session.targets) {
    if (auto it = planned.find(target.name); it != planned.end()) {
      merged.targets.push_back(std::move(it->second.first));
      continue;
    }
    if (!unchanged_in_pull_request(session, target))
      return fail(Error::usage("target " + target.name + " of environment " + environment + " has no plan in " + given +
                               " (plan it with converge plan --target " + target.name + ")"));
    auto bundle = target.impl->compile();
    if (!bundle) return fail(bundle.error().with_context("target " + target.name));
    target.bundle = std::move(*bundle);
    merged.targets.push_back(not_planned_target(session, target));
  }
  return merged;
}

}  // namespace converge::steps
