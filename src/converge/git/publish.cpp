// publish(): HEAD's tree + exported files → one commit on converge's branch → force
// push. Everything is written into the object database with libgit2 (blobs from
// buffers, the tree with git_tree_create_updated), so the work tree, the index and
// the checked-out branch never change. The push retries network failures with
// exponential backoff; authentication failures and rejected refs are final.
#include "converge/git/publish.hpp"

#include "converge/git/handles.hpp"

#include <memory>
#include <thread>

namespace converge::git {
namespace {

using namespace detail;

std::string hex(const git_oid& id) {
  char text[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(text, sizeof text, &id);
  return text;
}

// Removes "user:password@" from every "scheme://user:password@host/…" in `text`.
std::string scrub_userinfo(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    auto scheme_end = text.find("://", pos);
    if (scheme_end == std::string_view::npos) break;
    auto authority = scheme_end + 3;
    auto authority_end = text.find_first_of("/?# \t\r\n'\"", authority);
    if (authority_end == std::string_view::npos) authority_end = text.size();
    auto at = text.rfind('@', authority_end);
    out.append(text.substr(pos, authority - pos));
    if (at != std::string_view::npos && at >= authority && at < authority_end) authority = at + 1;
    pos = authority;
  }
  out.append(text.substr(pos));
  return out;
}

// A message safe to show: no URL userinfo, no occurrence of the token.
std::string scrub(std::string_view text, const std::string& token) {
  std::string out = scrub_userinfo(text);
  if (token.empty()) return out;
  for (auto at = out.find(token); at != std::string::npos; at = out.find(token, at))
    out.replace(at, token.size(), "***");
  return out;
}

bool looks_like_url(const std::string& remote) { return remote.find("://") != std::string::npos; }

// A repo-relative path usable as a tree path: "a/b.txt"; not absolute, no empty, "."
// or ".." component, nothing inside .git.
bool valid_repo_path(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    auto part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (part.size() == 4 && (part[0] == '.') && (part[1] | 0x20) == 'g' && (part[2] | 0x20) == 'i' &&
        (part[3] | 0x20) == 't')
      return false;
    if (part.find('\0') != std::string_view::npos) return false;
    start = end + 1;
  }
  return true;
}

// The push URL (else the URL) configured for remote `name`, read as plain config
// values. Not git_remote_lookup: libgit2 1.5's regex-based config iteration (remote
// lookup, insteadOf rewriting) leaks PCRE2 match data on every non-matching entry.
Expected<std::string> configured_url(git_repository* repo, const std::string& name) {
  int valid = 0;
  if (git_remote_name_is_valid(&valid, name.c_str()) != 0 || !valid)
    return fail(Error::runtime("not a git remote name: '" + without_credentials(name) + "'"));
  git_config* raw = nullptr;
  if (git_repository_config_snapshot(&raw, repo) != 0) return git_failure("cannot read the git configuration");
  Config config(raw);
  for (const char* key : {"pushurl", "url"}) {
    const std::string full = "remote." + name + "." + key;
    const char* value = nullptr;
    if (git_config_get_string(&value, config.get(), full.c_str()) == 0 && value && *value) return std::string(value);
  }
  return fail(Error::runtime("no git remote '" + name + "' is configured"));
}

// An in-memory remote of this repository for `name_or_url` (a detached remote has no
// repository to build the pack from, so it cannot push). insteadOf rewriting is
// skipped (see configured_url); credentials come from the callback, not from config.
Expected<Remote> open_remote(git_repository* repo, const std::string& name_or_url) {
  std::string url = name_or_url;
  if (!looks_like_url(name_or_url)) {
    auto configured = configured_url(repo, name_or_url);
    if (!configured) return fail(configured.error());
    url = std::move(*configured);
  }
  git_remote_create_options options;
  git_remote_create_options_init(&options, GIT_REMOTE_CREATE_OPTIONS_VERSION);
  options.repository = repo;
  options.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
  git_remote* raw = nullptr;
  if (git_remote_create_with_opts(&raw, url.c_str(), &options) != 0)
    return fail(Error::runtime("unusable git remote '" + without_credentials(url) + "': " +
                               scrub_userinfo(last_git_message())));
  return Remote(raw);
}

std::string push_url_of(git_remote* remote) {
  const char* url = git_remote_pushurl(remote);
  if (!url) url = git_remote_url(remote);
  return url ? url : "";
}

// The new tree: `base` with request.files upserted and request.removed deleted.
Expected<git_oid> build_tree(git_repository* repo, git_tree* base, const PublishRequest& request) {
  std::vector<git_tree_update> updates;
  updates.reserve(request.files.size() + request.removed.size());
  for (const auto& [path, content] : request.files) {
    git_tree_update update{};
    update.action = GIT_TREE_UPDATE_UPSERT;
    update.path = path.c_str();
    update.filemode = GIT_FILEMODE_BLOB;
    git_tree_entry* existing_raw = nullptr;
    if (git_tree_entry_bypath(&existing_raw, base, path.c_str()) == 0) {
      TreeEntry existing(existing_raw);
      if (git_tree_entry_filemode(existing.get()) == GIT_FILEMODE_BLOB_EXECUTABLE)
        update.filemode = GIT_FILEMODE_BLOB_EXECUTABLE;
    }
    if (git_blob_create_from_buffer(&update.id, repo, content.data(), content.size()) != 0)
      return git_failure("cannot write blob for " + path);
    updates.push_back(update);
  }
  for (const auto& path : request.removed) {
    git_tree_entry* existing_raw = nullptr;
    if (git_tree_entry_bypath(&existing_raw, base, path.c_str()) != 0) continue;  // already absent
    TreeEntry existing(existing_raw);
    git_tree_update update{};
    update.action = GIT_TREE_UPDATE_REMOVE;
    update.path = path.c_str();
    updates.push_back(update);
  }
  git_oid tree_id = *git_tree_id(base);
  if (updates.empty()) return tree_id;
  if (git_tree_create_updated(&tree_id, repo, base, updates.size(), updates.data()) != 0)
    return git_failure("cannot build the export tree");
  return tree_id;
}

Expected<void> validate(git_repository* repo, const PublishRequest& request, const std::string& ref_name) {
  int valid = 0;
  if (request.branch.empty() || git_reference_name_is_valid(&valid, ref_name.c_str()) != 0 || !valid)
    return fail(Error::usage("invalid branch name for the export: '" + request.branch + "'"));
  if (request.author_name.empty() || request.author_email.empty())
    return fail(Error::usage("the export commit needs an author name and email"));
  for (const auto& [path, content] : request.files)
    if (!valid_repo_path(path)) return fail(Error::usage("invalid repository path for the export: '" + path + "'"));
  for (const auto& path : request.removed) {
    if (!valid_repo_path(path)) return fail(Error::usage("invalid repository path for the export: '" + path + "'"));
    if (request.files.contains(path))
      return fail(Error::usage("path both written and removed by the export: '" + path + "'"));
  }
  if (git_repository_head_detached(repo) != 1) {
    git_reference* head_raw = nullptr;
    if (git_repository_head(&head_raw, repo) == 0) {
      Reference head(head_raw);
      if (ref_name == git_reference_name(head.get()))
        return fail(Error::usage("the export branch '" + request.branch +
                                 "' is the checked-out branch; converge only writes its own branch"));
    }
  }
  return {};
}

// What one push attempt learnt through the callbacks.
struct PushState {
  const std::string* token = nullptr;
  int credential_requests = 0;
  bool auth_failed = false;
  std::string rejected;  // "<ref>: <server status>" when the server refused the update
};

int provide_credentials(git_credential** out, const char* /*url*/, const char* /*username_from_url*/,
                        unsigned int allowed_types, void* payload) {
  auto* state = static_cast<PushState*>(payload);
  ++state->credential_requests;
  if (state->token->empty() || !(allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) {
    state->auth_failed = true;
    return GIT_PASSTHROUGH;  // libgit2 reports "authentication required"
  }
  if (state->credential_requests > 1) {  // the server refused the token we gave
    state->auth_failed = true;
    git_error_set_str(GIT_ERROR_HTTP, "the server refused the credentials (user x-access-token)");
    return GIT_EAUTH;
  }
  return git_credential_userpass_plaintext_new(out, "x-access-token", state->token->c_str());
}

int note_reference_status(const char* refname, const char* status, void* payload) {
  if (status) static_cast<PushState*>(payload)->rejected = std::string(refname) + ": " + status;
  return 0;
}

// Network trouble, 5xx, 408 and 429 may pass; a bad certificate or another 4xx
// (e.g. 404: no such repository) will not.
bool worth_retrying(int rc, std::string_view message) {
  if (rc == GIT_ECERTIFICATE) return false;
  constexpr std::string_view status = "status code: ";
  auto at = message.find(status);
  if (at == std::string_view::npos) return true;
  auto code = message.substr(at + status.size(), 3);
  return !code.starts_with('4') || code == "408" || code == "429";
}

Expected<void> push(git_repository* repo, const PublishRequest& request, const std::string& ref_name) {
  auto remote = open_remote(repo, request.remote);
  if (!remote) return fail(remote.error());
  const std::string shown_url = without_credentials(push_url_of(remote->get()));
  const std::string where = "cannot push " + request.branch + " to " + shown_url;
  // HTTPS needs the CA bundle libgit2's initialisation left unloaded (certificates.hpp).
  if (auto loaded = load_certificates(); !loaded) return fail(Error::runtime(where + ": " + loaded.error().message));

  std::string refspec = "+" + ref_name + ":" + ref_name;
  char* refspec_text = refspec.data();
  const git_strarray refspecs{&refspec_text, 1};

  const int attempts = std::max(1, request.push_attempts);
  auto backoff = request.push_backoff;
  std::string last;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    PushState state;
    state.token = &request.token;
    git_push_options options;
    git_push_options_init(&options, GIT_PUSH_OPTIONS_VERSION);
    options.callbacks.credentials = provide_credentials;
    options.callbacks.push_update_reference = note_reference_status;
    options.callbacks.payload = &state;
    options.proxy_opts.type = GIT_PROXY_AUTO;

    int rc = git_remote_push(remote->get(), &refspecs, &options);
    if (rc == 0 && state.rejected.empty()) return {};
    if (!state.rejected.empty())
      return fail(Error::runtime(where + ": the remote rejected " + scrub(state.rejected, request.token)));
    if (request.token.empty() && (state.auth_failed || rc == GIT_EAUTH))
      return fail(Error::runtime(where + ": the server requires authentication and no token was given"));
    if (state.auth_failed || rc == GIT_EAUTH)
      return fail(Error::runtime(where + ": authentication failed: " + scrub(last_git_message(), request.token)));
    last = scrub(last_git_message(), request.token);
    if (!worth_retrying(rc, last)) return fail(Error::runtime(where + ": " + last));
    if (attempt < attempts) {
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
  }
  return fail(Error::runtime(where + " (" + std::to_string(attempts) + " attempts): " + last));
}

}  // namespace

std::string without_credentials(std::string_view url) { return scrub_userinfo(url); }

Expected<std::string> remote_url(const std::filesystem::path& repo_dir, const std::string& remote) {
  if (looks_like_url(remote)) return without_credentials(remote);
  auto repo = open_repository(repo_dir);
  if (!repo) return fail(repo.error());
  auto url = configured_url(repo->get(), remote);
  if (!url) return fail(url.error().with_context(repo_dir.string()));
  return without_credentials(*url);
}

Expected<PublishResult> publish(const PublishRequest& request) {
  auto repo = open_repository(request.repo_dir);
  if (!repo) return fail(repo.error());
  const std::string ref_name = "refs/heads/" + request.branch;
  if (auto ok = validate(repo->get(), request, ref_name); !ok) return fail(ok.error());

  git_oid head_id;
  if (git_reference_name_to_id(&head_id, repo->get(), "HEAD") != 0)
    return git_failure("cannot read HEAD in " + request.repo_dir.string());
  git_commit* head_raw = nullptr;
  if (git_commit_lookup(&head_raw, repo->get(), &head_id) != 0) return git_failure("HEAD is not a commit");
  Commit head(head_raw);
  git_tree* base_raw = nullptr;
  if (git_commit_tree(&base_raw, head.get()) != 0) return git_failure("cannot read HEAD's tree");
  Tree base(base_raw);

  PublishResult result;
  result.base_sha = hex(head_id);
  auto tree_id = build_tree(repo->get(), base.get(), request);
  if (!tree_id) return fail(tree_id.error());
  if (git_oid_equal(&*tree_id, git_tree_id(base.get()))) return result;  // nothing to export

  git_tree* tree_raw = nullptr;
  if (git_tree_lookup(&tree_raw, repo->get(), &*tree_id) != 0) return git_failure("cannot read the export tree");
  Tree tree(tree_raw);
  git_signature* sig_raw = nullptr;
  if (git_signature_now(&sig_raw, request.author_name.c_str(), request.author_email.c_str()) != 0)
    return fail(Error::usage("invalid author for the export commit: " + last_git_message()));
  Signature sig(sig_raw);
  const git_commit* parents[] = {head.get()};
  git_oid commit_id;
  if (git_commit_create(&commit_id, repo->get(), nullptr, sig.get(), sig.get(), nullptr, request.message.c_str(),
                        tree.get(), 1, parents) != 0)
    return git_failure("cannot create the export commit");

  git_reference* ref_raw = nullptr;
  const std::string log = "converge: export onto " + result.base_sha;
  if (git_reference_create(&ref_raw, repo->get(), ref_name.c_str(), &commit_id, 1, log.c_str()) != 0)
    return git_failure("cannot point " + ref_name + " at the export commit");
  Reference ref(ref_raw);

  if (request.push)
    if (auto pushed = push(repo->get(), request, ref_name); !pushed) return fail(pushed.error());
  result.changed = true;
  result.commit_sha = hex(commit_id);
  return result;
}

}  // namespace converge::git
