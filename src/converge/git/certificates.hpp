// libgit2's CA certificates, loaded when a push needs them instead of at start-up.
// Debian's libgit2 is built with mbedTLS, and git_libgit2_init() parses the whole
// system CA bundle (~5 ms, a third of a no-change plan, issue 15) although only a
// push over HTTPS uses it. converge defines mbedtls_x509_crt_parse_file itself (the
// executable exports it, so libgit2's call reaches it first): during
// git_libgit2_init() it only notes the path libgit2 asked for; any other call goes to
// mbedTLS. load_certificates() then has libgit2 load that bundle before a push.
// With a libgit2 built on another TLS library none of this is called and nothing
// changes.
#pragma once

#include <string>

#include "converge/util/error.hpp"

namespace converge::git::detail {

// git_libgit2_init(), with libgit2's default CA bundle noted instead of parsed.
int initialise_deferring_certificates();

// The bundle libgit2 asked for during its initialisation and has not loaded yet;
// empty when it asked for none (another TLS library, or already loaded).
std::string deferred_certificates();

// Notes `path` as the bundle to load before a push. Called during git_libgit2_init()
// (the caller holds the lock); tests call it to defer a bundle of their own.
void defer_certificates(std::string path);

// Loads the deferred bundle into libgit2 (GIT_OPT_SET_SSL_CERT_LOCATIONS), once: the
// path is forgotten only when libgit2 has loaded it, so a failed load is tried again.
Expected<void> load_certificates();

}  // namespace converge::git::detail
