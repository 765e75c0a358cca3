// Parser for dbmate migration files. It follows dbmate's pkg/dbmate/migration.go:
// a marker is a line matching `^--\s*migrate:(up|down)(\s*$|\s+\S+)`, options after
// it are whitespace-separated `key:value` pairs (malformed words are ignored, as in
// dbmate), `transaction` defaults to true, and only blank or `--` comment lines may
// precede the up marker. Newer dbmate versions allow several up/down sections in
// one file; converge accepts one section and reports a second one at its line.
#include "converge/providers/sql/migration.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "converge/util/fs.hpp"
#include "converge/util/ascii.hpp"

namespace converge::providers::sql {
namespace {

using util::is_ascii_space;

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

enum class Marker { none, up, down };

// Recognises a marker line; `options` receives the text after the marker.
Marker marker(std::string_view line, std::string_view& options) {
  if (!line.starts_with("--")) return Marker::none;
  line.remove_prefix(2);
  while (!line.empty() && is_ascii_space(line.front())) line.remove_prefix(1);
  Marker kind = Marker::none;
  if (line.starts_with("migrate:up")) {
    kind = Marker::up;
    line.remove_prefix(std::string_view("migrate:up").size());
  } else if (line.starts_with("migrate:down")) {
    kind = Marker::down;
    line.remove_prefix(std::string_view("migrate:down").size());
  } else {
    return Marker::none;
  }
  if (!line.empty() && !is_ascii_space(line.front())) return Marker::none;  // e.g. migrate:upgrade
  options = trim(line);
  return kind;
}

std::map<std::string, std::string, std::less<>> parse_options(std::string_view text) {
  std::map<std::string, std::string, std::less<>> out;
  while (!text.empty()) {
    while (!text.empty() && is_ascii_space(text.front())) text.remove_prefix(1);
    size_t end = 0;
    while (end < text.size() && !is_ascii_space(text[end])) ++end;
    std::string_view word = text.substr(0, end);
    text.remove_prefix(end);
    auto colon = word.find(':');
    if (colon == std::string_view::npos || word.find(':', colon + 1) != std::string_view::npos) continue;
    out[std::string(word.substr(0, colon))] = std::string(word.substr(colon + 1));
  }
  return out;
}

int line_at(std::string_view text, size_t offset) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

}  // namespace

bool version_less(std::string_view a, std::string_view b) { return a < b; }

std::optional<FileName> split_file_name(std::string_view file_name) {
  if (!file_name.ends_with(".sql")) return std::nullopt;
  std::string_view stem = file_name.substr(0, file_name.size() - 4);
  size_t digits = 0;
  while (digits < stem.size() && std::isdigit(static_cast<unsigned char>(stem[digits]))) ++digits;
  if (digits == 0) return std::nullopt;
  std::string_view rest = stem.substr(digits);
  if (rest.starts_with('_')) rest.remove_prefix(1);
  return FileName{std::string(stem.substr(0, digits)), std::string(rest)};
}

Expected<Migration> parse_migration(std::string_view file_name, std::string_view content,
                                    std::string file) {
  auto at = [&file](int line) { return SourceLocation{file, line, 0}; };
  auto parts = split_file_name(file_name);
  if (!parts)
    return fail(Error::config("'" + std::string(file_name) +
                                  "' is not a migration file name (expected <version>_<name>.sql)",
                              at(0)));
  if (size_t nul = content.find('\0'); nul != std::string_view::npos)
    return fail(Error::config("a NUL byte: the database would receive this migration's SQL only up to it; "
                              "remove it (the file may be binary or UTF-16)",
                              at(line_at(content, nul))));
  Migration m{.version = parts->version, .name = parts->name, .file = file, .content = std::string(content),
              .up = {}, .down = {}, .transaction = true, .down_transaction = true, .up_line = 0, .down_line = 0};

  Marker section = Marker::none;
  int up_line = 0, down_line = 0, line_no = 0;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    size_t end = nl == std::string_view::npos ? content.size() : nl + 1;
    std::string_view raw = content.substr(pos, end - pos);  // with its line ending
    pos = end;
    ++line_no;
    std::string_view line = raw;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);

    std::string_view options;
    Marker found = marker(line, options);
    if (found == Marker::up) {
      if (section != Marker::none)
        return fail(Error::config("a second '-- migrate:up' block; converge supports one up/down "
                                  "section per migration file",
                                  at(line_no)));
      section = Marker::up;
      up_line = m.up_line = line_no;
      auto opts = parse_options(options);
      auto tx = opts.find("transaction");
      m.transaction = tx == opts.end() || tx->second != "false";
      continue;
    }
    if (found == Marker::down) {
      if (section == Marker::none)
        return fail(Error::config("dbmate requires '-- migrate:up' to appear before '-- migrate:down'",
                                  at(line_no)));
      if (section == Marker::down)
        return fail(Error::config("a second '-- migrate:down' block", at(line_no)));
      section = Marker::down;
      down_line = m.down_line = line_no;
      auto opts = parse_options(options);
      auto tx = opts.find("transaction");
      m.down_transaction = tx == opts.end() || tx->second != "false";
      continue;
    }
    if (section == Marker::none) {
      std::string_view t = trim(line);
      if (t.empty() || t.starts_with("--")) continue;
      return fail(Error::config(
          "statement outside the '-- migrate:up' / '-- migrate:down' blocks (dbmate does not "
          "support statements preceding the '-- migrate:up' block)",
          at(line_no)));
    }
    (section == Marker::up ? m.up : m.down).append(raw);
  }
  if (up_line == 0)
    return fail(Error::config(
        "dbmate requires each migration to define an up block with '-- migrate:up'", at(1)));
  if (down_line == 0)
    return fail(Error::config(
        "dbmate requires each migration to define a down block with '-- migrate:down'",
        at(up_line)));
  return m;
}

Expected<void> check_transaction_control(const Migration& migration, Dialect dialect) {
  if (!migration.transaction) return {};
  auto found = find_transaction_control(migration.up, dialect);
  if (!found) return {};
  return fail(Error::config(
      "'" + found->statement + "' in a migration that runs in a transaction: converge runs each migration and its "
      "schema_migrations row in one transaction, and this statement would end or restart it, so the migration "
      "would no longer apply all or nothing; remove it, or put `-- migrate:up transaction:false` on the up marker "
      "(as dbmate documents) to manage transactions yourself",
      SourceLocation{migration.file, migration.up_line + found->line, 0}));
}

namespace {

// How a directory entry named like a migration reads: a file (`problem` empty), a
// directory (skipped, as dbmate does) or what is wrong with it.
struct Entry {
  bool skip = false;
  std::string problem;
};

Entry classify(const std::filesystem::directory_entry& entry) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status self = entry.symlink_status(ec);
  if (ec) return {false, "cannot be read: " + ec.message()};
  if (fs::is_directory(self)) return {true, {}};
  fs::file_status target = fs::status(entry.path(), ec);
  if (ec == std::errc::too_many_symbolic_link_levels)
    return {false, "is a symlink loop (following it never reaches a file)"};
  if (target.type() == fs::file_type::not_found || ec == std::errc::no_such_file_or_directory) {
    std::error_code read_ec;
    fs::path to = fs::read_symlink(entry.path(), read_ec);
    return {false, "is a dangling symlink (its target '" + to.string() + "' does not exist)"};
  }
  if (ec) return {false, "cannot be read: " + ec.message()};
  if (!fs::is_regular_file(target)) return {false, "is not a regular file"};
  return {};
}

}  // namespace

Expected<std::vector<Migration>> load_migrations(const std::filesystem::path& dir,
                                                 const std::filesystem::path& repo_root) {
  namespace fs = std::filesystem;
  // Lexically, so a symlink is named as it sits in the folder, not as what it points at.
  auto shown = [&repo_root](const fs::path& p) {
    fs::path rel = p.lexically_normal().lexically_relative(repo_root.lexically_normal());
    return (rel.empty() || rel.string().starts_with("..")) ? p.string() : rel.generic_string();
  };
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    std::string why = ec && ec != std::errc::no_such_file_or_directory ? "cannot be read: " + ec.message()
                                                                        : "does not exist";
    return fail(Error::config("migrations directory '" + shown(dir) + "' " + why, SourceLocation{shown(dir), 0, 0}));
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!split_file_name(it->path().filename().string())) continue;
    Entry entry = classify(*it);
    if (entry.skip) continue;
    if (!entry.problem.empty())
      return fail(Error::config("migration file " + entry.problem, SourceLocation{shown(it->path()), 0, 0}));
    files.push_back(it->path());
  }
  if (ec) return fail(Error::runtime("cannot list '" + shown(dir) + "': " + ec.message()));

  std::vector<Migration> out;
  for (const auto& path : files) {
    std::error_code size_ec;
    if (auto size = fs::file_size(path, size_ec); !size_ec && size > kMaxMigrationBytes)
      return fail(Error::config("migration file is " + std::to_string(size) + " bytes, more than the " +
                                    std::to_string(kMaxMigrationBytes >> 20) + " MiB converge reads",
                                SourceLocation{shown(path), 0, 0}));
    auto text = util::read_file(path, kMaxMigrationBytes);
    if (!text) return fail(text.error());
    auto m = parse_migration(path.filename().string(), *text, shown(path));
    if (!m) return fail(m.error());
    out.push_back(std::move(*m));
  }
  // dbmate sorts by file name (all files are in one folder, so by path here).
  std::sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) { return a.file < b.file; });
  std::map<std::string, std::string> files_by_version;
  for (const auto& m : out) {
    auto [it, fresh] = files_by_version.emplace(m.version, m.file);
    if (!fresh)
      return fail(Error::config("version " + m.version + " is also used by " + it->second,
                                SourceLocation{m.file, 1, 0}));
  }
  return out;
}

}  // namespace converge::providers::sql
