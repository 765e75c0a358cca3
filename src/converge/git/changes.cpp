// The paths a pull request changes (changes.hpp).
#include "converge/git/changes.hpp"

#include <algorithm>
#include <set>

#include "converge/git/handles.hpp"

namespace converge::git {

using namespace detail;

namespace {

using Diff = std::unique_ptr<git_diff, Deleter<git_diff, git_diff_free>>;

Expected<git_oid> commit_id(git_repository* repo, std::string_view revision) {
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, repo, std::string(revision).c_str()) != 0)
    return git_failure("commit " + std::string(revision) + " is not in the clone (fetch the history: fetch-depth: 0)");
  Object object(raw);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, object.get(), GIT_OBJECT_COMMIT) != 0)
    return git_failure(std::string(revision) + " is not a commit");
  Object commit(peeled);
  return *git_object_id(commit.get());
}

Expected<Tree> tree_of(git_repository* repo, const git_oid& id) {
  git_commit* raw = nullptr;
  if (git_commit_lookup(&raw, repo, &id) != 0) return git_failure("cannot read a commit");
  Commit commit(raw);
  git_tree* tree = nullptr;
  if (git_commit_tree(&tree, commit.get()) != 0) return git_failure("cannot read a commit's tree");
  return Tree(tree);
}

}  // namespace

Expected<std::vector<std::string>> changed_paths(const std::filesystem::path& dir, std::string_view base,
                                                 std::string_view head) {
  auto repo = open_repository(dir);
  if (!repo) return fail(repo.error());
  auto base_id = commit_id(repo->get(), base);
  if (!base_id) return fail(base_id.error());
  auto head_id = commit_id(repo->get(), head);
  if (!head_id) return fail(head_id.error());
  git_oid merge_base;
  if (git_merge_base(&merge_base, repo->get(), &*base_id, &*head_id) != 0)
    return git_failure("no common history between " + std::string(base) + " and " + std::string(head));
  auto from = tree_of(repo->get(), merge_base);
  if (!from) return fail(from.error());
  auto to = tree_of(repo->get(), *head_id);
  if (!to) return fail(to.error());
  git_diff* raw = nullptr;
  if (git_diff_tree_to_tree(&raw, repo->get(), from->get(), to->get(), nullptr) != 0)
    return git_failure("cannot compare " + std::string(base) + " with " + std::string(head));
  Diff diff(raw);
  std::set<std::string> paths;
  for (size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    if (delta->old_file.path) paths.insert(delta->old_file.path);
    if (delta->new_file.path) paths.insert(delta->new_file.path);
  }
  return std::vector<std::string>(paths.begin(), paths.end());
}

}  // namespace converge::git
