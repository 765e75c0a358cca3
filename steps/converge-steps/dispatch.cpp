// converge-steps: the one executable that holds every step. It is installed once and
// each `converge-<step>` is a symbolic link to it (as busybox is), so the image and
// the build carry one copy of the converge library instead of one per step; the
// name it was started as picks the step. `converge-steps <step> [flags]` runs a
// step by name too. `converge` (the front) stays its own small executable.
// `converge-steps --lazy-libraries` loads every library the steps load on first use
// and prints "soname path" for each (the image takes them in, and checks each loads).
#include <cstring>
#include <iostream>
#include <string_view>

#include "converge/lazy/lazy_library.hpp"
#include "step_mains.hpp"

namespace {

using converge::steps::kStepMains;

const converge::steps::StepMain* find(std::string_view step) {
  for (const auto& entry : kStepMains)
    if (entry.step == step) return &entry;
  return nullptr;
}

int print_lazy_libraries() {
  int code = 0;
  for (const auto& library : converge::lazy::load_all()) {
    if (library.path.empty()) {
      std::cerr << "converge-steps: cannot load " << library.soname << ": " << library.error << "\n";
      code = 3;
    } else {
      std::cout << library.soname << " " << library.path << "\n";
    }
  }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view name = argc > 0 && argv[0] ? argv[0] : "";
  if (const auto slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  if (name.starts_with("converge-") && name != "converge-steps") {
    if (const auto* entry = find(name.substr(std::strlen("converge-")))) return entry->main(argc, argv);
  } else if (argc == 2 && std::string_view(argv[1]) == "--lazy-libraries") {
    return print_lazy_libraries();
  } else if (argc > 1) {
    if (const auto* entry = find(argv[1])) return entry->main(argc - 1, argv + 1);
  }
  std::cerr << "converge-steps: run as converge-<step>, or converge-steps <step>; steps:";
  for (const auto& entry : kStepMains) std::cerr << " " << entry.step;
  std::cerr << "\n";
  return 2;
}
