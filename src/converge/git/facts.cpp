// Repository facts (HEAD's commit, branch, tags at HEAD, dirtiness) read with libgit2.
#include "converge/git/facts.hpp"

#include "converge/git/handles.hpp"

#include <algorithm>
#include <memory>

namespace converge::git {
namespace {

using namespace detail;

struct TagSearch {
  git_repository* repo;
  git_oid head;
  std::vector<std::string> names;
};

// git_tag_foreach callback: keeps the tags (lightweight or annotated) whose target,
// peeled to a commit, is HEAD. Tags of trees or blobs are skipped.
int collect_tag(const char* name, git_oid* oid, void* payload) {
  auto* search = static_cast<TagSearch*>(payload);
  git_object* raw = nullptr;
  if (git_object_lookup(&raw, search->repo, oid, GIT_OBJECT_ANY) != 0) return 0;
  Object object(raw);
  git_object* peeled_raw = nullptr;
  if (git_object_peel(&peeled_raw, object.get(), GIT_OBJECT_COMMIT) != 0) return 0;
  Object peeled(peeled_raw);
  if (git_oid_equal(git_object_id(peeled.get()), &search->head)) {
    std::string_view full = name;
    constexpr std::string_view prefix = "refs/tags/";
    if (full.starts_with(prefix)) full.remove_prefix(prefix.size());
    search->names.emplace_back(full);
  }
  return 0;
}

}  // namespace

Expected<Facts> read_facts(const std::filesystem::path& dir) {
  auto opened = open_repository(dir);
  if (!opened) return fail(opened.error());
  Repository repo = std::move(*opened);

  git_reference* head_raw = nullptr;
  if (git_repository_head(&head_raw, repo.get()) != 0) return git_failure("cannot read HEAD in " + dir.string());
  Reference head(head_raw);
  git_object* commit_raw = nullptr;
  if (git_reference_peel(&commit_raw, head.get(), GIT_OBJECT_COMMIT) != 0)
    return git_failure("HEAD is not a commit in " + dir.string());
  Object commit(commit_raw);

  Facts facts;
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, git_object_id(commit.get()));
  facts.sha = hex;
  if (git_repository_head_detached(repo.get()) != 1) facts.branch = git_reference_shorthand(head.get());

  TagSearch search{repo.get(), *git_object_id(commit.get()), {}};
  if (git_tag_foreach(repo.get(), collect_tag, &search) != 0) return git_failure("cannot list tags");
  std::sort(search.names.begin(), search.names.end());
  facts.tags = std::move(search.names);

  if (!git_repository_is_bare(repo.get())) {
    git_status_options options{};
    git_status_options_init(&options, GIT_STATUS_OPTIONS_VERSION);
    options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    options.flags = 0;  // untracked and ignored files are not "dirty"
    git_status_list* status_raw = nullptr;
    if (git_status_list_new(&status_raw, repo.get(), &options) != 0) return git_failure("cannot read status");
    StatusList status(status_raw);
    facts.dirty = git_status_list_entrycount(status.get()) > 0;
  }
  return facts;
}

}  // namespace converge::git
