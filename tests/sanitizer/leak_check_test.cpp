// LeakSanitizer is on in the sanitizer build's test runs and works here: a program
// that leaks, run with the suite's environment (scripts/run-tests.sh sets
// ASAN_OPTIONS=detect_leaks=1:abort_on_error=1), must be stopped with a leak
// report. If leak checking were off (detect_leaks=0, or LeakSanitizer unable to
// ptrace in a sandbox), a leak in a step would go unnoticed by every test.
#include <gtest/gtest.h>

#include <string>

#include "support/run.hpp"

namespace {

TEST(LeakSanitizer, StopsAProgramThatLeaks) {
  std::string output;
  const int status = converge::testing::run_shell(CONVERGE_LEAKER " 2>&1", &output);
  EXPECT_NE(output.find("leaked 4242 bytes"), std::string::npos) << output;
  EXPECT_NE(output.find("ERROR: LeakSanitizer: detected memory leaks"), std::string::npos) << output;
  EXPECT_NE(output.find("4242 byte(s)"), std::string::npos) << output;
  EXPECT_NE(status, 0) << "a leaking program exited 0";
}

}  // namespace
