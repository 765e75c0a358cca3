// Opening a manifest store by URL scheme (one registry table, like ccache's storage
// backends), and the URL helpers the stores share.
#include <array>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "converge/manifest/backends.hpp"
#include "converge/manifest/store.hpp"

namespace converge::manifest {
namespace detail {
namespace {

using Opener = Expected<std::unique_ptr<Store>> (*)(std::string_view url, std::string_view rest,
                                                    const std::filesystem::path& base_dir);

struct Backend {
  std::string_view scheme;  // without "://"
  Opener open;
};

// Every store converge knows. Add a row to add a store.
constexpr std::array<Backend, 3> kBackends{{
    {"sqlite", open_sqlite},
    {"postgres", open_postgres},
    {"postgresql", open_postgres},
}};

// [begin, end) of the password in "scheme://user:password@host…", or npos.
std::pair<std::size_t, std::size_t> userinfo_password(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {std::string_view::npos, 0};
  auto authority_begin = scheme_end + 3;
  auto authority_end = url.find_first_of("/?#", authority_begin);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  auto at = url.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < authority_begin) return {std::string_view::npos, 0};
  auto colon = url.find(':', authority_begin);
  if (colon == std::string_view::npos || colon > at) return {std::string_view::npos, 0};
  return {colon + 1, at};
}

// [begin, end) of the value of a "password=" query parameter, or npos.
std::pair<std::size_t, std::size_t> query_password(std::string_view url) {
  auto query = url.find('?');
  while (query != std::string_view::npos) {
    auto key = query + 1;
    if (url.substr(key, 9) == "password=") {
      auto end = url.find_first_of("&#", key + 9);
      return {key + 9, end == std::string_view::npos ? url.size() : end};
    }
    query = url.find('&', key);
  }
  return {std::string_view::npos, 0};
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned value = 0;
    if (s[i] == '%' && i + 2 < s.size() &&
        std::from_chars(s.data() + i + 1, s.data() + i + 3, value, 16).ptr == s.data() + i + 3) {
      out += static_cast<char>(value);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

void replace_all(std::string& text, std::string_view needle, std::string_view with) {
  if (needle.empty()) return;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + with.size()))
    text.replace(pos, needle.size(), with);
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::string out(url);
  // Query first: its offsets lie after the userinfo, so they stay valid.
  if (auto [b, e] = query_password(out); b != std::string::npos) out.replace(b, e - b, "***");
  if (auto [b, e] = userinfo_password(out); b != std::string::npos) out.replace(b, e - b, "***");
  return out;
}

std::string scrub_password(std::string text, std::string_view url) {
  for (auto [b, e] : {userinfo_password(url), query_password(url)}) {
    if (b == std::string_view::npos) continue;
    auto raw = url.substr(b, e - b);
    replace_all(text, raw, "***");
    replace_all(text, percent_decode(raw), "***");
  }
  return text;
}

void pause_for_fault_injection() {
  // Deliberately read here rather than from the step's environment struct: this is
  // a test-only hook and must not be reachable through configuration.
  const char* value = std::getenv("CONVERGE_FAULT_PAUSE_IN_RECORD_MS");
  if (!value) return;
  long ms = std::strtol(value, nullptr, 10);
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace detail

Expected<std::unique_ptr<Store>> open(std::string_view url, const std::filesystem::path& base_dir) {
  auto scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) {
    auto scheme = url.substr(0, scheme_end);
    for (const auto& backend : detail::kBackends) {
      if (backend.scheme == scheme) return backend.open(url, url.substr(scheme_end + 3), base_dir);
    }
  }
  return fail(Error::usage("unknown manifest store URL '" + detail::redact_url(url) +
                           "': expected sqlite:///relative/path, sqlite:////absolute/path or "
                           "postgres://user@host/database (or github:, the manifest in GitHub deployments)"));
}

}  // namespace converge::manifest
