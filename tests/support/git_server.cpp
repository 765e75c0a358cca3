// GitServer: lighttpd + git http-backend on loopback, for push tests.
#include "support/git_server.hpp"
#include "support/temp_dir.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <git2.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace converge::testing {
namespace {

void check(int rc, const std::string& what) {
  if (rc < 0) {
    const git_error* e = git_error_last();
    throw std::runtime_error(what + ": " + (e && e->message ? e->message : "libgit2 error"));
  }
}


void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

// A port the kernel considers free right now (bind to 0, read it back, release it).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool port_answers(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::filesystem::path find_program(std::initializer_list<const char*> candidates, const char* what) {
  for (const char* c : candidates)
    if (::access(c, X_OK) == 0) return c;
  throw std::runtime_error(std::string(what) + " not found (scripts/install-deps.sh installs it)");
}

// Stops `pid`: SIGTERM, up to 5 s grace, then SIGKILL; always reaps it.
void stop(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

struct Repo {
  explicit Repo(const std::filesystem::path& path) {
    git_libgit2_init();
    check(git_repository_open(&repo, path.c_str()), "open " + path.string());
  }
  ~Repo() {
    git_repository_free(repo);
    git_libgit2_shutdown();
  }
  Repo(const Repo&) = delete;
  Repo& operator=(const Repo&) = delete;
  git_repository* repo = nullptr;
};

git_commit* lookup_commit(git_repository* repo, const std::string& sha) {
  git_oid id;
  check(git_oid_fromstr(&id, sha.c_str()), "commit id " + sha);
  git_commit* commit = nullptr;
  check(git_commit_lookup(&commit, repo, &id), "commit " + sha);
  return commit;
}

// The blob content at `path` in commit `sha`, or nullopt when there is no such file.
std::optional<std::string> blob_at(const std::filesystem::path& path, const std::string& sha, const std::string& file) {
  Repo r(path);
  git_commit* commit = lookup_commit(r.repo, sha);
  git_tree* tree = nullptr;
  int rc = git_commit_tree(&tree, commit);
  git_commit_free(commit);
  check(rc, "tree of " + sha);
  git_tree_entry* entry = nullptr;
  rc = git_tree_entry_bypath(&entry, tree, file.c_str());
  git_tree_free(tree);
  if (rc == GIT_ENOTFOUND) return std::nullopt;
  check(rc, "entry " + file);
  git_blob* blob = nullptr;
  rc = git_blob_lookup(&blob, r.repo, git_tree_entry_id(entry));
  git_tree_entry_free(entry);
  check(rc, "blob " + file);
  std::string content(static_cast<const char*>(git_blob_rawcontent(blob)), git_blob_rawsize(blob));
  git_blob_free(blob);
  return content;
}

}  // namespace

GitServer::GitServer(std::string token) : token_(std::move(token)) {
  const auto lighttpd = find_program({"/usr/sbin/lighttpd", "/usr/bin/lighttpd", "/usr/local/sbin/lighttpd"},
                                     "lighttpd");
  const auto backend = find_program({"/usr/lib/git-core/git-http-backend", "/usr/libexec/git-core/git-http-backend"},
                                    "git-http-backend");
  std::filesystem::create_directories(root_ / "www");
  std::filesystem::create_directories(root_ / "repos");
  {
    std::ofstream users(root_ / "users");
    users << "x-access-token:" << token_ << "\n";
  }
  namespace fs = std::filesystem;
  fs::permissions(root_ / "users", fs::perms::owner_read | fs::perms::owner_write);
  const std::string conf_template = slurp(fs::path(CONVERGE_SOURCE_DIR) / "tests/support/git_server.lighttpd.conf.in");
  if (conf_template.empty()) throw std::runtime_error("missing tests/support/git_server.lighttpd.conf.in");

  // The free port may be taken between our probe and lighttpd's bind: try a few.
  for (int attempt = 0; attempt < 5 && pid_ < 0; ++attempt) {
    port_ = free_port();
    std::string conf = conf_template;
    replace_all(conf, "@ROOT@", root_.path().string());
    replace_all(conf, "@PORT@", std::to_string(port_));
    replace_all(conf, "@HTTP_BACKEND@", backend.string());
    const auto conf_path = root_ / "lighttpd.conf";
    std::ofstream(conf_path) << conf;
    const auto log_path = root_ / "lighttpd.out";

    std::vector<std::string> args{lighttpd.string(), "-D", "-f", conf_path.string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      int out = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int in = ::open("/dev/null", O_RDONLY);
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(out, 2);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    bool exited = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid, nullptr, WNOHANG) == pid) {
        exited = true;
        break;
      }
      if (port_answers(port_)) {
        pid_ = pid;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (pid_ < 0 && !exited) {
      stop(pid);
      throw std::runtime_error("lighttpd did not answer on port " + std::to_string(port_) + ":\n" +
                               slurp(log_path) + slurp(root_ / "error.log"));
    }
    if (pid_ < 0 && attempt == 4)
      throw std::runtime_error("lighttpd exited at start:\n" + slurp(log_path) + slurp(root_ / "error.log"));
  }
}

GitServer::~GitServer() { stop(pid_); }

std::filesystem::path GitServer::repo_path(const std::string& name) const { return root_ / "repos" / (name + ".git"); }

std::string GitServer::url(const std::string& name) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/git/" + name + ".git";
}

std::filesystem::path GitServer::create_bare(const std::string& name) const {
  const auto path = repo_path(name);
  git_libgit2_init();
  git_repository_init_options options{};
  git_repository_init_options_init(&options, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
  options.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_BARE;
  options.initial_head = "main";
  git_repository* repo = nullptr;
  int rc = git_repository_init_ext(&repo, path.c_str(), &options);
  git_config* config = nullptr;
  if (rc == 0) rc = git_repository_config(&config, repo);
  if (rc == 0) rc = git_config_set_bool(config, "http.receivepack", 1);
  git_config_free(config);
  git_repository_free(repo);
  git_libgit2_shutdown();
  check(rc, "create bare repository " + path.string());
  return path;
}

std::string read_ref(const std::filesystem::path& repo, const std::string& ref) {
  Repo r(repo);
  git_oid id;
  int rc = git_reference_name_to_id(&id, r.repo, ref.c_str());
  if (rc == GIT_ENOTFOUND) return "";
  check(rc, "ref " + ref);
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, &id);
  return hex;
}

std::vector<std::string> ref_names(const std::filesystem::path& repo) {
  Repo r(repo);
  git_strarray names{};
  check(git_reference_list(&names, r.repo), "list refs");
  std::vector<std::string> out(names.strings, names.strings + names.count);
  git_strarray_dispose(&names);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> commit_parents(const std::filesystem::path& repo, const std::string& sha) {
  Repo r(repo);
  git_commit* commit = lookup_commit(r.repo, sha);
  std::vector<std::string> out;
  for (unsigned i = 0; i < git_commit_parentcount(commit); ++i) {
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, git_commit_parent_id(commit, i));
    out.emplace_back(hex);
  }
  git_commit_free(commit);
  return out;
}

std::string commit_message(const std::filesystem::path& repo, const std::string& sha) {
  Repo r(repo);
  git_commit* commit = lookup_commit(r.repo, sha);
  std::string message = git_commit_message(commit);
  git_commit_free(commit);
  return message;
}

std::string file_at(const std::filesystem::path& repo, const std::string& sha, const std::string& path) {
  auto content = blob_at(repo, sha, path);
  if (!content) throw std::runtime_error(path + " is not in commit " + sha);
  return *content;
}

bool has_file(const std::filesystem::path& repo, const std::string& sha, const std::string& path) {
  return blob_at(repo, sha, path).has_value();
}

}  // namespace converge::testing
