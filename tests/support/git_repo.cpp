// GitRepo: libgit2 init/add/commit/tag for tests.
#include "support/git_repo.hpp"

#include <git2.h>

#include <stdexcept>

namespace converge::testing {
namespace {

void check(int rc, const char* what) {
  if (rc < 0) {
    const git_error* e = git_error_last();
    throw std::runtime_error(std::string(what) + ": " + (e ? e->message : "libgit2 error"));
  }
}

git_signature* signature() {
  git_signature* sig = nullptr;
  check(git_signature_new(&sig, "Test", "test@example.com", 1764058363, 0), "signature");
  return sig;
}

}  // namespace

GitRepo::GitRepo(const std::filesystem::path& path, const std::string& branch) : path_(path) {
  git_libgit2_init();
  git_repository_init_options options{};
  git_repository_init_options_init(&options, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
  options.flags = GIT_REPOSITORY_INIT_MKPATH;
  options.initial_head = branch.c_str();
  check(git_repository_init_ext(&repo_, path.c_str(), &options), "init");
}

GitRepo::~GitRepo() {
  git_repository_free(repo_);
  git_libgit2_shutdown();
}

std::string GitRepo::commit_all(const std::string& message) {
  git_index* index = nullptr;
  check(git_repository_index(&index, repo_), "index");
  check(git_index_add_all(index, nullptr, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr), "add all");
  check(git_index_update_all(index, nullptr, nullptr, nullptr), "update all");
  check(git_index_write(index), "index write");
  git_oid tree_id;
  check(git_index_write_tree(&tree_id, index), "write tree");
  git_index_free(index);
  git_tree* tree = nullptr;
  check(git_tree_lookup(&tree, repo_, &tree_id), "tree");
  git_commit* parent = nullptr;
  git_oid parent_id;
  int parents = git_reference_name_to_id(&parent_id, repo_, "HEAD") == 0 ? 1 : 0;
  if (parents) check(git_commit_lookup(&parent, repo_, &parent_id), "parent");
  const git_commit* parent_list[] = {parent};
  git_signature* sig = signature();
  git_oid id;
  int rc = git_commit_create(&id, repo_, "HEAD", sig, sig, nullptr, message.c_str(), tree, parents, parent_list);
  git_signature_free(sig);
  git_commit_free(parent);
  git_tree_free(tree);
  check(rc, "commit");
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &id);
  return hex;
}

void GitRepo::tag_lightweight(const std::string& name) {
  git_object* head = nullptr;
  check(git_revparse_single(&head, repo_, "HEAD"), "HEAD");
  git_oid out;
  int rc = git_tag_create_lightweight(&out, repo_, name.c_str(), head, 0);
  git_object_free(head);
  check(rc, "tag");
}

void GitRepo::tag_annotated(const std::string& name, const std::string& message) {
  git_object* head = nullptr;
  check(git_revparse_single(&head, repo_, "HEAD"), "HEAD");
  git_signature* sig = signature();
  git_oid out;
  int rc = git_tag_create(&out, repo_, name.c_str(), head, sig, message.c_str(), 0);
  git_signature_free(sig);
  git_object_free(head);
  check(rc, "annotated tag");
}

void GitRepo::checkout_detached() {
  git_oid head;
  check(git_reference_name_to_id(&head, repo_, "HEAD"), "HEAD");
  check(git_repository_set_head_detached(repo_, &head), "detach");
}

void GitRepo::branch(const std::string& name) {
  git_object* head = nullptr;
  check(git_revparse_single(&head, repo_, "HEAD^{commit}"), "HEAD");
  git_reference* ref = nullptr;
  int rc = git_branch_create(&ref, repo_, name.c_str(), reinterpret_cast<git_commit*>(head), 1);
  git_reference_free(ref);
  git_object_free(head);
  check(rc, "branch");
}

void GitRepo::checkout(const std::string& ref) {
  git_object* target = nullptr;
  check(git_revparse_single(&target, repo_, (ref + "^{commit}").c_str()), "revparse");
  git_checkout_options options{};
  git_checkout_options_init(&options, GIT_CHECKOUT_OPTIONS_VERSION);
  options.checkout_strategy = GIT_CHECKOUT_FORCE;
  int rc = git_checkout_tree(repo_, target, &options);
  if (rc == 0) {
    git_reference* branch_ref = nullptr;
    if (git_branch_lookup(&branch_ref, repo_, ref.c_str(), GIT_BRANCH_LOCAL) == 0) {
      rc = git_repository_set_head(repo_, git_reference_name(branch_ref));
      git_reference_free(branch_ref);
    } else {
      rc = git_repository_set_head_detached(repo_, git_object_id(target));
    }
  }
  git_object_free(target);
  check(rc, "checkout");
}

std::string GitRepo::merge(const std::string& other, const std::string& message) {
  git_object* ours = nullptr;
  git_object* theirs = nullptr;
  check(git_revparse_single(&ours, repo_, "HEAD^{commit}"), "HEAD");
  check(git_revparse_single(&theirs, repo_, (other + "^{commit}").c_str()), "merge source");
  git_tree* tree = nullptr;
  check(git_commit_tree(&tree, reinterpret_cast<git_commit*>(theirs)), "tree");
  const git_commit* parents[] = {reinterpret_cast<git_commit*>(ours), reinterpret_cast<git_commit*>(theirs)};
  git_signature* sig = signature();
  git_oid id;
  int rc = git_commit_create(&id, repo_, "HEAD", sig, sig, nullptr, message.c_str(), tree, 2, parents);
  git_signature_free(sig);
  git_tree_free(tree);
  git_object_free(ours);
  git_object_free(theirs);
  check(rc, "merge commit");
  reset_hard();
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &id);
  return hex;
}

void GitRepo::reset_hard() {
  git_object* head = nullptr;
  check(git_revparse_single(&head, repo_, "HEAD^{commit}"), "HEAD");
  int rc = git_reset(repo_, head, GIT_RESET_HARD, nullptr);
  git_object_free(head);
  check(rc, "reset");
}

std::string GitRepo::head_sha() const {
  git_oid id;
  check(git_reference_name_to_id(&id, repo_, "HEAD"), "HEAD");
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &id);
  return hex;
}

void GitRepo::set_remote(const std::string& name, const std::string& url) {
  git_config* config = nullptr;
  check(git_repository_config(&config, repo_), "config");
  int rc = git_config_set_string(config, ("remote." + name + ".url").c_str(), url.c_str());
  git_config_free(config);
  check(rc, "remote url");
}

}  // namespace converge::testing
