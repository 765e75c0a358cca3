// The files that make a terraform target's configuration (sources.hpp).
#include "converge/providers/terraform/sources.hpp"

#include <regex>
#include <set>

#include "converge/util/fs.hpp"
#include "converge/util/sha256.hpp"

namespace converge::providers::terraform {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxSourceFile = 64u << 20;
constexpr size_t kMaxFiles = 20000;

// Files the binary writes into a module folder, never configuration.
bool generated(const fs::path& relative) {
  const std::string name = relative.filename().string();
  if (name == ".terraform" || name == ".git") return true;
  return name.starts_with("terraform.tfstate") || name == ".terraform.tfstate.lock.info" || name.ends_with(".tfplan");
}

// `source = "./x"` / `"../x"` of the module calls in a .tf file.
std::vector<std::string> local_module_sources(const std::string& text) {
  static const std::regex call(R"re(\bsource\s*=\s*"(\.\.?/[^"]*)")re");
  std::vector<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), call), end; it != end; ++it) out.push_back((*it)[1]);
  return out;
}

// "a/b/../c" → "a/c"; nullopt when it climbs out of the repository.
std::optional<fs::path> inside(const fs::path& relative) {
  fs::path normal = relative.lexically_normal();
  if (normal.empty() || *normal.begin() == "..") return std::nullopt;
  return normal;
}

}  // namespace

Expected<Sources> read_sources(const fs::path& repo_root, const Options& options) {
  Sources out;
  auto root = inside(options.root);
  if (!root || root->is_absolute() || !fs::is_directory(repo_root / *root))
    return fail(Error::runtime("setting 'root': " + options.root + " is not a folder of the repository"));
  std::vector<fs::path> pending = {*root};
  std::set<fs::path> seen;
  auto add_file = [&](const fs::path& relative, std::map<std::string, std::string>& into) -> Expected<void> {
    if (out.files.size() + out.inputs.size() >= kMaxFiles)
      return fail(Error::runtime("the terraform configuration has more than " + std::to_string(kMaxFiles) + " files"));
    auto bytes = util::read_file(repo_root / relative, kMaxSourceFile);
    if (!bytes) return fail(bytes.error());
    into[relative.generic_string()] = util::sha256_hex(*bytes);
    if (relative.extension() == ".tf")
      for (const auto& source : local_module_sources(*bytes)) {
        auto module = inside(relative.parent_path() / source);
        if (!module)
          return fail(Error::runtime(relative.generic_string() + ": module source \"" + source +
                                     "\" is outside the repository"));
        pending.push_back(*module);
      }
    return {};
  };
  while (!pending.empty()) {
    fs::path folder = pending.back();
    pending.pop_back();
    if (!seen.insert(folder).second) continue;
    out.folders.push_back(folder);
    std::error_code ec;
    std::vector<fs::path> files;
    // Every file under a module's folder: templates it reads with file() are configuration too.
    for (fs::recursive_directory_iterator it(repo_root / folder, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::path relative = folder / it->path().lexically_relative(repo_root / folder);
      if (it->is_directory() && generated(relative)) it.disable_recursion_pending();
      else if (it->is_regular_file() && !generated(relative)) files.push_back(relative);
    }
    if (ec) return fail(Error::runtime("cannot list " + (repo_root / folder).string() + ": " + ec.message()));
    for (const auto& file : files)
      if (auto ok = add_file(file, out.files); !ok) return fail(ok.error());
  }
  for (const auto& file : options.var_files) {
    auto relative = inside(file);
    if (!relative) return fail(Error::runtime("setting 'var_files': " + file + " is outside the repository"));
    if (auto ok = add_file(*relative, out.inputs); !ok) return fail(ok.error());
  }
  for (const auto& config : options.backend_config) {
    auto relative = inside(config);
    if (relative && fs::is_regular_file(repo_root / *relative))
      if (auto ok = add_file(*relative, out.inputs); !ok) return fail(ok.error());
  }
  return out;
}

}  // namespace converge::providers::terraform
