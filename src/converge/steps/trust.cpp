// The trusted converge.yaml of a run (see trust.hpp): where it starts, reading it
// from Git, and ruling the checked-out config by it.
#include "converge/steps/trust.hpp"

#include <fnmatch.h>

#include <algorithm>

#include "converge/git/history.hpp"
#include "converge/steps/steps.hpp"

namespace converge::steps {
namespace {

constexpr size_t kGateChangeLimit = 8000;  // characters of the comment the section may take

bool is_sha(const std::string& s) {
  return s.size() == 40 && s.find_first_not_of("0123456789abcdef") == std::string::npos &&
         s != std::string(40, '0');
}

// Where the walk starts: the flag, else a push's previous tip when the clone has
// it, else "" (HEAD's first parent).
std::string start_of(const std::filesystem::path& dir, const std::string& trusted_ref, StepIo io) {
  if (!trusted_ref.empty()) return trusted_ref;
  if (io.ctx.event_name == "push") {
    const auto& before = io.ctx.event.before;
    if (is_sha(before) && git::has_commit(dir, before)) return before;
  }
  return "";
}

// The pushed branch of a `push` event ("" for a tag or another event).
std::string pushed_branch(StepIo io) {
  std::string ref = io.ctx.ref;
  if (ref.empty()) ref = io.ctx.event.ref;
  constexpr std::string_view heads = "refs/heads/";
  return ref.starts_with(heads) ? ref.substr(heads.size()) : "";
}

// A code span that holds `text` whatever it contains (a fence longer than any run
// of backticks in it; newlines become spaces).
std::string code_span(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  size_t longest = 0, run = 0;
  for (char c : text) longest = std::max(longest, run = (c == '`' ? run + 1 : 0));
  const std::string fence(longest + 1, '`');
  return fence + " " + text + " " + fence;
}

Trust first_adoption(const config::Config& proposed, const std::string& why, StepIo io) {
  io.console.warning("first adoption: " + why + ", so the checked-out " + proposed.file.string() +
                     " sets the gates; from the next change on, the copy on the environment branch does");
  return Trust{proposed, "", true};
}

}  // namespace

Expected<Trust> load_trust(const config::Config& proposed, const std::string& trusted_ref, StepIo io) {
  const auto dir = std::filesystem::absolute(proposed.root);
  auto work_tree = git::work_tree_of(dir);
  if (!work_tree) {
    // Outside a runner a converge.yaml in a plain directory is a local experiment;
    // in a runner the checkout is a repository, and not finding it must not relax
    // anything.
    if (!io.ctx.in_actions && trusted_ref.empty()) return first_adoption(proposed, "not in a git repository", io);
    return fail(work_tree.error().with_context("the trusted converge.yaml"));
  }
  std::error_code ec;
  auto file = std::filesystem::weakly_canonical(std::filesystem::absolute(proposed.file), ec);
  auto root = std::filesystem::weakly_canonical(*work_tree, ec);
  auto relative = file.lexically_relative(root);
  if (relative.empty() || relative.begin()->string() == "..")
    return fail(Error::usage(proposed.file.string() + " is outside the repository at " + root.string()));

  auto found = git::nearest_first_parent_with_file(dir, start_of(dir, trusted_ref, io), relative);
  if (!found) return fail(found.error().with_context("the trusted converge.yaml"));
  if (!*found)
    return first_adoption(proposed, "no earlier commit on this branch has " + relative.generic_string(), io);
  const auto label = relative.generic_string() + "@" + (*found)->commit.substr(0, 12);
  auto trusted = config::parse((*found)->text, label);
  if (!trusted) return fail(trusted.error().with_context("the trusted converge.yaml (" + label + ")"));
  trusted->file = proposed.file;
  trusted->root = proposed.root;
  io.console.info("Gates, environments, branches and secrets from " + label + ".");
  return Trust{std::move(*trusted), (*found)->commit, false};
}

Expected<void> apply_trust(config::Config& config, const Trust& trust, const std::string& environment, bool deploys,
                           StepIo io) {
  for (auto& env : config.environments)
    if (const auto* t = trust.trusted.find_environment(env.name)) env = config::effective_environment(*t, env);

  const auto* trusted_env = trust.trusted.find_environment(environment);
  if (deploys && config.find_environment(environment)) {
    if (!trusted_env)
      return fail(Error::refused("environment " + environment +
                                 " is not in the trusted converge.yaml (it is new in this change): nothing was "
                                 "applied; it can be applied once the change is on the environment branch"));
    const auto branch = pushed_branch(io);
    if (io.ctx.event_name == "push" && fnmatch(trusted_env->branch.c_str(), branch.c_str(), 0) != 0)
      return fail(Error::refused("the pushed branch '" + branch + "' does not deploy " + environment +
                                 " (the trusted converge.yaml says branch '" + trusted_env->branch +
                                 "'): nothing was applied"));
  }
  if (!config.find_environment(environment)) return {};  // resolve() reports the unknown environment
  return config::check_variables(config, environment, config::allowed_variables(trust.trusted, environment));
}

std::vector<std::string> secret_names(const Trust& trust, const std::string& environment) {
  auto names = config::allowed_variables(trust.trusted, environment);
  return {names.begin(), names.end()};
}

std::string environment_for_base(const config::Config& proposed, const Trust& trust, const std::string& base) {
  if (const auto* env = trust.trusted.environment_for_branch(base)) return env->name;
  if (const auto* env = proposed.environment_for_branch(base)) return env->name;
  return "";
}

std::string gate_change_section(const config::Config& proposed, const Trust& trust) {
  if (trust.first_adoption) return "";
  auto lines = config::describe_gate_changes(trust.trusted, proposed);
  if (lines.empty()) return "";
  std::string out = "\n" + std::string(kGateChangeMarker) + "\n### Gate change\n\nThis pull request changes the rules that gate deployments. It is judged "
                    "by the old rules (the converge.yaml of `" +
                    trust.commit.substr(0, 12) +
                    "`): it needs the old rules to pass, and the new ones apply from the next change on.\n\n";
  for (const auto& line : lines) {
    if (out.size() > kGateChangeLimit) {
      out += "- … and more: compare converge.yaml with the environment branch\n";
      break;
    }
    out += "- " + code_span(line.size() > 500 ? line.substr(0, 500) + "…" : line) + "\n";
  }
  return out;
}

void add_trusted_ref_flag(cxxopts::Options& cli) {
  cli.add_options()("trusted-ref",
                    "where to look for the trusted converge.yaml that sets gates, environments, branches and "
                    "secrets (default: the branch before this change)",
                    cxxopts::value<std::string>());
}

std::string trusted_ref(const cxxopts::ParseResult& flags) {
  return flags.count("trusted-ref") ? flags["trusted-ref"].as<std::string>() : "";
}

}  // namespace converge::steps
