// Runs the terraform binary (cli.hpp).
#include "converge/providers/terraform/cli.hpp"

#include <sstream>

#include "converge/util/subprocess.hpp"

namespace converge::providers::terraform {
namespace {

namespace fs = std::filesystem;

// One line of a diagnostic without its box ("│ ", "╷", "╵") and surrounding spaces.
std::string unboxed(std::string line) {
  for (std::string_view mark : {"│", "╷", "╵"})
    if (line.starts_with(mark)) line.erase(0, mark.size());
  const auto first = line.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  const auto last = line.find_last_not_of(" \t\r");
  return line.substr(first, last - first + 1);
}

std::string field(const std::vector<std::string>& lines, std::string_view name) {
  for (const auto& line : lines)
    if (line.starts_with(name) && line.size() > name.size() && line[name.size()] == ':') {
      std::string value = unboxed(line.substr(name.size() + 1));
      if (!value.empty()) return value;
    }
  return {};
}

constexpr size_t kReasonLimit = 1500;

}  // namespace

std::string failure_reason(std::string_view stderr_text) {
  std::vector<std::string> lines;
  std::istringstream in{std::string(stderr_text)};
  for (std::string line; std::getline(in, line);) lines.push_back(unboxed(line));
  std::string reason;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].starts_with("Error: ")) continue;
    if (lines[i].find("state lock") != std::string::npos) {
      std::string who = field(lines, "Who"), id = field(lines, "ID"), created = field(lines, "Created"),
                  operation = field(lines, "Operation");
      reason = lines[i].substr(7);
      if (!who.empty()) reason += ": the state is locked by " + who;
      if (!operation.empty()) reason += " (" + operation + ")";
      if (!created.empty()) reason += " since " + created;
      if (!id.empty()) reason += "; lock ID " + id;
      break;
    }
    // The summary, then its detail up to the next diagnostic.
    reason += (reason.empty() ? "" : "; ") + lines[i].substr(7);
    for (size_t j = i + 1; j < lines.size() && !lines[j].starts_with("Error: ") &&
                           !lines[j].starts_with("Warning: ");
         ++j)
      if (!lines[j].empty()) reason += (j == i + 1 || reason.ends_with(":") ? " " : ": ") + lines[j], i = j;
    if (reason.size() > kReasonLimit) break;
  }
  if (reason.empty()) {
    for (const auto& line : lines)
      if (!line.empty()) reason += (reason.empty() ? "" : " ") + line;
  }
  if (reason.size() > kReasonLimit) {
    reason.resize(kReasonLimit);
    reason.append(" (cut)");
  }
  return reason.empty() ? "(no message)" : reason;
}

Cli::Cli(const Options& options, fs::path repo_root, fs::path data_dir)
    : options_(options), repo_root_(std::move(repo_root)), data_dir_(std::move(data_dir)) {}

std::string Cli::where() const { return options_.binary + " in " + options_.root; }

Expected<Cli::Result> Cli::run(const std::string& verb, std::vector<std::string> args) {
  // A path to the binary is the repository's (`.converge/bin/terraform`); a bare name is
  // looked up on PATH.
  const std::string program = options_.binary.find('/') == std::string::npos ? options_.binary
                                                                               : (repo_root_ / options_.binary).string();
  std::vector<std::string> argv = {program, "-chdir=" + (repo_root_ / options_.root).string(), verb};
  argv.insert(argv.end(), std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
  std::map<std::string, std::string> env = options_.env;
  env["TF_DATA_DIR"] = data_dir_.string();
  env["TF_IN_AUTOMATION"] = "1";
  env["TF_INPUT"] = "0";
  util::ProcessLimits limits;
  limits.time = options_.timeout;
  auto result = util::run_process(argv, env, limits);
  if (!result) return fail(Error::runtime(where() + ": " + result.error().message));
  if (result->exit_code != 0 && !(verb == "plan" && result->exit_code == 2))
    return fail(Error::runtime(where() + ": " + verb + " failed (exit " + std::to_string(result->exit_code) +
                               "): " + failure_reason(result->err)));
  return Result{result->exit_code, std::move(result->out)};
}

Expected<void> Cli::init() {
  if (initialised_) return {};
  // -reconfigure: the data folder is new on every run, so there is no earlier backend
  // to migrate state from; without it Terraform asks (and fails without input) when
  // the backend's folder already holds workspaces.
  std::vector<std::string> args = {"-input=false", "-no-color", "-reconfigure"};
  for (const auto& config : options_.backend_config) {
    // key=value as is; anything else is a file of the repository.
    bool pair = config.find('=') != std::string::npos && !fs::exists(repo_root_ / config);
    args.push_back("-backend-config=" + (pair ? config : (repo_root_ / config).string()));
  }
  if (auto done = run("init", args); !done) return fail(done.error());
  if (!options_.workspace.empty()) {
    if (auto done = run("workspace", {"select", "-or-create", "-no-color", options_.workspace}); !done)
      return fail(done.error());
  }
  initialised_ = true;
  return {};
}

Expected<bool> Cli::plan(const fs::path& out, bool refresh_only) {
  if (auto ready = init(); !ready) return fail(ready.error());
  std::vector<std::string> args = {"-input=false", "-no-color", "-detailed-exitcode", "-out=" + out.string()};
  if (refresh_only) args.push_back("-refresh-only");
  for (const auto& file : options_.var_files) args.push_back("-var-file=" + (repo_root_ / file).string());
  args.insert(args.end(), options_.args.begin(), options_.args.end());
  auto done = run("plan", args);
  if (!done) return fail(done.error());
  return done->exit_code == 2;
}

Expected<std::string> Cli::show_json(const fs::path& plan_file) {
  if (auto ready = init(); !ready) return fail(ready.error());
  auto done = run("show", {"-json", "-no-color", plan_file.string()});
  if (!done) return fail(done.error());
  return std::move(done->out);
}

Expected<void> Cli::apply(const fs::path& plan_file) {
  if (auto ready = init(); !ready) return fail(ready.error());
  auto done = run("apply", {"-input=false", "-no-color", "-auto-approve", plan_file.string()});
  if (!done) return fail(done.error());
  return {};
}

}  // namespace converge::providers::terraform
