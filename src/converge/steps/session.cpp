// Shared step verbs: open a session, plan an environment, apply a plan (the apply
// result file is in apply_result.cpp, the target locks in target_locks.cpp).
#include "converge/steps/session.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <utility>

#include "converge/git/history.hpp"
#include "converge/manifest/store.hpp"
#include "converge/steps/apply_journal.hpp"
#include "converge/steps/plan_log.hpp"
#include "converge/steps/manifest_store.hpp"
#include "converge/steps/trust.hpp"
#include "converge/steps/work_tree_check.hpp"

#include "converge/plan/render.hpp"
#include "converge/util/branch_slug.hpp"
#include "converge/util/fs.hpp"
#include "converge/util/hex.hpp"
#include "converge/util/short_sha.hpp"

namespace converge::steps {
namespace {

std::string random_id() { return "local-" + util::random_hex(16); }

}  // namespace

std::string deployed_branch(StepIo io, const git::Facts& facts) {
  if (auto head = io.ctx.variable("GITHUB_HEAD_REF"); head && !head->empty()) return *head;
  std::string ref = io.ctx.ref.empty() ? io.ctx.event.ref : io.ctx.ref;
  constexpr std::string_view heads = "refs/heads/";
  if (ref.starts_with(heads)) return ref.substr(heads.size());
  if (!ref.empty()) return "";  // a tag or a pull request's merge ref: no branch
  return facts.branch;
}

Expected<std::string> runtime_name(const config::Environment& environment, const std::string& branch) {
  if (!environment.feature) return environment.name;
  if (branch.empty())
    return fail(Error::usage("environment " + environment.name + " is a feature environment (one runtime per "
                             "branch), and this run's branch is unknown: check out a branch, or run in a workflow "
                             "of a push or a pull request"));
  return environment.name + "/" + util::branch_slug(branch);
}

Expected<Session> open_session(const CommonOptions& options, StepIo io) {
  auto config = config::load(options.config);
  if (!config) return fail(config.error());
  auto trust = load_trust(*config, options.trusted_ref, io);
  if (!trust) return fail(trust.error());
  return open_session(std::move(*config), *trust, options, io);
}

Expected<Session> open_session(config::Config config, const Trust& trust, const CommonOptions& options, StepIo io) {
  const std::string& environment = options.environment;
  if (auto ok = apply_trust(config, trust, environment, options.deploys, io); !ok) return fail(ok.error());
  // Only what the trusted copy allows is ever looked up (apply_trust refused the rest).
  const auto allowed = config::allowed_variables(trust.trusted, environment);
  auto lookup = [&](std::string_view name) -> std::optional<std::string> {
    if (!allowed.contains(name)) return std::nullopt;
    return io.ctx.variable(name);
  };
  auto resolved = config::resolve(config, environment, lookup, options.offline);
  if (!resolved) return fail(resolved.error());
  for (const auto& secret : resolved->secrets) io.console.mask(secret);
  // Every variable the environment may read is a secret, also those no ${NAME} names
  // (a provider's `secrets: [NAME]`, which it reads itself at apply time).
  for (const auto& name : allowed)
    if (auto value = io.ctx.variable(name)) io.console.mask(*value);

  Session session{std::move(config), std::move(*resolved), {}, {}, {}, {}, allowed, io, {}, {}};
  session.resolved.environment = session.config.find_environment(environment);

  auto facts = git::read_facts(session.config.root);
  if (facts) {
    session.git = std::move(*facts);
    if (session.git.dirty)
      io.console.warning("the working tree has uncommitted changes: the plan reflects the files, not commit " +
                         util::short_sha(session.git.sha));
  } else {
    io.console.warning("git facts unavailable (" + facts.error().message + "); the plan records no commit");
    session.git.sha = io.ctx.sha;
  }

  session.branch = options.branch.empty() ? deployed_branch(io, session.git) : options.branch;
  auto runtime = runtime_name(session.environment(), session.branch);
  if (!runtime) return fail(runtime.error());
  session.runtime = std::move(*runtime);
  const std::string feature_branch = session.environment().feature ? session.branch : "";

  const auto root = std::filesystem::absolute(session.config.root).lexically_normal();
  for (auto& target : session.resolved.targets) {
    const auto* factory = providers::find(target.provider);
    if (!factory) {
      std::string known;
      for (const auto& n : providers::names()) known += (known.empty() ? "" : ", ") + n;
      return fail(Error::config("unknown provider '" + target.provider + "' (known: " + known + ")",
                                target.provider_where));
    }
    auto impl = (*factory)({target.name, environment, root, target.settings, feature_branch});
    if (!impl) return fail(impl.error().with_context("target " + target.name));
    session.targets.push_back({target.name, target.provider, std::move(*impl), {}});
  }
  if (options.deploys)
    if (auto clean = check_work_tree(session, options.config, io); !clean) return fail(clean.error());
  return session;
}

namespace {

// What the manifest says converge manages in each target, for the providers that
// ask (so a plain `plan` of a SQL target never opens or creates the manifest): the
// union over the rows since the target's last success, so what a failed or killed
// apply created is still converge's. `tolerant` (a plan job): a manifest that cannot
// be read is a warning, and nothing counts as converge's.
Expected<std::map<std::string, providers::PlanContext>> plan_contexts(Session& session, bool tolerant) {
  std::map<std::string, providers::PlanContext> contexts;
  bool needed = std::any_of(session.targets.begin(), session.targets.end(),
                            [](const TargetHandle& t) { return t.impl->uses_managed_keys(); });
  if (!needed) return contexts;
  const StepIo io = *session.io;
  auto rows = [&]() -> Expected<std::vector<manifest::Deployment>> {
    auto store = open_manifest(session, io);
    if (!store) return fail(store.error());
    return (*store)->since_success(session.runtime);
  }();
  if (!rows && tolerant) {
    io.console.warning("the manifest of " + session.runtime + " cannot be read, so this plan counts no " +
                       "item as converge's and shows no deletion (" + rows.error().to_string() + ")");
    return contexts;
  }
  if (!rows) return fail(rows.error());
  for (const auto& row : *rows) {
    if (row.managed.empty()) continue;
    auto keys = nlohmann::json::parse(row.managed, nullptr, false);
    if (!keys.is_array()) return fail(Error::runtime("the manifest's managed keys of " + row.target + " are damaged"));
    auto& ctx = contexts[row.target];
    ctx.managed_known = true;
    for (const auto& k : keys)
      if (k.is_string()) ctx.managed_keys.insert(k.get<std::string>());
  }
  return contexts;
}

}  // namespace

bool unchanged_in_pull_request(const Session& session, const TargetHandle& target) {
  if (!session.changed_paths || !target.impl->planned_only_when_changed()) return false;
  auto top = git::work_tree_of(session.config.root);
  if (!top) return false;
  auto normal = [](const std::filesystem::path& p) { return std::filesystem::absolute(p).lexically_normal(); };
  std::vector<std::filesystem::path> sources;
  for (const auto& source : target.impl->source_paths()) sources.push_back(normal(source));
  if (sources.empty()) return false;  // the whole repository
  sources.push_back(normal(session.config.file));
  for (const auto& changed : *session.changed_paths) {
    const auto path = normal(*top / changed);
    for (const auto& source : sources) {
      auto [s, p] = std::mismatch(source.begin(), source.end(), path.begin(), path.end());
      if (s == source.end()) return false;  // the source itself, or a file inside it
    }
  }
  return true;
}

plan::TargetPlan not_planned_target(Session& session, const TargetHandle& target) {
  plan::TargetPlan same;
  same.target = target.name;
  same.provider = target.provider;
  same.bundle_hash = target.bundle.hash;
  session.not_planned.emplace_back(target.name, "none of its files changed in this pull request");
  return same;
}

Expected<void> select_targets(Session& session, const std::vector<std::string>& names) {
  std::set<std::string> wanted;
  for (const auto& name : names) {
    const bool known = std::any_of(session.targets.begin(), session.targets.end(),
                                   [&](const TargetHandle& t) { return t.name == name; });
    if (!known) {
      std::string all;
      for (const auto& t : session.targets) all += (all.empty() ? "" : ", ") + t.name;
      return fail(Error::usage("--target " + name + ": environment " + session.environment().name +
                               " has no such target (its targets: " + all + ")"));
    }
    wanted.insert(name);
  }
  std::erase_if(session.targets, [&](const TargetHandle& t) { return !wanted.contains(t.name); });
  return {};
}

Expected<plan::Plan> plan_environment(Session& session, PlanFor purpose) {
  const bool preview = purpose == PlanFor::preview;
  plan::Plan plan;
  plan.environment = session.runtime;
  plan.git_sha = session.git.sha;
  auto contexts = plan_contexts(session, /*tolerant=*/preview);
  if (!contexts) return fail(contexts.error());
  session.contexts = std::move(*contexts);
  for (auto& target : session.targets) {
    session.contexts[target.name].preview = preview;
    session.contexts[target.name].apply = purpose == PlanFor::apply;
    session.contexts[target.name].drift = purpose == PlanFor::drift;
    session.contexts[target.name].git_sha = session.git.sha;
    session.contexts[target.name].git_tag = session.git.tags.empty() ? "" : session.git.tags.front();
    auto bundle = target.impl->compile();
    if (!bundle) return fail(bundle.error().with_context("target " + target.name));
    target.bundle = std::move(*bundle);
    if (purpose == PlanFor::preview && unchanged_in_pull_request(session, target)) {
      // Planned as having no changes: the deploy plans it, and with plan pinning applies
      // only when it has none (anything else changes the plan hash).
      plan.targets.push_back(not_planned_target(session, target));
      continue;
    }
    auto planned = target.impl->plan(target.bundle, session.contexts[target.name]);
    if (!planned) return fail(planned.error().with_context("target " + target.name));
    planned->target = target.name;
    planned->provider = target.provider;
    planned->bundle_hash = target.bundle.hash;
    plan.targets.push_back(std::move(*planned));
  }
  return plan;
}

Expected<std::vector<std::string>> write_snapshots(Session& session) {
  std::vector<std::string> written;
  for (auto& target : session.targets) {
    auto bundle = target.impl->compile();
    if (!bundle) return fail(bundle.error().with_context("target " + target.name));
    auto files = target.impl->write_snapshot(*bundle);
    if (!files) return fail(files.error().with_context("target " + target.name));
    written.insert(written.end(), files->begin(), files->end());
  }
  if (written.empty())
    return fail(Error::usage("--write-snapshot: no target of environment " + session.environment().name +
                             " keeps a snapshot (only sql targets do)"));
  return written;
}

bool ApplyResult::ok() const {
  for (const auto& t : targets)
    if (t.status != "success") return false;
  return true;
}

Expected<ApplyResult> apply_plan(Session& session, const plan::Plan& plan, StepIo io) {
  // Every apply holds its targets' locks; a caller that did not take them before
  // planning gets them here (a provider then refuses a change already applied).
  if (auto locked = lock_targets(session, io); !locked) return fail(locked.error());
  ApplyResult result;
  result.apply_id = io.ctx.run_id.empty() ? random_id() : io.ctx.run_id + "-" + (io.ctx.run_attempt.empty() ? "1" : io.ctx.run_attempt);
  if (io.ctx.in_actions) {
    result.run_id = io.ctx.run_id;
    result.run_attempt = io.ctx.run_attempt.empty() ? "1" : io.ctx.run_attempt;
    result.job = io.ctx.variable("GITHUB_JOB").value_or("");
  }
  result.environment = plan.environment;
  result.git_sha = session.git.sha;
  result.git_ref = !io.ctx.ref.empty() ? io.ctx.ref : (session.git.branch.empty() ? "" : "refs/heads/" + session.git.branch);
  result.git_tags = session.git.tags;
  result.plan_hash = plan::hash(plan);
  result.dirty = session.git.dirty;
  // Journaled in the manifest as it goes (apply_journal.hpp); without it nothing is applied.
  auto journal = ApplyJournal::open(session, io);
  if (!journal) return fail(journal.error());

  bool stopped = false;
  for (size_t i = 0; i < session.targets.size(); ++i) {
    auto& target = session.targets[i];
    const auto& planned = plan.targets.at(i);
    TargetOutcome outcome{target.name, "success", target.bundle.hash, "", {}, "", std::nullopt};
    // What converge manages is what it managed before until the provider says more:
    // a row without it (no change, an apply that could not start) would forget it.
    const auto& known = session.contexts[target.name];
    if (target.impl->uses_managed_keys() && known.managed_known)
      outcome.managed = std::vector<std::string>(known.managed_keys.begin(), known.managed_keys.end());
    if (stopped) {
      outcome.status = "skipped";
      outcome.error = "not applied: an earlier target failed";
    } else if (planned.changes.empty()) {
      auto version = target.impl->runtime_version();
      if (!version) return fail(version.error().with_context("target " + target.name));
      outcome.version = *version;
    } else {
      io.console.group_begin("Applying " + target.name + " (" + plan::summary_line(plan::count(planned)) + ")");
      ApplyProgress progress(planned, io.console);
      auto report = [&]() -> Expected<providers::ApplyReport> {
        // The journal's first row names the version the target runs before any change.
        if (auto before = target.impl->runtime_version()) outcome.version = *before;
        if (auto began = journal->write(result, outcome); !began) return fail(began.error());
        bool warned = false;
        target.impl->on_progress([&](const providers::ApplyReport& so_far) {
          outcome.applied = so_far.applied;
          outcome.version = so_far.version;
          if (so_far.managed_keys) outcome.managed = so_far.managed_keys;
          if (auto ok = journal->write(result, outcome); !ok && !std::exchange(warned, true))
            io.console.warning("the manifest journal of " + target.name + " is behind (" + ok.error().message +
                               "); the apply result records what was applied");
        });
        // Each change as it starts and ends, inside the target's group (plan_log.hpp).
        target.impl->on_change([&](const providers::Provider::ChangeEvent& change) { progress.on_change(change); });
        return target.impl->apply(target.bundle, planned);
      }();
      target.impl->on_progress(nullptr);
      target.impl->on_change(nullptr);
      if (!report) {
        outcome.status = "failure";
        outcome.error = io.console.redact(report.error().to_string());
      } else {
        outcome.applied = report->applied;
        outcome.version = report->version;
        if (report->managed_keys) outcome.managed = report->managed_keys;
        progress.after(*report);
        for (const auto& n : report->notes) io.console.info(target.name + ": " + n);
        for (const auto& w : report->warnings) io.console.warning(target.name + ": " + w);
        if (!report->ok()) {
          outcome.status = "failure";
          // The result file and the manifest row keep this text: no secret in it.
          outcome.error = io.console.redact((report->failed_key.empty() ? "" : report->failed_key + ": ") + report->error);
        }
      }
      io.console.group_end();
      if (outcome.status == "failure") {
        io.console.error(Error::runtime("target " + target.name + " failed: " + outcome.error));
        stopped = true;
      }
    }
    result.targets.push_back(std::move(outcome));
  }
  return result;
}

Expected<void> report_plan(const plan::Plan& plan, const std::filesystem::path& plan_file, StepIo io) {
  print_plan(plan, io.console);
  summarize_plan(plan, io.console);
  io.console.set_output("has-changes", plan.has_changes() ? "true" : "false");
  io.console.set_output("plan-hash", plan::hash(plan));
  // Redacted like every other output (a plan that changed under redaction no longer
  // matches its hash, so apply --plan refuses it rather than a secret being kept).
  if (!plan_file.empty()) return util::write_output(plan_file, io.console.redact(plan::to_json(plan).dump(2) + "\n"));
  return {};
}

}  // namespace converge::steps
