// The render budget's counters and its messages (see budget.hpp).
#include "converge/template/budget.hpp"

#include <string>

namespace converge::tmpl {

namespace {

std::string mib(std::uint64_t bytes) {
  return bytes % (1 << 20) == 0 ? std::to_string(bytes >> 20) + " MiB" : std::to_string(bytes) + " bytes";
}

}  // namespace

void Budget::spend(std::uint64_t steps) {
  steps_ = steps > limits_.max_steps - std::min(steps_, limits_.max_steps) ? limits_.max_steps + 1 : steps_ + steps;
  if (steps_ > limits_.max_steps) {
    throw TemplateError("the template takes more than " + std::to_string(limits_.max_steps) +
                        " steps to render, converge's limit (a loop or a value too large?)");
  }
}

void Budget::iterate() {
  if (++iterations_ > limits_.max_loop_iterations) {
    throw TemplateError("the template runs more than " + std::to_string(limits_.max_loop_iterations) +
                        " loop iterations, converge's limit per render");
  }
  spend(1);
}

void Budget::check_bytes(std::uint64_t bytes) const {
  if (bytes > limits_.max_output_bytes) {
    throw TemplateError("the template builds a text or value of more than " + mib(limits_.max_output_bytes) +
                        ", converge's limit per render");
  }
}

void Budget::check_value(const Value& v) const {
  check_bytes(v.size);
  if (v.depth > kMaxValueDepth) {
    throw TemplateError("the template builds lists or dicts nested more than " + std::to_string(kMaxValueDepth) +
                        " deep, converge's limit");
  }
}

void spend(const Semantics& sem, std::uint64_t steps) {
  if (sem.budget) sem.budget->spend(steps);
}

void check_bytes(const Semantics& sem, std::uint64_t bytes) {
  if (sem.budget) sem.budget->check_bytes(bytes);
}

}  // namespace converge::tmpl
