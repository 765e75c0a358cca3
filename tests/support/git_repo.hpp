// A real git repository for tests, built and driven through libgit2 (never the git
// command): init, commit everything in the work tree, tag.
#pragma once

#include <filesystem>
#include <string>

struct git_repository;

namespace converge::testing {

class GitRepo {
 public:
  // Initialises a repository at `path` whose HEAD is the unborn `branch`.
  GitRepo(const std::filesystem::path& path, const std::string& branch = "main");
  ~GitRepo();
  GitRepo(const GitRepo&) = delete;
  GitRepo& operator=(const GitRepo&) = delete;

  // Stages every file of the work tree (git add -A) and commits on HEAD; returns the
  // commit's 40-hex id.
  std::string commit_all(const std::string& message);
  void tag_lightweight(const std::string& name);            // at HEAD
  void tag_annotated(const std::string& name, const std::string& message);  // at HEAD
  void checkout_detached();                                 // detaches HEAD at its commit

  // Creates branch `name` at HEAD (or moves it there).
  void branch(const std::string& name);
  // Switches HEAD to an existing branch, tag or commit and forces the work tree to
  // it (files of the old tree that the new one lacks are removed; untracked and
  // ignored files stay) — as `git checkout -f`.
  void checkout(const std::string& ref);
  // On the current branch, a merge commit of HEAD and `other` (a branch) whose tree
  // is `other`'s tree (the branch carries everything, as in a clean GitFlow merge);
  // the work tree follows. Returns the merge commit's id.
  std::string merge(const std::string& other, const std::string& message);
  // Throws away changes to tracked files (as `git reset --hard`): what a fresh
  // checkout in the next CI job would see.
  void reset_hard();
  std::string head_sha() const;
  // Sets remote `name`'s URL (through the config, as `git remote add` would write it).
  void set_remote(const std::string& name, const std::string& url);

  git_repository* get() const { return repo_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  git_repository* repo_ = nullptr;
};

}  // namespace converge::testing
