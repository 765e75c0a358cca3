// The budget of one render (render.hpp, Limits): steps, loop iterations, the size of
// the output and of every value built, the nesting of values. The evaluator charges
// each expression, node and iteration; operations that build, copy or scan a large
// value charge through Semantics (value.hpp: spend, check_bytes) before they do the
// work, so a hostile template stops before it allocates, not after.
#pragma once

#include <cstdint>

#include "converge/template/render.hpp"
#include "converge/template/value.hpp"

namespace converge::tmpl {

// Lists and dicts nested deeper than this are refused (printing and comparing them
// recurse; Jinja2 itself fails at a few hundred).
inline constexpr int kMaxValueDepth = 1000;

class Budget {
 public:
  explicit Budget(const Limits& limits) : limits_(limits) {}

  // Each throws TemplateError (no location: the caller's expression or tag gets it)
  // when the render goes beyond its limit.
  void spend(std::uint64_t steps);
  void iterate();                         // one loop iteration (also a step)
  void check_bytes(std::uint64_t bytes) const;  // a value or output of `bytes`
  void check_value(const Value& v) const;       // its size and depth

 private:
  Limits limits_;
  std::uint64_t steps_ = 0;
  std::uint64_t iterations_ = 0;
};

}  // namespace converge::tmpl
