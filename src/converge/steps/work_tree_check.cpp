// The deploy's check that the work tree holds what its commit holds (work_tree_check.hpp).
#include "converge/steps/work_tree_check.hpp"

#include "converge/git/work_tree.hpp"

namespace converge::steps {
namespace {

// "db/migrations/002_b.sql (untracked), … and 3 more": at most five named.
std::string listing(const std::vector<git::UncleanFile>& files) {
  constexpr size_t kNamed = 5;
  std::string text;
  for (size_t i = 0; i < files.size() && i < kNamed; ++i)
    text += (i ? ", " : "") + files[i].path + " (" + files[i].state + ")";
  if (files.size() > kNamed) text += " and " + std::to_string(files.size() - kNamed) + " more";
  return text;
}

}  // namespace

Expected<void> check_work_tree(Session& session, const std::filesystem::path& config_file, StepIo io) {
  std::vector<std::filesystem::path> paths{std::filesystem::absolute(config_file)};
  for (const auto& target : session.targets) {
    auto more = target.impl->source_paths();
    if (more.empty()) {  // a provider that reads anywhere: the whole repository counts
      paths.clear();
      break;
    }
    paths.insert(paths.end(), more.begin(), more.end());
  }
  auto files = git::unclean_files(session.config.root, paths);
  if (!files || files->empty()) return {};
  const std::string count = std::to_string(files->size()) + (files->size() == 1 ? " file" : " files");
  const std::string sha = session.git.sha.substr(0, 12);
  if (io.ctx.in_actions)
    return fail(Error::refused("the work tree has " + count + " under the targets' sources that commit " + sha +
                               " does not hold: " + listing(*files) +
                               "; a runner deploys only committed files, so nothing was applied (commit them, or "
                               "keep steps before converge from writing there)"));
  session.git.dirty = true;
  io.console.warning("UNCOMMITTED SOURCES: " + count + " under the targets' sources differ from commit " + sha + ": " +
                     listing(*files) + ". They are deployed as they are in the work tree, and the manifest records "
                     "this deployment as made from a dirty tree at " + sha + ".");
  return {};
}

}  // namespace converge::steps
