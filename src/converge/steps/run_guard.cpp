// The frame around every step: flags, run context, console, and the one place
// where unexpected failures become exit code 3.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unistd.h>

#include "converge/steps/steps.hpp"
#include "converge/steps/workspace_owner.hpp"
#include "converge/version.hpp"

extern char** environ;

namespace converge::steps {

int report_error(const Error& error, StepIo io) {
  io.console.error(error);
  io.console.set_output("failure-reason", error.to_string());
  io.data.error(error);
  return static_cast<int>(error.code);
}

void add_common_flags(cxxopts::Options& cli, bool env_required) {
  cli.add_options()
    ("c,config", "path to converge.yaml", cxxopts::value<std::string>()->default_value("converge.yaml"))
    ("e,env", env_required ? "environment (required)" : "environment (default: all)", cxxopts::value<std::string>())
    ("h,help", "show this help")
    ("version", "print the version and the commit it was built from");
}

CommonOptions common_options(const cxxopts::ParseResult& flags, bool env_required) {
  CommonOptions o;
  o.config = flags["config"].as<std::string>();
  if (flags.count("env")) o.environment = flags["env"].as<std::string>();
  if (env_required && o.environment.empty()) throw Failure("--env is required (see --help)", ExitCode::usage);
  return o;
}

namespace {

// Container actions pass inputs as INPUT_<NAME>; an input fills the flag of the same
// name ("break-glass" ← input break-glass) unless the command line gave that flag.
// A boolean flag is set by the input "true".
std::vector<std::string> args_with_inputs(const cxxopts::Options& cli, int argc, char** argv,
                                          const github::RunContext& ctx) {
  std::vector<std::string> args(argv, argv + argc);
  if (ctx.inputs.empty()) return args;
  for (const auto& group : cli.groups()) {
    for (const auto& option : cli.group_help(group).options) {
      if (option.l.empty()) continue;
      const std::string& name = option.l.front();
      if (name == "help" || name == "version") continue;
      bool given = std::any_of(args.begin() + 1, args.end(), [&](const std::string& a) {
        return a == "--" + name || a.starts_with("--" + name + "=") || (!option.s.empty() && a == "-" + option.s);
      });
      if (given) continue;
      auto underscored = name;
      std::replace(underscored.begin(), underscored.end(), '-', '_');
      auto it = ctx.inputs.find(name);
      if (it == ctx.inputs.end()) it = ctx.inputs.find(underscored);
      if (it == ctx.inputs.end() || it->second.empty()) continue;
      if (option.is_boolean) {
        if (it->second == "true") args.push_back("--" + name);
      } else {
        args.push_back("--" + name + "=" + it->second);
      }
    }
  }
  return args;
}

// `converge-<step> --flags-json`, for `converge completion` and `converge man`: the
// step's description and flags as JSON, read from the same cxxopts definition that
// parses them, so completions and man pages cannot drift from the flags.
std::string flags_json(const cxxopts::Options& cli) {
  nlohmann::json flags = nlohmann::json::array();
  for (const auto& group : cli.groups())
    for (const auto& option : cli.group_help(group).options) {
      if (option.l.empty()) continue;
      flags.push_back({{"long", option.l.front()}, {"short", option.s}, {"help", option.desc},
                       {"value", !option.is_boolean}, {"default", option.has_default && !option.is_boolean ? option.default_value : ""}});
    }
  const auto help = cli.help();
  return nlohmann::json{{"program", cli.program()}, {"description", help.substr(0, help.find('\n'))},
                        {"flags", flags}}
      .dump(2);
}

// A boolean flag in the arguments as given: "--name" or "--name=<anything but false>".
bool switch_given(const std::vector<std::string>& args, std::string_view name) {
  const std::string flag = "--" + std::string(name);
  return std::any_of(args.begin() + (args.empty() ? 0 : 1), args.end(), [&](const std::string& a) {
    return a == flag || (a.starts_with(flag + "=") && a != flag + "=false");
  });
}

bool has_flag(const cxxopts::Options& cli, std::string_view name) {
  for (const auto& group : cli.groups())
    for (const auto& option : cli.group_help(group).options)
      if (!option.l.empty() && option.l.front() == name) return true;
  return false;
}

// Standard output taken before anything is printed (an ::add-mask:: included): by
// --json, and by every output flag (help ending in kDashIsStdout) given "-". Read from
// the arguments as given, before they are parsed, so a flag the parser then refuses
// is reported as a JSON error too. Error (usage) when two flags want standard output.
Expected<void> claim_stdout(const cxxopts::Options& cli, const std::vector<std::string>& args, DataOut& data) {
  auto dashed = [&](const std::string& flag) {
    for (size_t i = 1; i < args.size(); ++i)
      if (args[i] == "--" + flag + "=-" || (args[i] == "--" + flag && i + 1 < args.size() && args[i + 1] == "-"))
        return true;
    return false;
  };
  // --json first: a conflict with it is then reported as the JSON error it asked for.
  if (has_flag(cli, "json") && switch_given(args, "json"))
    if (auto ok = data.claim("--json"); !ok) return ok;
  for (const auto& group : cli.groups())
    for (const auto& option : cli.group_help(group).options)
      if (!option.l.empty() && option.desc.ends_with(kDashIsStdout) && dashed(option.l.front()))
        if (auto ok = data.claim("--" + option.l.front() + " -"); !ok) return ok;
  return {};
}

}  // namespace

int run_guarded(cxxopts::Options& cli, int argc, char** argv,
                const std::function<int(const cxxopts::ParseResult&, StepIo)>& step) {
  auto ctx = github::RunContext::from_environment(environ);
  github::Console console(std::cout, std::cerr, ctx);
  console.set_terminals(isatty(STDOUT_FILENO) == 1, isatty(STDERR_FILENO) == 1);  // colours: github/terminal.hpp
  DataOut data(console);
  StepIo io{ctx, console, data};
  const bool flags_only = argc == 2 && std::string_view(argv[1]) == "--flags-json";
  const auto args = flags_only ? std::vector<std::string>{} : args_with_inputs(cli, argc, argv, ctx);
  auto claimed = claim_stdout(cli, args, data);
  console.mask(ctx.token);
  // plan --detailed-exitcode: exit 2 means changes, so every failure here exits 1.
  const bool detailed = has_flag(cli, "detailed-exitcode") && switch_given(args, "detailed-exitcode");
  auto failed = [&](const Error& error) {
    const int code = report_error(error, io);
    return detailed ? kDetailedError : code;
  };

  auto logger = spdlog::stderr_logger_st("converge");
  logger->set_pattern("%^%l%$: %v");
  logger->set_level(ctx.debug ? spdlog::level::debug : spdlog::level::warn);
  spdlog::set_default_logger(logger);

  try {
    if (flags_only) {
      std::cout << flags_json(cli) << "\n";
      return 0;
    }
    if (!claimed) return failed(claimed.error());
    auto mutable_args = args;
    std::vector<char*> arg_ptrs;
    for (auto& a : mutable_args) arg_ptrs.push_back(a.data());
    auto flags = cli.parse(static_cast<int>(arg_ptrs.size()), arg_ptrs.data());
    if (flags.count("help")) {
      std::cout << cli.help() << "\nExit codes: 0 ok, 1 drift or refused, 2 usage or configuration error, 3 runtime "
                                 "or provider failure.\n";
      return 0;
    }
    if (flags.count("version")) {
      std::cout << cli.program() << " " << kVersion << " (" << kGitSha << ")\n";
      return 0;
    }
    if (!flags.unmatched().empty())
      return failed(Error::usage("unexpected argument '" + flags.unmatched().front() + "' (see --help)"));
    // Read only now: --help and --version never depend on the runner's files.
    if (auto owner = become_workspace_owner(ctx); !owner) return failed(owner.error());
    if (auto checked = ctx.check(); !checked) return failed(checked.error());
    if (auto event = ctx.load_event(); !event) return failed(event.error());
    return step(flags, io);
  } catch (const cxxopts::exceptions::exception& e) {
    return failed(Error::usage(std::string(e.what()) + " (see --help)"));
  } catch (const Failure& e) {
    return failed(Error{e.code(), e.what(), std::nullopt});
  } catch (const std::exception& e) {
    return failed(Error::runtime(std::string("unexpected failure: ") + e.what()));
  }
}

}  // namespace converge::steps
