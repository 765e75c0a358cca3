// converge export-to-pr: edits made in a runtime's UI come back as a pull request.
// Read the runtime, normalise it into source files, commit them on converge's own
// branch, push, and keep ONE open pull request for the environment.
#include "converge/git/publish.hpp"
#include "converge/github/sticky.hpp"
#include "converge/plan/markdown.hpp"
#include "converge/steps/github_link.hpp"
#include "converge/steps/steps.hpp"

namespace converge::steps {
namespace {

std::string default_base(const StepIo& io) {
  return io.ctx.event.default_branch.empty() ? "main" : io.ctx.event.default_branch;
}

Expected<github::PullRequest> keep_one_pull(github::Api& api, const std::string& branch, const std::string& base,
                                            const std::string& title, const std::string& body) {
  github::StickyOps<github::PullRequest> ops{
      [&] { return api.open_pulls_from(branch); },
      [&](const github::PullRequest&) { return false; },  // always refresh title and body
      [&](const github::PullRequest& p) { return api.update_pull(p.number, {{"title", title}, {"body", body}}); },
      [&] { return api.create_pull(title, branch, base, body); },
      [&](const github::PullRequest& p) -> Expected<void> {
        auto closed = api.update_pull(p.number, {{"state", "closed"}});
        if (!closed) return fail(closed.error());
        return {};
      },
  };
  return github::keep_one(ops, "export pull request");
}

}  // namespace

int run_export_to_pr(const ExportOptions& options, StepIo io) {
  auto session = open_session(options.common, io);
  if (!session) return report_error(session.error(), io);
  auto target = std::find_if(session->targets.begin(), session->targets.end(),
                             [&](const TargetHandle& t) { return t.name == options.target; });
  if (target == session->targets.end())
    return report_error(Error::usage("no target '" + options.target + "' in environment " + options.common.environment),
                        io);
  auto exported = target->impl->export_sources();
  if (!exported) return report_error(exported.error().with_context("target " + target->name), io);

  const std::string env = session->environment().name;
  const std::string branch = options.branch.empty() ? "converge/export/" + env : options.branch;
  git::PublishRequest request;
  request.repo_dir = session->config.root;
  request.branch = branch;
  request.files = exported->files;
  request.removed = exported->removed;
  request.message = "Export " + target->name + " from " + env + "\n\nEdits made in the runtime of " + env +
                    ", brought back to Git by converge export-to-pr.";
  // The runtime's words (names, titles) stay on their line: a name holding a line break
  // must not add a trailer of its own.
  auto one_line = [](std::string text) {
    for (auto& c : text)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    return text;
  };
  if (!exported->credits.empty()) {
    request.message += "\n";
    for (const auto& line : exported->credits) request.message += "\n- " + one_line(line);
  }
  if (!exported->co_authors.empty()) {
    request.message += "\n";
    for (const auto& who : exported->co_authors) request.message += "\nCo-authored-by: " + one_line(who);
  }
  request.author_name = options.author_name;
  request.author_email = options.author_email;
  request.token = io.ctx.token;
  if (options.dry_run) request.push = false;

  auto published = git::publish(request);
  if (!published) return report_error(published.error(), io);
  io.console.set_output("branch", branch);
  io.console.set_output("changed", published->changed ? "true" : "false");
  if (!published->changed) {
    io.console.info("Nothing to export: the runtime of " + env + " equals the sources at " +
                    published->base_sha.substr(0, 12) + ".");
    return 0;
  }
  io.console.info("Committed the runtime's differences from " + published->base_sha.substr(0, 12) + " as " +
                  published->commit_sha.substr(0, 12) + " on " + branch +
                  (options.dry_run ? " (dry run: not pushed)" : ""));
  if (options.dry_run) return 0;

  auto link = connect_github(io.ctx);
  if (!link) return report_error(Error::usage("export-to-pr needs a GitHub token and repository to open the PR"), io);
  const std::string base = options.base.empty() ? default_base(io) : options.base;
  const std::string title = "converge: export " + target->name + " from " + env;
  const std::string body = "Edits made in the runtime of " + plan::md_code(env) + " (target " +
                           plan::md_code(target->name) + "), normalised and brought back to Git.\n\nReview them like any change: merging makes them "
                           "part of Git, so the next deploy keeps them.\n\nCommit `" + published->commit_sha +
                           "` on " + plan::md_code(branch) +
                           (io.ctx.run_url().empty() ? "" : ", from " + io.ctx.run_url()) + ".\n";
  auto pr = keep_one_pull(*link->api, branch, base, title, body);
  if (!pr) return report_error(pr.error(), io);
  io.console.info("Export pull request: " + pr->html_url);
  io.console.set_output("pr-url", pr->html_url);
  return 0;
}

}  // namespace converge::steps
