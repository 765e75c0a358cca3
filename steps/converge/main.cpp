// converge: the front. `converge <step> [flags]` runs `converge-<step>` from the
// same directory (or PATH), as git runs git-<cmd>. Knows no step's logic.
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "completion.hpp"
#include "converge/version.hpp"
#include "man_page.hpp"

namespace {

constexpr const char* kSteps[] = {"plan",     "plan-comment", "apply",   "drift-verify", "record-manifest",
                                  "destroy",  "describe",     "export-to-pr", "compile", "render",
                                  "secret-names", "init",     "check-workflows"};

void usage(std::ostream& out) {
  out << "usage: converge <step> [flags]\n\nsteps:\n"
         "  plan             what apply would change in an environment\n"
         "  plan-comment     plan a pull request's environment into one sticky PR comment\n"
         "  apply            apply an environment's plan\n"
         "  drift-verify     check the runtime equals Git (--apply reconciles)\n"
         "  record-manifest  append the last apply to the deployment manifest\n"
         "  destroy          delete a feature environment's runtimes of a branch\n"
         "  describe         what each environment is running\n"
         "  export-to-pr     bring runtime edits back to Git as one pull request\n"
         "  compile          write an environment's compiled bundles\n"
         "  render           render one template with a variables file\n"
         "  secret-names     the secrets an environment may use (the workflows export only these)\n"
         "  init             set up a repository: converge.yaml, the starter workflows, .gitignore\n"
         "  check-workflows  check that .github/workflows/ says what converge.yaml says\n\n"
         "  completion bash|zsh   print a shell completion script for converge and every step\n"
         "  man DIR               write the man pages of converge and every step into DIR\n\n"
         "`converge <step> --help` shows a step's flags. Exit codes: 0 ok, 1 drift or refused,\n"
         "2 usage or configuration error, 3 runtime or provider failure.\n";
}

// The directory of this executable: the steps sit beside it. "" when unknown (the
// steps are then looked up in PATH).
std::string own_directory() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : self.parent_path().string();
}

// `converge completion bash|zsh` and `converge man DIR`: generated from every step's
// flags. Exit 2 for bad arguments, 3 when a step cannot be asked.
int generate(int argc, char** argv) {
  const std::string what = argv[1];
  const std::string arg = argc == 3 ? argv[2] : "";
  if (argc != 3 || (what == "completion" && arg != "bash" && arg != "zsh")) {
    std::cerr << "converge: usage: converge completion bash|zsh, converge man DIR\n";
    return 2;
  }
  std::string dir = own_directory();
  if (!dir.empty() && !std::filesystem::exists(dir + "/converge-plan")) dir.clear();
  std::vector<converge::front::StepFlags> steps;
  for (const char* step : kSteps) {
    std::string error;
    auto flags = converge::front::read_step_flags(dir, step, error);
    if (!flags) {
      std::cerr << "converge: " << error << "\n";
      return 3;
    }
    steps.push_back(std::move(*flags));
  }
  if (what == "completion") {
    std::cout << (arg == "bash" ? converge::front::bash_completion(steps) : converge::front::zsh_completion(steps));
    return 0;
  }
  std::error_code ec;
  std::filesystem::create_directories(arg, ec);
  auto write = [&](const std::string& name, const std::string& text) {
    const auto path = std::filesystem::path(arg) / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) std::cerr << "converge: cannot write " << path.string() << "\n";
    return static_cast<bool>(out);
  };
  bool ok = write("converge.1", converge::front::front_man_page(steps, converge::kVersion));
  for (const auto& step : steps)
    ok = write("converge-" + step.step + ".1", converge::front::step_man_page(step, converge::kVersion)) && ok;
  return ok ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::cout << "converge " << converge::kVersion << " (" << converge::kGitSha << ")\n";
    return 0;
  }
  if (!std::strcmp(argv[1], "completion") || !std::strcmp(argv[1], "man")) return generate(argc, argv);
  const std::string step = argv[1];
  bool known = false;
  for (const char* s : kSteps) known = known || step == s;
  if (!known) {
    std::cerr << "converge: unknown step '" << step << "'\n";
    usage(std::cerr);
    return 2;
  }
  const std::string program = "converge-" + step;
  std::vector<char*> args{const_cast<char*>(program.c_str())};
  for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);

  if (const auto dir = own_directory(); !dir.empty()) ::execv((dir + "/" + program).c_str(), args.data());
  ::execvp(program.c_str(), args.data());
  std::cerr << "converge: cannot run " << program << ": " << std::strerror(errno) << "\n";
  return 3;
}
