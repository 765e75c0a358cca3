// The flags of each step, read from the step itself (`converge-<step> --flags-json`,
// the same cxxopts definition that parses them), for completion scripts and man pages.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace converge::front {

struct Flag {
  std::string long_name;   // "env"
  std::string short_name;  // "e"; "" for none
  std::string help;
  bool takes_value = false;
  std::string default_value;  // "" for none
};

struct StepFlags {
  std::string step;         // "plan"
  std::string description;  // the step's one-line description
  std::vector<Flag> flags;
};

// Runs `<dir>/converge-<step> --flags-json` (or from PATH when `dir` is empty) and
// reads its answer. nullopt with `error` set when the step cannot be run or answers
// something else.
std::optional<StepFlags> read_step_flags(const std::string& dir, const std::string& step, std::string& error);

}  // namespace converge::front
