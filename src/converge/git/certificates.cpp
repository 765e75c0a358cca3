// The deferred CA bundle of libgit2's mbedTLS backend: see certificates.hpp.
#include "converge/git/certificates.hpp"

#include <dlfcn.h>
#include <git2.h>
#include <link.h>

#include <atomic>
#include <mutex>

extern "C" int mbedtls_x509_crt_parse_file(void* chain, const char* path);

namespace converge::git::detail {
namespace {

using ParseFile = int (*)(void* chain, const char* path);

std::mutex& certificates_mutex() {
  static std::mutex mutex;
  return mutex;
}
std::atomic<bool> deferring{false};
std::string& deferred_path() {
  static std::string path;
  return path;
}

// mbedTLS's own mbedtls_x509_crt_parse_file: the first loaded object other than
// the executable that defines it (libmbedx509, loaded with libgit2; also when
// libgit2 was loaded on first use, outside the global symbol scope).
int find_real(dl_phdr_info* info, std::size_t, void* out) {
  if (!info->dlpi_name || !*info->dlpi_name) return 0;
  void* handle = ::dlopen(info->dlpi_name, RTLD_LAZY | RTLD_NOLOAD);
  if (!handle) return 0;
  void* symbol = ::dlsym(handle, "mbedtls_x509_crt_parse_file");
  ::dlclose(handle);
  if (!symbol || symbol == reinterpret_cast<void*>(&::mbedtls_x509_crt_parse_file)) return 0;
  *static_cast<ParseFile*>(out) = reinterpret_cast<ParseFile>(symbol);
  return 1;
}

}  // namespace

int initialise_deferring_certificates() {
  std::lock_guard lock(certificates_mutex());
  deferring = true;
  const int rc = git_libgit2_init();
  deferring = false;
  return rc;
}

std::string deferred_certificates() {
  std::lock_guard lock(certificates_mutex());
  return deferred_path();
}

void defer_certificates(std::string path) { deferred_path() = std::move(path); }

Expected<void> load_certificates() {
  std::lock_guard lock(certificates_mutex());
  const std::string& path = deferred_path();
  if (path.empty()) return {};
  // The path is kept until libgit2 has loaded it: a push after a failed load tries again.
  if (git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, path.c_str(), nullptr) != 0) {
    const git_error* e = git_error_last();
    return fail(Error::runtime("cannot load the CA certificates " + path + ": " +
                               (e && e->message ? e->message : "unknown libgit2 error")));
  }
  deferred_path().clear();
  return {};
}

}  // namespace converge::git::detail

extern "C" int mbedtls_x509_crt_parse_file(void* chain, const char* path) {
  using namespace converge::git::detail;
  if (deferring) {
    defer_certificates(path ? path : "");
    return 0;
  }
  static const ParseFile real = [] {
    ParseFile found = nullptr;
    ::dl_iterate_phdr(find_real, &found);
    return found;
  }();
  if (!real) return -1;
  return real(chain, path);
}
