// One target per root module folder a `roots:` pattern matches (roots.hpp).
#include "converge/config/roots.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <set>

namespace converge::config {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxRoots = 1000;

// Folders (relative to `base`) matching the components of `pattern`, sorted.
std::vector<std::string> matching_folders(const fs::path& base, const std::vector<std::string>& parts) {
  std::vector<std::string> found = {""};
  for (const auto& part : parts) {
    std::vector<std::string> next;
    for (const auto& prefix : found) {
      const fs::path dir = prefix.empty() ? base : base / prefix;
      if (!has_wildcard(part)) {
        std::error_code ec;
        if (fs::is_directory(dir / part, ec)) next.push_back(prefix.empty() ? part : prefix + "/" + part);
        continue;
      }
      std::error_code ec;
      for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        std::error_code dir_ec;
        if (name.starts_with(".") || !it->is_directory(dir_ec)) continue;  // never .git, .terraform
        if (::fnmatch(part.c_str(), name.c_str(), FNM_PERIOD) == 0)
          next.push_back(prefix.empty() ? name : prefix + "/" + name);
      }
      if (next.size() > kMaxRoots) return next;
    }
    found = std::move(next);
    std::sort(found.begin(), found.end());
  }
  return found;
}

}  // namespace

Expected<void> expand_roots(Config& config) {
  std::vector<Target> out;
  std::set<std::string> names;
  for (const auto& target : config.targets) names.insert(target.name);
  for (auto& target : config.targets) {
    auto it = target.settings.find("roots");
    if (it == target.settings.end()) {
      out.push_back(std::move(target));
      continue;
    }
    const Target::RawValue roots = it->second;
    auto error = [&](const std::string& what) { return fail(Error::config("setting 'roots': " + what, roots.where)); };
    if (target.provider != "terraform") return error("only the terraform provider has root modules");
    if (!roots.value.is_string() || roots.value.get<std::string>().empty())
      return error("must be a folder pattern such as infra/*/");
    if (target.settings.contains("root")) return error("give either 'root' or 'roots', not both");
    for (const auto& [env, settings] : target.overrides)
      if (settings.contains("roots") || settings.contains("root"))
        return fail(Error::config("overrides." + env + ": 'root' and 'roots' are the same in every environment",
                                  roots.where));
    std::string pattern = roots.value.get<std::string>();
    while (pattern.ends_with("/")) pattern.pop_back();
    std::vector<std::string> parts;
    for (size_t start = 0; start <= pattern.size();) {
      size_t slash = pattern.find('/', start);
      if (slash == std::string::npos) slash = pattern.size();
      parts.push_back(pattern.substr(start, slash - start));
      start = slash + 1;
    }
    for (const auto& part : parts)
      if (part.empty() || part == "." || part == ".." || pattern.starts_with("/"))
        return error("'" + roots.value.get<std::string>() + "' must be a relative folder pattern inside the repository");
    const auto folders = matching_folders(config.root, parts);
    if (folders.empty()) return error("'" + roots.value.get<std::string>() + "' matches no folder");
    if (folders.size() > kMaxRoots) return error("matches more than " + std::to_string(kMaxRoots) + " folders");
    names.erase(target.name);
    for (const auto& folder : folders) {
      Target one = target;
      one.name = target.name + "-" + fs::path(folder).filename().string();
      one.settings.erase("roots");
      one.settings["root"] = Target::RawValue{folder, roots.where};
      if (!names.insert(one.name).second)
        return error("the root " + folder + " makes target " + one.name + ", which is already a target");
      out.push_back(std::move(one));
    }
  }
  config.targets = std::move(out);
  return {};
}

}  // namespace converge::config
