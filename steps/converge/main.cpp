// converge: the front. `converge <step> [flags]` runs `converge-<step>` from the
// same directory (or PATH), as git runs git-<cmd>. Knows no step's logic.
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "converge/version.hpp"

namespace {

constexpr const char* kSteps[] = {"plan",     "plan-comment", "apply",   "drift-verify", "record-manifest",
                                  "describe", "export-to-pr", "compile", "render",       "secret-names"};

void usage(std::ostream& out) {
  out << "usage: converge <step> [flags]\n\nsteps:\n"
         "  plan             what apply would change in an environment\n"
         "  plan-comment     plan a pull request's environment into one sticky PR comment\n"
         "  apply            apply an environment's plan\n"
         "  drift-verify     check the runtime equals Git (--apply reconciles)\n"
         "  record-manifest  append the last apply to the deployment manifest\n"
         "  describe         what each environment is running\n"
         "  export-to-pr     bring runtime edits back to Git as one pull request\n"
         "  compile          write an environment's compiled bundles\n"
         "  render           render one template with a variables file\n"
         "  secret-names     the secrets an environment may use (the workflows export only these)\n\n"
         "`converge <step> --help` shows a step's flags. Exit codes: 0 ok, 1 drift or refused,\n"
         "2 usage or configuration error, 3 runtime or provider failure.\n";
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

  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto sibling = self.parent_path() / program;
    ::execv(sibling.c_str(), args.data());
  }
  ::execvp(program.c_str(), args.data());
  std::cerr << "converge: cannot run " << program << ": " << std::strerror(errno) << "\n";
  return 3;
}
