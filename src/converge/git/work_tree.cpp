// The unclean files under a set of paths (work_tree.hpp), from libgit2's status list.
#include "converge/git/work_tree.hpp"

#include <algorithm>

#include "converge/git/handles.hpp"

namespace converge::git {
namespace {

using namespace detail;

std::string state_of(unsigned int flags) {
  if (flags & GIT_STATUS_IGNORED) return "ignored";
  if (flags & GIT_STATUS_WT_NEW) return "untracked";
  if (flags & (GIT_STATUS_WT_DELETED | GIT_STATUS_INDEX_DELETED)) return "deleted";
  if (flags & (GIT_STATUS_WT_RENAMED | GIT_STATUS_INDEX_RENAMED)) return "renamed";
  if (flags & (GIT_STATUS_WT_MODIFIED | GIT_STATUS_WT_TYPECHANGE)) return "modified";
  return "staged";
}

// `path` relative to the work tree `root` ('/'-separated), or "" when it lies outside.
std::string relative_to(const std::filesystem::path& root, const std::filesystem::path& path) {
  auto rel = std::filesystem::weakly_canonical(path).lexically_relative(root);
  if (rel.empty()) return {};
  auto text = rel.generic_string();
  if (text == ".") return ".";
  if (text.starts_with("..")) return {};
  return text;
}

}  // namespace

Expected<std::vector<UncleanFile>> unclean_files(const std::filesystem::path& dir,
                                                 const std::vector<std::filesystem::path>& paths) {
  auto opened = open_repository(dir);
  if (!opened) return fail(opened.error());
  Repository repo = std::move(*opened);
  const char* workdir = git_repository_workdir(repo.get());
  if (!workdir) return std::vector<UncleanFile>{};  // a bare repository has no work tree
  const auto root = std::filesystem::weakly_canonical(workdir);
  const auto base = std::filesystem::absolute(dir);

  // Which files lie under `paths` is decided here by '/'-separated prefixes, not with
  // libgit2's pathspecs (fnmatch patterns a hostile file name could take part in).
  std::vector<std::string> specs;
  for (const auto& p : paths) {
    auto rel = relative_to(root, p.is_absolute() ? p : base / p);
    if (!rel.empty()) specs.push_back(rel == "." ? std::string() : rel);
  }
  if (!paths.empty() && specs.empty()) return std::vector<UncleanFile>{};
  const bool everything = paths.empty() || std::ranges::find(specs, std::string()) != specs.end();

  git_status_options options{};
  git_status_options_init(&options, GIT_STATUS_OPTIONS_VERSION);
  options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
  // Under named paths a file .gitignore hides is still one compile reads; in the whole
  // tree ignored files (build output, dependencies) are not sources.
  if (!everything) options.flags |= GIT_STATUS_OPT_INCLUDE_IGNORED | GIT_STATUS_OPT_RECURSE_IGNORED_DIRS;
  git_status_list* status_raw = nullptr;
  if (git_status_list_new(&status_raw, repo.get(), &options) != 0) return git_failure("cannot read status");
  StatusList status(status_raw);

  auto under = [&](std::string_view file) {
    if (everything) return true;
    return std::ranges::any_of(specs, [&](const std::string& s) {
      return file == s || (file.size() > s.size() && file.starts_with(s) && file[s.size()] == '/');
    });
  };
  std::vector<UncleanFile> files;
  const size_t n = git_status_list_entrycount(status.get());
  for (size_t i = 0; i < n; ++i) {
    const git_status_entry* entry = git_status_byindex(status.get(), i);
    if (!entry || entry->status == GIT_STATUS_CURRENT) continue;
    const git_diff_delta* delta = entry->index_to_workdir ? entry->index_to_workdir : entry->head_to_index;
    if (!delta) continue;
    std::string file = delta->new_file.path ? delta->new_file.path : delta->old_file.path;
    if (!under(file)) continue;
    files.push_back({std::move(file), state_of(entry->status)});
  }
  std::ranges::sort(files, {}, &UncleanFile::path);
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

}  // namespace converge::git
